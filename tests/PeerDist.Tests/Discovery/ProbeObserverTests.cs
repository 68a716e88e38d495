using System.Collections.Concurrent;
using System.Net;
using PeerDist.Caching;
using PeerDist.Content;
using PeerDist.Discovery;
using PeerDist.Tests.Caching;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Discovery;

/// <summary>
/// A responder reports every Probe it receives, answered or not, with its source; a prober whose channel names a source
/// address sends from it. Together they let a node count the nodes probing for a content before they hold any of it
/// (real IPv4 multicast on the loopback interface only).
/// </summary>
[Category("Socket")]
[NonParallelizable]
public sealed class ProbeObserverTests
{
    [Test]
    [CancelAfter(30_000)]
    public async Task Probe_ForASegmentNobodyHolds_IsReportedWithTheProbersOwnAddress(CancellationToken cancellationToken)
    {
        LoopbackMulticast.Require();
        int port = LoopbackMulticast.FreePort();
        TestContent content = TestContent.Create(3 * 65536, ContentInformationVersion.V1, seed: 41);
        var seen = new ConcurrentQueue<(string[] Ids, IPAddress Source)>();
        using var cache = new MemoryContentCache(); // holds nothing: no ProbeMatch goes out
        await using var responder = new DiscoveryResponderService(cache, new DiscoveryResponderServiceOptions
        {
            Channel = LoopbackMulticast.Listener(port),
            Responder = new PccrdResponderOptions { XAddrs = [new IPEndPoint(IPAddress.Parse("127.0.0.60"), 80)] },
            ProbeObserver = (probe, source) => seen.Enqueue(([.. probe.SegmentIds.Select(id => Convert.ToHexString(id.Span))], source.Address)),
        });
        responder.Start();
        await using var locator = new DiscoveryPeerLocator(new DiscoveryPeerLocatorOptions
        {
            Channel = LoopbackMulticast.Prober(port, source: IPAddress.Parse("127.0.0.77")),
            Prober = new PccrdProberOptions { Window = TimeSpan.FromMilliseconds(300), LocalNetworks = [IPNetwork.Parse("127.0.0.0/8")] },
        });

        IReadOnlyList<IReadOnlyList<EndPoint>> found = await locator.LocateAsync([.. content.Segments], cancellationToken);

        Assert.That(found.Single(), Is.Empty, "nobody holds the segment");
        (string[] ids, IPAddress source) = seen.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(source, Is.EqualTo(IPAddress.Parse("127.0.0.77")), "the Probe left from the configured source address");
            Assert.That(ids, Is.EqualTo(new[] { Convert.ToHexString(content.Segments[0].SegmentId.Span) }));
            Assert.That(responder.Statistics.RepliesSent, Is.Zero);
        }
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task ReplyHistory_TheNodesOwnProbeMatch_IsNotCounted(CancellationToken cancellationToken)
    {
        // A node's responder answers its own Probes. Counted, ten lookups of a segment only it holds would make it suppress
        // every later answer for that segment (the Windows rule), and nobody could find it there.
        LoopbackMulticast.Require();
        int port = LoopbackMulticast.FreePort();
        TestContent content = TestContent.Create(2 * 65536, ContentInformationVersion.V1, seed: 43);
        using var cache = new MemoryContentCache();
        ContentSegment segment = content.Segments[0];
        Assert.That(cache.RegisterSegment(segment), Is.True);
        for (int i = 0; i < segment.BlockCount; i++)
        {
            Assert.That(cache.PutBlock(segment.SegmentId.Span, i, content.Block(segment, i).Span), Is.EqualTo(BlockPutResult.Stored));
        }

        var self = new IPEndPoint(IPAddress.Parse("127.0.0.61"), 80);
        var history = new DiscoveryReplyHistory();
        await using var responder = new DiscoveryResponderService(cache, new DiscoveryResponderServiceOptions
        {
            Channel = LoopbackMulticast.Listener(port),
            Responder = new PccrdResponderOptions { XAddrs = [self] },
            ReplyHistory = history,
        });
        responder.Start();
        await using var locator = new DiscoveryPeerLocator(new DiscoveryPeerLocatorOptions
        {
            Channel = LoopbackMulticast.Prober(port),
            Prober = new PccrdProberOptions { Window = TimeSpan.FromMilliseconds(300), LocalNetworks = [IPNetwork.Parse("127.0.0.0/8")] },
            ExcludedEndPoints = [self],
            ReplyHistory = history,
            CompleteEarly = false,
        });

        for (int i = 0; i < 3; i++)
        {
            Assert.That((await locator.LocateAsync([segment], cancellationToken)).Single(), Is.Empty);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(responder.Statistics.RepliesSent, Is.GreaterThanOrEqualTo(3), "the node did answer itself");
            Assert.That(history.Get(segment.SegmentId.Span), Is.EqualTo((0, 0)));
        }
    }
}
