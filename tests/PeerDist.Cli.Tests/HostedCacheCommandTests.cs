using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using PeerDist.Client;
using PeerDist.Content;
using PeerDist.Cryptography;
using PeerDist.Hosting;
using PeerDist.Tests.Shared;

namespace PeerDist.Cli.Tests;

/// <summary>
/// <c>peerdist hosted-cache</c> run in-process as a user runs it: it prints where it takes offers, serves until Ctrl-C,
/// then exits 0; certificate and port problems are one line and exit 1. Listening is on 127.0.0.1 port 0 only.
/// </summary>
[TestFixture]
[Category("Socket")]
[CancelAfter(30_000)]
public sealed partial class HostedCacheCommandTests
{
    private TempDirectory _temp = null!;

    [SetUp]
    public void SetUp() => _temp = new TempDirectory();

    [TearDown]
    public void TearDown() => _temp.Dispose();

    [Test]
    public async Task HostedCache_PfxCertificate_PrintsBothPortsServesTlsThenExitsZeroOnCtrlC(CancellationToken cancellationToken)
    {
        using X509Certificate2 certificate = TestCertificates.CreateServerCertificate();
        string pfx = _temp.Write("hc.pfx", certificate.Export(X509ContentType.Pkcs12, "s3cret"));
        string cache = _temp.File("cache");

        (int exitCode, string line, string stderr) = await RunUntilStartedAsync(
            ["--cache", cache, "--cache-size", "64MiB", "--certificate", pfx, "--certificate-password", "s3cret"],
            async (http, https) =>
            {
                using (var plain = new TcpClient())
                {
                    await plain.ConnectAsync(http, cancellationToken);
                }

                // The TLS port presents the configured certificate (pinned: the handshake fails on any other).
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(https!, cancellationToken);
                await using var tls = new SslStream(
                    tcp.GetStream(),
                    leaveInnerStreamOpen: false,
                    (_, presented, _, _) => presented is not null && presented.GetCertHashString() == certificate.GetCertHashString());
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, cancellationToken);
                Assert.That(tls.RemoteCertificate!.GetCertHashString(), Is.EqualTo(certificate.GetCertHashString()));
            },
            cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exitCode, Is.Zero, stderr);
            Assert.That(line, Does.Match(@"^hosted cache: MS-PCHC v2 on http://127\.0\.0\.1:[1-9]\d*/, v1 on https://127\.0\.0\.1:[1-9]\d*/$"));
            Assert.That(stderr, Does.Contain("peerdist: stopped; answered 0 offer(s)"));
            Assert.That(File.Exists(Path.Combine(cache, "cache.lock")), Is.True, "the cache directory was created");
        }
    }

    /// <summary>
    /// The command as a branch office runs it: node A (hosted-cache client, offering with MS-PCHC 1.0 over TLS to the
    /// pinned certificate) fetches content from an HTTP origin; the command's hosted cache pulls it; node B (empty, no
    /// origin) reads it all from the hosted cache. Bytes are compared with the origin's.
    /// </summary>
    [Test]
    public async Task HostedCache_ClientOffersOverTls_SecondClientReadsEverythingFromIt(CancellationToken cancellationToken)
    {
        byte[] bytes = new byte[1_200_000];
        new Random(61).NextBytes(bytes);
        using ServerSecret secret = ServerSecret.FromPassphrase("hosted cache command");
        ContentInformation information = ContentInformationBuilder.Create((ReadOnlySpan<byte>)bytes, secret, new ContentInformationBuilderOptions { Version = ContentInformationVersion.V2 });
        await using var origin = new LoopbackHttpOrigin(bytes);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        using X509Certificate2 certificate = TestCertificates.CreateServerCertificate();
        string pfx = _temp.Write("hc.pfx", certificate.Export(X509ContentType.Pkcs12));
        long fromHostedCache = 0;

        (int exitCode, _, string stderr) = await RunUntilStartedAsync(["--cache", _temp.File("cache"), "--certificate", pfx], async (httpEndPoint, httpsEndPoint) =>
        {
            var client = new PeerDistNodeOptions
            {
                Mode = PeerDistNodeMode.HostedCacheClient,
                HostedCacheEndPoint = httpEndPoint,
                ListenEndPoints = [new IPEndPoint(IPAddress.Loopback, 0)],
                PeerRequestTimeout = TimeSpan.FromSeconds(20),
            };
            await using var nodeA = new PeerDistNode(client with
            {
                HostedCacheOfferUri = new Uri($"https://127.0.0.1:{httpsEndPoint!.Port}/"),
                HostedCacheCertificateThumbprint = certificate.GetCertHashString(),
            });
            await nodeA.StartAsync(cancellationToken);
            await using (PeerDistContent a = nodeA.Client.OpenContent(information, new HttpOriginSource(http, origin.Uri)))
            {
                await a.ReadAsync(0, new byte[bytes.Length], cancellationToken);
            }

            // The hosted cache pulls after answering the offers; until everything is there, try again with a fresh
            // (empty) node B.
            byte[] read = new byte[bytes.Length];
            while (true)
            {
                try
                {
                    await using var nodeB = new PeerDistNode(client);
                    await nodeB.StartAsync(cancellationToken);
                    await using PeerDistContent b = nodeB.Client.OpenContent(information);
                    await b.ReadAsync(0, read, cancellationToken);
                    fromHostedCache = b.GetStatistics().BytesFromPeers;
                    break;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    await Task.Delay(100, cancellationToken);
                }
            }

            ByteAssert.AreEqual(read, bytes, "node B");
        },
        cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exitCode, Is.Zero, stderr);
            Assert.That(fromHostedCache, Is.EqualTo(bytes.Length), "every byte from the hosted cache (none was in node B's cache)");
            Assert.That(origin.BytesSent, Is.EqualTo(bytes.Length), "the origin was read once, by node A");
            Assert.That(stderr, Does.Match(@"answered [1-9]\d* offer\(s\) \(0 dropped\), pulled [1-9]\d* segment\(s\)"));
        }
    }

    [Test]
    public async Task HostedCache_PemCertificateWithSeparateKey_Starts(CancellationToken cancellationToken)
    {
        using X509Certificate2 certificate = TestCertificates.CreateServerCertificate();
        string pem = _temp.Write("hc.crt", System.Text.Encoding.ASCII.GetBytes(certificate.ExportCertificatePem()));
        using ECDsa key = certificate.GetECDsaPrivateKey()!;
        string keyPem = _temp.Write("hc.key", System.Text.Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem()));

        (int exitCode, string line, string stderr) = await RunUntilStartedAsync(["--certificate", pem, "--certificate-key", keyPem], (_, _) => Task.CompletedTask, cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exitCode, Is.Zero, stderr);
            Assert.That(line, Does.Contain(", v1 on https://127.0.0.1:"));
        }
    }

    [Test]
    public async Task HostedCache_NoCertificate_SaysVersionTwoOnly(CancellationToken cancellationToken)
    {
        (int exitCode, string line, string stderr) = await RunUntilStartedAsync([], (http, https) =>
        {
            Assert.That(https, Is.Null);
            return Task.CompletedTask;
        }, cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exitCode, Is.Zero, stderr);
            Assert.That(line, Does.Match(@"^hosted cache: MS-PCHC v2 on http://127\.0\.0\.1:[1-9]\d*/ \(no certificate: v1 over HTTPS is off\)$"));
            Assert.That(stderr, Does.Contain("the cache is in memory"));
        }
    }

    [Test]
    public async Task HostedCache_CertificateFileMissing_ExitsOne()
    {
        CliResult result = await Cli.RunAsync(["hosted-cache", .. Loopback, "--certificate", _temp.File("nope.pfx")]);
        AssertOneError(result, "the certificate file", "does not exist (--certificate)");
    }

    [Test]
    public async Task HostedCache_NotACertificate_ExitsOne()
    {
        string junk = _temp.Write("junk.pem", "this is not a certificate"u8.ToArray());
        CliResult result = await Cli.RunAsync(["hosted-cache", .. Loopback, "--certificate", junk]);
        AssertOneError(result, "is not a certificate", "--certificate");
    }

    [Test]
    public async Task HostedCache_WrongPfxPassword_ExitsOne()
    {
        using X509Certificate2 certificate = TestCertificates.CreateServerCertificate();
        string pfx = _temp.Write("hc.p12", certificate.Export(X509ContentType.Pkcs12, "right"));
        CliResult result = await Cli.RunAsync(["hosted-cache", .. Loopback, "--certificate", pfx, "--certificate-password", "wrong"]);
        AssertOneError(result, "wrong password", "--certificate-password");
    }

    [Test]
    public async Task HostedCache_PemCertificateWithoutKey_ExitsOne()
    {
        using X509Certificate2 certificate = TestCertificates.CreateServerCertificate();
        string pem = _temp.Write("hc.pem", System.Text.Encoding.ASCII.GetBytes(certificate.ExportCertificatePem()));
        CliResult result = await Cli.RunAsync(["hosted-cache", .. Loopback, "--certificate", pem]);
        AssertOneError(result, "has no private key", "--certificate-key");
    }

    [Test]
    public async Task HostedCache_PfxWithoutKey_ExitsOne()
    {
        using X509Certificate2 certificate = TestCertificates.CreateServerCertificate();
        string pfx = _temp.Write("public.pfx", X509CertificateLoader.LoadCertificate(certificate.Export(X509ContentType.Cert)).Export(X509ContentType.Pkcs12));
        CliResult result = await Cli.RunAsync(["hosted-cache", .. Loopback, "--certificate", pfx]);
        AssertOneError(result, "has no private key", "--certificate-key");
    }

    [Test]
    public async Task HostedCache_PortInUse_ExitsOneNamingTheSwitch(CancellationToken cancellationToken)
    {
        using var occupant = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        occupant.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        occupant.Listen();
        string port = ((IPEndPoint)occupant.LocalEndPoint!).Port.ToString(CultureInfo.InvariantCulture);

        CliResult result = await Cli.RunAsync(["hosted-cache", "--listen", "127.0.0.1", "--port", port], new CliOptions(), cancellationToken);
        AssertOneError(result, $"Cannot listen on 127.0.0.1:{port}: the port is already in use", "peerdist hosted-cache --port");
    }

    [TestCase("--port", "70000")]
    [TestCase("--tls-port", "-1")]
    [TestCase("--listen", "localhost")]
    [TestCase("--certificate-password", "x")]
    public async Task HostedCache_CommandLineMistake_ExitsTwo(params string[] args)
    {
        CliResult result = await Cli.RunAsync(["hosted-cache", .. args]);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.ErrorLines, Has.Count.EqualTo(1));
        }
    }

    [TestCase("--hosted-cache", "https://127.0.0.1:443/")]
    [TestCase("--hosted-cache", "127.0.0.1:80", "--offer-url", "ftp://127.0.0.1/")]
    [TestCase("--hosted-cache", "127.0.0.1:80", "--hosted-cache-thumbprint", "abc")]
    public async Task Serve_HostedCacheClientOfferMistake_ExitsTwo(params string[] args)
    {
        CliResult result = await Cli.RunAsync(["serve", "--mode", "hosted-cache-client", "--listen", "127.0.0.1", "--port", "0", .. args]);
        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
    }

    [Test]
    public async Task Serve_HostedCacheClientWithUrl_SaysWhereItOffers(CancellationToken cancellationToken)
    {
        var stdout = new WatchedOutput();
        using var ctrlC = new CancellationTokenSource();
        Task<int> run = Program.RunAsync(
            ["serve", "--mode", "hosted-cache-client", "--hosted-cache", "http://127.0.0.1:8080/", "--listen", "127.0.0.1", "--port", "0"],
            new CliConsole { Out = stdout, Error = TextWriter.Synchronized(new StringWriter()) },
            ctrlC.Token);

        string line = await stdout.WaitForLineAsync("offering completed content to ", cancellationToken);
        await ctrlC.CancelAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await run, Is.Zero);
            Assert.That(line, Is.EqualTo("offering completed content to http://127.0.0.1:8080/"));
            Assert.That(stdout.Text, Does.Contain("asking only the hosted cache at 127.0.0.1:8080"));
        }
    }

    private static string[] Loopback => ["--listen", "127.0.0.1", "--port", "0", "--tls-port", "0"];

    private static void AssertOneError(CliResult result, string expected, string remedy)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
            Assert.That(result.Output, Is.Empty);
            Assert.That(result.ErrorLines, Has.Some.StartsWith("peerdist: error: ").And.Contains(expected).And.Contains(remedy));
        }
    }

    private static async Task<(int ExitCode, string Line, string Stderr)> RunUntilStartedAsync(
        string[] args, Func<IPEndPoint, IPEndPoint?, Task> whileRunning, CancellationToken cancellationToken)
    {
        var stdout = new WatchedOutput();
        var stderr = new StringWriter();
        using var ctrlC = new CancellationTokenSource();
        Task<int> run = Program.RunAsync(["hosted-cache", .. Loopback, .. args], new CliConsole { Out = stdout, Error = TextWriter.Synchronized(stderr) }, ctrlC.Token);
        string line;
        try
        {
            line = await stdout.WaitForLineAsync("hosted cache: ", cancellationToken);
            Match http = HttpUrl().Match(line);
            Match https = HttpsUrl().Match(line);
            await whileRunning(
                IPEndPoint.Parse(http.Groups[1].Value),
                https.Success ? IPEndPoint.Parse(https.Groups[1].Value) : null);
        }
        finally
        {
            await ctrlC.CancelAsync();
        }

        int exitCode = await run;
        return (exitCode, line, stderr.ToString());
    }

    [GeneratedRegex(@"http://([^/]+)/")]
    private static partial Regex HttpUrl();

    [GeneratedRegex(@"https://([^/]+)/")]
    private static partial Regex HttpsUrl();
}
