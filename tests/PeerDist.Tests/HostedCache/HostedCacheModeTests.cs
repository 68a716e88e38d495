using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using PeerDist.Caching;
using PeerDist.Client;
using PeerDist.Content;
using PeerDist.HostedCache;
using PeerDist.Peer;
using PeerDist.Retrieval.Server;
using PeerDist.Tests.Caching;
using PeerDist.Tests.Client;
using PeerDist.Tests.Shared;
using PeerDist.Transport.Http;

namespace PeerDist.Tests.HostedCache;

/// <summary>
/// Hosted-cache mode end to end on loopback (MS-PCHC 3.2 with 3.1): client A reads content from the origin and offers
/// what it completed; the hosted cache pulls it from A's PCCRR server; client B, with an empty cache, gets it from the
/// hosted cache. Version 2.0 over HTTP and version 1.0 over TLS, each with V1 and V2 content information.
/// </summary>
[CancelAfter(60_000)]
[Category("Socket")]
public sealed class HostedCacheModeTests
{
    private static readonly TestContent s_v1 = TestContent.Create((2 * 1024 * 1024) + 4321, ContentInformationVersion.V1, seed: 71);
    private static readonly TestContent s_v2 = TestContent.Create(1_500_000, ContentInformationVersion.V2, seed: 72);

    [TestCase(HostedCacheProtocolVersion.V2, ContentInformationVersion.V1)]
    [TestCase(HostedCacheProtocolVersion.V2, ContentInformationVersion.V2)]
    [TestCase(HostedCacheProtocolVersion.V1, ContentInformationVersion.V1)]
    [TestCase(HostedCacheProtocolVersion.V1, ContentInformationVersion.V2)]
    public async Task ClientAFetchesFromOriginAndOffers_ClientBGetsItFromTheHostedCache(
        HostedCacheProtocolVersion protocol, ContentInformationVersion version, CancellationToken cancellationToken)
    {
        TestContent content = version == ContentInformationVersion.V1 ? s_v1 : s_v2;
        using X509Certificate2 certificate = TestCertificates.CreateServerCertificate();
        await using HostedCacheNode hostedCache = HostedCacheNode.Start(certificate: certificate);
        var origin = new MemoryOrigin(content.Bytes);

        // Client A: hosted cache first (it has nothing yet), then the origin; its PCCRR server stays up for the pull.
        using var cacheA = new MemoryContentCache();
        await using PeerDistHttpServer serverA = StartPccrrServer(cacheA);
        Uri hostedCacheUri = protocol == HostedCacheProtocolVersion.V1
            ? new Uri($"https://127.0.0.1:{hostedCache.TlsEndPoint!.Port}/")
            : new Uri($"http://127.0.0.1:{hostedCache.EndPoint.Port}/");
        await using var offerer = new HostedCacheOfferer(new HostedCacheOffererOptions
        {
            HostedCache = hostedCacheUri,
            Version = protocol,
            PccrrPort = serverA.LocalEndPoints[0].Port,
            Handler = PinnedHandler(certificate),
        });
        await using (var clientA = new PeerDistClient(new PeerDistClientOptions
        {
            Cache = cacheA,
            PeerLocator = new StaticPeerLocator([hostedCache.EndPoint]),
            Offerer = offerer,
        }))
        await using (PeerDistContent contentA = clientA.OpenContent(content.Information, origin))
        {
            byte[] bytesA = new byte[content.Bytes.Length];
            await contentA.ReadAsync(0, bytesA, cancellationToken);
            ByteAssert.AreEqual(bytesA, content.Bytes, "client A");
            Assert.That(contentA.GetStatistics().BytesFromOrigin, Is.EqualTo(content.Bytes.Length), "the hosted cache was empty");
        }

        await offerer.WhenIdleAsync(cancellationToken);
        await hostedCache.Server.WhenIdleAsync(cancellationToken);

        // Client B: a different node with an empty cache and no origin at all.
        using var cacheB = new MemoryContentCache();
        await using var clientB = new PeerDistClient(new PeerDistClientOptions { Cache = cacheB, PeerLocator = new StaticPeerLocator([hostedCache.EndPoint]) });
        await using PeerDistContent contentB = clientB.OpenContent(content.Information);
        byte[] bytesB = new byte[content.Bytes.Length];
        await contentB.ReadAsync(0, bytesB, cancellationToken);

        HostedCacheOffererStatistics offers = offerer.GetStatistics();
        using (Assert.EnterMultipleScope())
        {
            ByteAssert.AreEqual(bytesB, content.Bytes, "client B");
            Assert.That(contentB.GetStatistics().BytesFromPeers, Is.EqualTo(content.Bytes.Length), "all from the hosted cache");
            Assert.That(offers.SegmentsOffered, Is.EqualTo(content.Segments.Count));
            Assert.That(offers.SegmentsDropped, Is.Zero);
            Assert.That(offers.InterestedAnswers, Is.EqualTo(protocol == HostedCacheProtocolVersion.V1 ? content.Segments.Count : 0));
            Assert.That(hostedCache.Server.GetStatistics().PullsFailed, Is.Zero);
        }
    }

    [Test]
    public async Task HostedCacheUnreachable_ReadsNeverWaitAndOfferIsRetriedThenGivenUp(CancellationToken cancellationToken)
    {
        // A port nothing listens on: every offer fails at once.
        int deadPort;
        using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            deadPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        using var cache = new MemoryContentCache();
        await using var offerer = new HostedCacheOfferer(new HostedCacheOffererOptions
        {
            HostedCache = new Uri($"http://127.0.0.1:{deadPort}/"),
            PccrrPort = 8080,
            InitialRetryDelay = TimeSpan.FromMilliseconds(10),
            MaxRetryDelay = TimeSpan.FromMilliseconds(40),
            MaxAttempts = 3,
            BatchDelay = TimeSpan.Zero,
        });
        await using var client = new PeerDistClient(new PeerDistClientOptions { Cache = cache, Offerer = offerer });
        await using PeerDistContent content = client.OpenContent(s_v2.Information, new MemoryOrigin(s_v2.Bytes));
        byte[] bytes = new byte[s_v2.Bytes.Length];

        await content.ReadAsync(0, bytes, cancellationToken);
        await offerer.WhenIdleAsync(cancellationToken);

        HostedCacheOffererStatistics stats = offerer.GetStatistics();
        using (Assert.EnterMultipleScope())
        {
            ByteAssert.AreEqual(bytes, s_v2.Bytes, "read");
            Assert.That(stats.SegmentsOffered, Is.Zero);
            Assert.That(stats.SegmentsDropped, Is.EqualTo(s_v2.Segments.Count));
            Assert.That(stats.RequestsFailed, Is.EqualTo(stats.RequestsSent));
            Assert.That(stats.RequestsSent % 3, Is.Zero, "three attempts per batch");
        }
    }

    [Test]
    public void Options_Version1OverPlainHttp_Rejected() =>
        Assert.Throws<ArgumentException>(() => _ = new HostedCacheOfferer(new HostedCacheOffererOptions
        {
            HostedCache = new Uri("http://127.0.0.1:1/"),
            Version = HostedCacheProtocolVersion.V1,
            PccrrPort = 80,
        }));

    private static PeerDistHttpServer StartPccrrServer(ContentCache cache)
    {
        var server = new PeerDistHttpServer(
            new PeerDistHttpServerOptions { EndPoints = [new IPEndPoint(IPAddress.Loopback, 0)], ShutdownTimeout = TimeSpan.FromMilliseconds(500) },
            new PccrrRequestHandler(new PccrrServer(new ContentCacheBlockSource(cache))));
        server.Start();
        return server;
    }

    private static SocketsHttpHandler PinnedHandler(X509Certificate2 certificate) => new()
    {
        UseProxy = false,
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == certificate.GetCertHashString(),
        },
    };
}
