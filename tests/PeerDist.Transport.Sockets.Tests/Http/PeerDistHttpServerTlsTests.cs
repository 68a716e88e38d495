using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using PeerDist.Tests.Shared;
using PeerDist.Transport.Http;

namespace PeerDist.Transport.Tests.Http;

/// <summary>The server with TLS (the MS-PCHC version 1.0 path is HTTPS), checked with the BCL's own HttpClient as the client.</summary>
[TestFixture]
[Category("Socket")]
[CancelAfter(15_000)]
public sealed class PeerDistHttpServerTlsTests
{
    private X509Certificate2 _certificate = null!;

    [OneTimeSetUp]
    public void CreateCertificate() => _certificate = TestCertificates.CreateServerCertificate();

    [OneTimeTearDown]
    public void DisposeCertificate() => _certificate.Dispose();

    [Test]
    public async Task Post_OverTls_EchoedAndConnectionReused(CancellationToken cancellationToken)
    {
        var echo = new EchoHandler();
        await using PeerDistHttpServer server = Start(echo);
        using HttpClient client = PinnedClient(_certificate);
        Uri uri = Url(server, PeerDistHttpPaths.HostedCacheV1);

        string first = await PostAsync(client, uri, "hello", cancellationToken);
        string second = await PostAsync(client, uri, new string('x', 90_000), cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.EqualTo("hello"));
            Assert.That(second, Has.Length.EqualTo(90_000));
            Assert.That(server.AcceptedConnectionCount, Is.EqualTo(1), "keep-alive over TLS");
        }
    }

    [Test]
    public async Task UnknownPath_OverTls_404(CancellationToken cancellationToken)
    {
        await using PeerDistHttpServer server = Start(new EchoHandler());
        using HttpClient client = PinnedClient(_certificate);

        using HttpResponseMessage response = await client.PostAsync(Url(server, "/nothing-here/"), new ByteArrayContent([1]), cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task PlainHttpToTlsServer_ConnectionClosedHandlerNeverCalled(CancellationToken cancellationToken)
    {
        var echo = new EchoHandler();
        await using PeerDistHttpServer server = Start(echo);
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        var plain = new Uri($"http://127.0.0.1:{server.LocalEndPoints[0].Port}{PeerDistHttpPaths.HostedCacheV1}");

        Assert.ThrowsAsync<HttpRequestException>(async () => await client.PostAsync(plain, new ByteArrayContent([1]), cancellationToken));
        Assert.That(echo.Calls, Is.Zero);
    }

    [Test]
    public void TlsWithoutCertificate_RejectedAtConstruction()
    {
        var options = new PeerDistHttpServerOptions { EndPoints = [Loopback.Any()], Tls = new SslServerAuthenticationOptions() };

        Assert.Throws<ArgumentException>(() => _ = new PeerDistHttpServer(options, new EchoHandler()));
    }

    private PeerDistHttpServer Start(IPeerDistRequestHandler handler)
    {
        var server = new PeerDistHttpServer(
            new PeerDistHttpServerOptions
            {
                EndPoints = [Loopback.Any()],
                Tls = new SslServerAuthenticationOptions { ServerCertificate = _certificate },
            },
            new Dictionary<string, IPeerDistRequestHandler> { [PeerDistHttpPaths.HostedCacheV1] = handler });
        server.Start();
        return server;
    }

    private static Uri Url(PeerDistHttpServer server, string path) => new($"https://127.0.0.1:{server.LocalEndPoints[0].Port}{path}");

    /// <summary>An HttpClient that trusts exactly this self-signed certificate.</summary>
    private static HttpClient PinnedClient(X509Certificate2 certificate) =>
        new(new SocketsHttpHandler
        {
            UseProxy = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == certificate.GetCertHashString(),
            },
        });

    private static async Task<string> PostAsync(HttpClient client, Uri uri, string body, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await client.PostAsync(uri, new ByteArrayContent(Encoding.ASCII.GetBytes(body)), cancellationToken);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return Encoding.ASCII.GetString(await response.Content.ReadAsByteArrayAsync(cancellationToken));
    }
}
