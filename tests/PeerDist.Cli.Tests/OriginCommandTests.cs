using System.Globalization;
using System.Net;
using System.Net.Sockets;
using PeerDist.Content;
using PeerDist.Cryptography;
using PeerDist.Tests.Shared;

namespace PeerDist.Cli.Tests;

/// <summary>
/// <c>peerdist origin DIR</c> run in-process as a user runs it, on 127.0.0.1 port 0: a plain client gets the file's
/// bytes, a PeerDist client gets the content information MS-PCCRC makes of them, errors are one line and exit 1.
/// </summary>
[TestFixture]
[Category("Socket")]
[CancelAfter(60_000)]
public sealed class OriginCommandTests
{
    private TempDirectory _temp = null!;

    [SetUp]
    public void SetUp() => _temp = new TempDirectory();

    [TearDown]
    public void TearDown() => _temp.Dispose();

    [Test]
    public async Task Origin_TempFolder_PlainGetReturnsBytesAndPeerDistGetsContentInformation(CancellationToken cancellationToken)
    {
        string root = Directory.CreateDirectory(_temp.File("www")).FullName;
        byte[] content = PseudoRandomContent.Create(51, 200_000);
        File.WriteAllBytes(Path.Combine(root, "file.bin"), content);

        byte[] plain;
        HttpResponseMessage peerdist;
        int exitCode;
        string stderr;
        await using (OriginSite site = await OriginSite.StartAsync(root, cancellationToken))
        {
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
            plain = await http.GetByteArrayAsync(site.Url("file.bin"), cancellationToken);
            peerdist = await site.WaitForContentInformationAsync("file.bin", cancellationToken);
            Assert.That(site.ServingLine, Is.EqualTo($"serving {root} on {site.BaseAddress} (MS-PCCRTP)"));
            Assert.That(site.BaseAddress.Host, Is.EqualTo("127.0.0.1"));
            Assert.That(site.BaseAddress.Port, Is.GreaterThan(0));
            exitCode = await site.StopAsync();
            stderr = site.Stderr;
        }

        // The expected content information is made from the file's bytes by the Core builder, with the same passphrase
        // (MS-PCCRC 2.5: Ks is the passphrase's UTF-16LE bytes), V1 as asked (MaxContentInformation=1.0).
        using ServerSecret secret = ServerSecret.FromPassphrase(OriginSite.Passphrase);
        byte[] expected = ContentInformationBuilder.Create(content, secret, new ContentInformationBuilderOptions { Version = ContentInformationVersion.V1 }).ToArray();
        using (peerdist)
        using (Assert.EnterMultipleScope())
        {
            ByteAssert.AreEqual(plain, content, "plain GET");
            ByteAssert.AreEqual(await peerdist.Content.ReadAsByteArrayAsync(cancellationToken), expected, "content information");
            Assert.That(peerdist.Headers.GetValues("X-P2P-PeerDist").Single(), Is.EqualTo("Version=1.1, ContentLength=200000"));
            Assert.That(exitCode, Is.Zero, stderr);
            Assert.That(stderr, Does.Contain("peerdist: stopped;").And.Not.Contain("error"));
        }
    }

    [Test]
    public async Task Origin_MinSizeBelowFile_SmallFileGetsContentInformation(CancellationToken cancellationToken)
    {
        string root = Directory.CreateDirectory(_temp.File("www")).FullName;
        byte[] content = PseudoRandomContent.Create(52, 10_000);
        File.WriteAllBytes(Path.Combine(root, "small.bin"), content);

        await using OriginSite site = await OriginSite.StartAsync(root, cancellationToken, "--min-size", "4K");
        using HttpResponseMessage peerdist = await site.WaitForContentInformationAsync("small.bin", cancellationToken);

        using ServerSecret secret = ServerSecret.FromPassphrase(OriginSite.Passphrase);
        byte[] expected = ContentInformationBuilder.Create(content, secret).ToArray();
        ByteAssert.AreEqual(await peerdist.Content.ReadAsByteArrayAsync(cancellationToken), expected);
    }

    [Test]
    public async Task Origin_MissingDirectory_ExitsOneNamingIt()
    {
        string missing = _temp.File("nowhere");

        CliResult result = await Cli.RunAsync("origin", missing, "--listen", "127.0.0.1", "--port", "0", "--passphrase", "x");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
            Assert.That(result.Output, Is.Empty);
            Assert.That(result.ErrorLines, Is.EqualTo(new[] { $"peerdist: error: directory '{missing}' does not exist" }));
        }
    }

    [Test]
    public async Task Origin_PortInUse_ExitsOneNamingThePortSwitch(CancellationToken cancellationToken)
    {
        using var occupant = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        occupant.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        occupant.Listen();
        int port = ((IPEndPoint)occupant.LocalEndPoint!).Port;

        CliResult result = await Cli.RunAsync(
            ["origin", _temp.Path, "--listen", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--passphrase", "x"],
            new CliOptions(),
            cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
            Assert.That(result.Output, Is.Empty);
            Assert.That(result.ErrorLines, Has.Some.StartsWith($"peerdist: error: Cannot listen on 127.0.0.1:{port}: the port is already in use").And.Some.Contains("--port"));
        }
    }

    [Test]
    public async Task Origin_NoSecret_WarnsAndStillServes(CancellationToken cancellationToken)
    {
        string root = Directory.CreateDirectory(_temp.File("www")).FullName;
        byte[] content = PseudoRandomContent.Create(53, 100_000);
        File.WriteAllBytes(Path.Combine(root, "file.bin"), content);
        var stdout = new WatchedOutput();
        var stderr = new StringWriter(CultureInfo.InvariantCulture);
        using var ctrlC = new CancellationTokenSource();
        Task<int> run = Program.RunAsync(["origin", root, "--listen", "127.0.0.1", "--port", "0"], new CliConsole { Out = stdout, Error = TextWriter.Synchronized(stderr) }, ctrlC.Token);
        string line = await stdout.WaitForLineAsync("serving ", cancellationToken);
        Uri file = new(new Uri(line[(line.IndexOf(" on ", StringComparison.Ordinal) + 4)..line.LastIndexOf(" (", StringComparison.Ordinal)]), "file.bin");

        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        byte[] plain = await http.GetByteArrayAsync(file, cancellationToken);
        await ctrlC.CancelAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await run, Is.Zero);
            ByteAssert.AreEqual(plain, content);
            Assert.That(stderr.ToString(), Does.Contain("peerdist: warning: no server secret given"));
        }
    }

    [TestCase("--port", "70000")]
    [TestCase("--listen", "localhost")]
    [TestCase("--min-size", "lots")]
    [TestCase("--passphrase", "a", "--secret-hex", "00")]
    [TestCase("--key-password", "p")]
    public async Task Origin_CommandLineMistake_ExitsTwoWithOneLine(params string[] args)
    {
        CliResult result = await Cli.RunAsync(["origin", _temp.Path, .. args]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.ErrorLines, Has.Count.EqualTo(1));
            Assert.That(result.ErrorLines[0], Does.StartWith("peerdist: error: ").And.EndWith("(see 'peerdist origin --help')"));
        }
    }

    [Test]
    public async Task Help_Origin_ListsEveryOption()
    {
        CliResult help = await Cli.RunAsync("origin", "--help");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(help.Output, Does.Contain("\n  peerdist origin <DIR> [options]"));
            foreach (string option in (string[])["--port", "--listen", "--hash-cache", "--min-size", "--passphrase", "--secret-hex", "--key-file", "--key-password", "--verbose"])
            {
                Assert.That(help.Output, Does.Contain(option));
            }
        }
    }
}
