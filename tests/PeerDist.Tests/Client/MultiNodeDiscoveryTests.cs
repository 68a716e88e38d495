using System.Net;
using PeerDist.Client;
using PeerDist.Content;
using PeerDist.Cryptography;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Client;

/// <summary>
/// Issue 4's proof with real sockets: three nodes on their own loopback addresses (127.0.0.11-13), discovery by
/// multicast on the loopback interface (CI runs inside a private network namespace), PCCRR between them, and an HTTP
/// origin on loopback. 256 MiB of V1 content; node 1 fetches from the origin, node 2 finds node 1 by discovery, node 3
/// gets blocks from both.
/// </summary>
[TestFixture]
[Category("Socket")]
[Category("Multicast")]
[NonParallelizable]
public sealed class MultiNodeDiscoveryTests
{
    private const int Length = 256 * 1024 * 1024;

    private static readonly IPAddress s_node1 = IPAddress.Parse("127.0.0.11");
    private static readonly IPAddress s_node2 = IPAddress.Parse("127.0.0.12");
    private static readonly IPAddress s_node3 = IPAddress.Parse("127.0.0.13");

    private byte[] _content = [];
    private ContentInformation _information = null!;
    private LoopbackHttpOrigin _origin = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public void CreateContent()
    {
        LoopbackMulticast.Require();
        _content = PseudoRandomContent.Create(2026, Length);
        using ServerSecret secret = ServerSecret.FromPassphrase("three nodes");
        _information = ContentInformationBuilder.Create((ReadOnlyMemory<byte>)_content, secret);
        _origin = new LoopbackHttpOrigin(_content);
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
    }

    [OneTimeTearDown]
    public async Task DisposeOrigin()
    {
        _http?.Dispose();
        if (_origin is not null)
        {
            await _origin.DisposeAsync();
        }
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task ThreeNodes_OriginThenDiscoveryThenBothPeers_EveryByteCorrectAndFromTheRightSource(CancellationToken cancellationToken)
    {
        int port = LoopbackMulticast.FreePort();
        await using DiscoveringNode node1 = DiscoveringNode.Start(s_node1, port);
        await using DiscoveringNode node2 = DiscoveringNode.Start(s_node2, port);
        await using DiscoveringNode node3 = DiscoveringNode.Start(s_node3, port);

        // Node 1: nobody holds anything yet, so everything comes from the origin.
        PeerDistContentStatistics first = await DownloadAsync(node1, cancellationToken);
        Assert.That(first.BytesFromOrigin, Is.EqualTo(Length), "node 1 from the origin");

        // Node 2: finds node 1 by multicast discovery and gets (almost) everything from it.
        long originBefore = _origin.BytesSent;
        PeerDistContentStatistics second = await DownloadAsync(node2, cancellationToken);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(second.BytesByPeer.GetValueOrDefault(node1.EndPoint), Is.GreaterThanOrEqualTo(Length * 0.99), "node 2 from node 1 (goal >= 99 %)");
            Assert.That(_origin.BytesSent - originBefore, Is.LessThanOrEqualTo(Length * 0.01), "origin bytes for node 2");
            Assert.That(node1.ProbeRepliesSent, Is.GreaterThan(0), "node 1 answered probes");
        }

        // Node 3: both nodes hold everything; blocks are spread over them and fetched in parallel.
        PeerDistContentStatistics third = await DownloadAsync(node3, cancellationToken);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(third.BytesFromPeers, Is.GreaterThanOrEqualTo(Length * 0.99), "node 3 from peers");
            Assert.That(third.BytesByPeer.GetValueOrDefault(node1.EndPoint), Is.GreaterThan(Length / 4), "node 3 from node 1");
            Assert.That(third.BytesByPeer.GetValueOrDefault(node2.EndPoint), Is.GreaterThan(Length / 4), "node 3 from node 2");
        }
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task TwoNodes_FirstHoldsHalfTheSegments_SecondGetsThatHalfFromItAndTheRestFromTheOrigin(CancellationToken cancellationToken)
    {
        int port = LoopbackMulticast.FreePort();
        await using DiscoveringNode node1 = DiscoveringNode.Start(s_node1, port);
        await using DiscoveringNode node2 = DiscoveringNode.Start(s_node2, port);
        int half = _information.Segments.Count / 2;
        long halfBytes = _information.Segments.Take(half).Sum(s => (long)s.Length);
        await using (PeerDistContent content = node1.Client.OpenContent(_information, new HttpOriginSource(_http, _origin.Uri)))
        {
            byte[] firstHalf = new byte[halfBytes];
            await content.ReadAsync(0, firstHalf, cancellationToken);
        }

        PeerDistContentStatistics second = await DownloadAsync(node2, cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(second.BytesByPeer.GetValueOrDefault(node1.EndPoint), Is.EqualTo(halfBytes), "the held half from node 1");
            Assert.That(second.BytesFromOrigin, Is.EqualTo(Length - halfBytes), "the other half from the origin");
        }
    }

    /// <summary>Reads the whole content through <paramref name="node"/>'s client as a stream and checks every byte.</summary>
    private async Task<PeerDistContentStatistics> DownloadAsync(DiscoveringNode node, CancellationToken cancellationToken)
    {
        await using PeerDistContent content = node.Client.OpenContent(_information, new HttpOriginSource(_http, _origin.Uri));
        await using Stream stream = content.OpenRead();
        byte[] buffer = new byte[1024 * 1024];
        long offset = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            ByteAssert.AreEqual(buffer.AsSpan(0, read), _content.AsSpan((int)offset, read), $"bytes at {offset}");
            offset += read;
        }

        Assert.That(offset, Is.EqualTo(Length));
        return content.GetStatistics();
    }
}
