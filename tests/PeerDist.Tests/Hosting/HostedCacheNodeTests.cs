using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PeerDist.Client;
using PeerDist.Content;
using PeerDist.HostedCache;
using PeerDist.Hosting;
using PeerDist.Tests.Caching;
using PeerDist.Tests.Client;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Hosting;

/// <summary>
/// The hosted cache wired into <see cref="PeerDistNode"/> on loopback: a node in <see cref="PeerDistNodeMode.HostedCache"/>
/// mode, node A (<see cref="PeerDistNodeMode.HostedCacheClient"/>) reads from the origin and offers what it completed
/// (MS-PCHC 2.0 over HTTP, or 1.0 over TLS with a pinned self-signed certificate), node B (empty) reads everything from
/// the hosted cache. Bytes are checked against the content; sources against the byte counts.
/// </summary>
[CancelAfter(60_000)]
[Category("Socket")]
public sealed class HostedCacheNodeTests
{
    private static readonly TestContent s_v1 = TestContent.Create((2 * 1024 * 1024) + 999, ContentInformationVersion.V1, seed: 91);
    private static readonly TestContent s_v2 = TestContent.Create(1_300_000, ContentInformationVersion.V2, seed: 92);

    private TempDirectory _directory = null!;

    [SetUp]
    public void SetUp() => _directory = new TempDirectory();

    [TearDown]
    public void TearDown() => _directory.Dispose();

    [TestCase(HostedCacheProtocolVersion.V2, ContentInformationVersion.V1)]
    [TestCase(HostedCacheProtocolVersion.V2, ContentInformationVersion.V2)]
    [TestCase(HostedCacheProtocolVersion.V1, ContentInformationVersion.V1)]
    [TestCase(HostedCacheProtocolVersion.V1, ContentInformationVersion.V2)]
    public async Task HostedCacheMode_ClientAOffers_ClientBGetsEverythingFromTheHostedCache(
        HostedCacheProtocolVersion protocol, ContentInformationVersion version, CancellationToken cancellationToken)
    {
        TestContent content = version == ContentInformationVersion.V1 ? s_v1 : s_v2;
        using X509Certificate2 certificate = TestCertificates.CreateServerCertificate();
        await using var hostedCache = new PeerDistNode(NodeFixtures.HostedCache(Path.Combine(_directory.Path, "hc"), certificate));
        await hostedCache.StartAsync(cancellationToken);

        HostedCacheOffererStatistics offers = await OfferFromNodeAAsync(hostedCache, content, protocol, certificate, cancellationToken);
        PeerDistContentStatistics b = await ReadFromNodeBAsync(hostedCache.EndPoint!, content, cancellationToken);

        PeerDistNodeStatistics statistics = hostedCache.GetStatistics();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(b.BytesFromPeers, Is.EqualTo(content.Bytes.Length), "every byte from the hosted cache");
            Assert.That(offers.SegmentsOffered, Is.EqualTo(content.Segments.Count));
            Assert.That(offers.InterestedAnswers, Is.EqualTo(protocol == HostedCacheProtocolVersion.V1 ? content.Segments.Count : 0));
            Assert.That(statistics.HostedCache!.PullsCompleted, Is.EqualTo(content.Segments.Count));
            Assert.That(statistics.HostedCache.PullsFailed, Is.Zero);
            Assert.That(statistics.HostedCache.BytesPulled, Is.GreaterThanOrEqualTo(content.Bytes.Length));
            Assert.That(statistics.BlocksServed, Is.GreaterThan(0));
            Assert.That(hostedCache.TlsEndPoints, Has.Count.EqualTo(1));
        }
    }

    [Test]
    public async Task HostedCacheMode_RestartOnSameDirectory_KeepsWhatWasPulled(CancellationToken cancellationToken)
    {
        string directory = Path.Combine(_directory.Path, "hc");
        await using (var first = new PeerDistNode(NodeFixtures.HostedCache(directory)))
        {
            await first.StartAsync(cancellationToken);
            await OfferFromNodeAAsync(first, s_v2, HostedCacheProtocolVersion.V2, certificate: null, cancellationToken);
            Assert.That(first.TlsEndPoints, Is.Empty, "no certificate: version 2.0 only");
        }

        await using var second = new PeerDistNode(NodeFixtures.HostedCache(directory));
        await second.StartAsync(cancellationToken);
        PeerDistContentStatistics b = await ReadFromNodeBAsync(second.EndPoint!, s_v2, cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(b.BytesFromPeers, Is.EqualTo(s_v2.Bytes.Length));
            Assert.That(second.GetStatistics().HostedCache!.PullsCompleted, Is.Zero, "served from the kept cache, nothing pulled again");
        }
    }

    [Test]
    public void HostedCacheMode_CertificateWithoutPrivateKey_TypedStartError()
    {
        using X509Certificate2 full = TestCertificates.CreateServerCertificate();
        using X509Certificate2 publicOnly = X509CertificateLoader.LoadCertificate(full.Export(X509ContentType.Cert));

        PeerDistNodeStartException e = Assert.Throws<PeerDistNodeStartException>(() => _ = new PeerDistNode(NodeFixtures.HostedCache(certificate: publicOnly)));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.Error, Is.EqualTo(PeerDistNodeStartError.CertificateWithoutPrivateKey));
            Assert.That(e.Message, Does.Contain("no private key").And.Contain("--certificate-key"));
        }
    }

    [Test]
    public void HostedCacheMode_ExpiredCertificate_TypedStartError()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=expired", key, HashAlgorithmName.SHA256);
        using X509Certificate2 expired = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1));

        PeerDistNodeStartException e = Assert.Throws<PeerDistNodeStartException>(() => _ = new PeerDistNode(NodeFixtures.HostedCache(certificate: expired)));
        Assert.That(e.Error, Is.EqualTo(PeerDistNodeStartError.CertificateInvalid));
    }

    [Test]
    public async Task HostedCacheMode_TlsPortInUse_PortInUseNamingTheTlsSwitch(CancellationToken cancellationToken)
    {
        using var occupant = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        occupant.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        occupant.Listen();
        using X509Certificate2 certificate = TestCertificates.CreateServerCertificate();
        await using var node = new PeerDistNode(NodeFixtures.HostedCache(certificate: certificate) with { TlsListenEndPoints = [(IPEndPoint)occupant.LocalEndPoint!] });

        PeerDistNodeStartException e = Assert.ThrowsAsync<PeerDistNodeStartException>(() => node.StartAsync(cancellationToken));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.Error, Is.EqualTo(PeerDistNodeStartError.PortInUse));
            Assert.That(e.Message, Does.Contain("--tls-port"));
            Assert.That(node.IsRunning, Is.False);
        }
    }

    [Test]
    public void Options_CertificateOutsideHostedCacheMode_Rejected()
    {
        using X509Certificate2 certificate = TestCertificates.CreateServerCertificate();
        var options = new PeerDistNodeOptions { Mode = PeerDistNodeMode.LocalOnly, Certificate = certificate };
        Assert.That(options.Validate, Throws.ArgumentException.With.Message.Contains("Certificate"));
    }

    [TestCase("not-hex")]
    [TestCase("ABCD")]
    public void Options_BadThumbprint_Rejected(string thumbprint)
    {
        var options = NodeFixtures.HostedCacheClient(new IPEndPoint(IPAddress.Loopback, 80)) with { HostedCacheCertificateThumbprint = thumbprint };
        Assert.That(options.Validate, Throws.ArgumentException.With.Message.Contains("HostedCacheCertificateThumbprint"));
    }

    /// <summary>Node A reads <paramref name="content"/> from the origin and offers it; returns when the hosted cache has pulled every segment.</summary>
    private static async Task<HostedCacheOffererStatistics> OfferFromNodeAAsync(
        PeerDistNode hostedCache, TestContent content, HostedCacheProtocolVersion protocol, X509Certificate2? certificate, CancellationToken cancellationToken)
    {
        PeerDistNodeOptions options = NodeFixtures.HostedCacheClient(hostedCache.EndPoint!);
        if (protocol == HostedCacheProtocolVersion.V1)
        {
            options = options with
            {
                HostedCacheOfferUri = new Uri($"https://127.0.0.1:{hostedCache.TlsEndPoints[0].Port}/"),
                HostedCacheCertificateThumbprint = certificate!.GetCertHashString(HashAlgorithmName.SHA256),
            };
        }

        await using var nodeA = new PeerDistNode(options);
        await nodeA.StartAsync(cancellationToken);
        await using (PeerDistContent a = nodeA.Client.OpenContent(content.Information, new MemoryOrigin(content.Bytes)))
        {
            byte[] bytes = new byte[content.Bytes.Length];
            await a.ReadAsync(0, bytes, cancellationToken);
            ByteAssert.AreEqual(bytes, content.Bytes, "node A");
            Assert.That(a.GetStatistics().BytesFromOrigin, Is.EqualTo(content.Bytes.Length), "the hosted cache was empty");
        }

        // Node A must stay up while the hosted cache pulls from its PCCRR server.
        while (hostedCache.GetStatistics().HostedCache!.PullsCompleted + hostedCache.GetStatistics().HostedCache!.PullsFailed < content.Segments.Count)
        {
            await Task.Delay(20, cancellationToken);
        }

        return nodeA.GetStatistics().Offers!;
    }

    private static async Task<PeerDistContentStatistics> ReadFromNodeBAsync(IPEndPoint hostedCache, TestContent content, CancellationToken cancellationToken)
    {
        await using var nodeB = new PeerDistNode(NodeFixtures.HostedCacheClient(hostedCache));
        await nodeB.StartAsync(cancellationToken);
        await using PeerDistContent b = nodeB.Client.OpenContent(content.Information);
        byte[] bytes = new byte[content.Bytes.Length];
        await b.ReadAsync(0, bytes, cancellationToken);
        ByteAssert.AreEqual(bytes, content.Bytes, "node B");
        return b.GetStatistics();
    }
}
