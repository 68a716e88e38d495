using System.Diagnostics;
using System.Net;
using PeerDist.Caching;
using PeerDist.Content;
using PeerDist.Discovery;
using PeerDist.Tests.Caching;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Discovery;

/// <summary>
/// <see cref="DiscoveryPeerLocatorOptions.CompleteEarly"/> over real IPv4 multicast on the loopback interface only: the
/// locator answers as soon as every segment asked has a reply from a peer with all of it, and waits the whole window
/// otherwise. The windows are long (seconds) next to the responders' back-off (at most 65 ms), so an early answer cannot
/// come from the window ending and a full wait cannot pass for an early one.
/// </summary>
[Category("Socket")]
[NonParallelizable]
public sealed class DiscoveryCompleteEarlyTests
{
    private static readonly TimeSpan LongWindow = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ShortWindow = TimeSpan.FromMilliseconds(800);
    private static readonly TimeSpan Early = TimeSpan.FromSeconds(1);

    // The whole short window, less a margin: the runtime's timers may fire a millisecond or two early. Still far above an
    // early answer (at most the 65 ms back-off plus scheduling).
    private static readonly TimeSpan WholeShortWindow = ShortWindow - TimeSpan.FromMilliseconds(50);

    private static DiscoveryResponderService StartResponder(ContentCache cache, int port, IPEndPoint xAddr)
    {
        var service = new DiscoveryResponderService(cache, new DiscoveryResponderServiceOptions
        {
            Channel = LoopbackMulticast.Listener(port),
            Responder = new PccrdResponderOptions { XAddrs = [xAddr] },
        });
        service.Start();
        return service;
    }

    private static DiscoveryPeerLocator CreateLocator(int port, TimeSpan window, bool completeEarly = true, DiscoveryReplyHistory? history = null) => new(new DiscoveryPeerLocatorOptions
    {
        Channel = LoopbackMulticast.Prober(port),
        Prober = new PccrdProberOptions { Window = window, LocalNetworks = [IPNetwork.Parse("127.0.0.0/8")] },
        CompleteEarly = completeEarly,
        ReplyHistory = history,
    });

    /// <summary>A cache holding the blocks <paramref name="hold"/> picks (segment, block index) of <paramref name="content"/>.</summary>
    private static MemoryContentCache Fill(TestContent content, Func<ContentSegment, int, bool> hold)
    {
        var cache = new MemoryContentCache();
        foreach (ContentSegment segment in content.Segments)
        {
            Assert.That(cache.RegisterSegment(segment), Is.True);
            for (int i = 0; i < segment.BlockCount; i++)
            {
                if (hold(segment, i))
                {
                    Assert.That(cache.PutBlock(segment.SegmentId.Span, i, content.Block(segment, i).Span), Is.EqualTo(BlockPutResult.Stored));
                }
            }
        }

        return cache;
    }

    private static async Task<(IReadOnlyList<IReadOnlyList<EndPoint>> Peers, TimeSpan Elapsed)> TimedLocateAsync(
        DiscoveryPeerLocator locator, IReadOnlyList<ContentSegment> segments, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        IReadOnlyList<IReadOnlyList<EndPoint>> peers = await locator.LocateAsync(segments, cancellationToken);
        return (peers, clock.Elapsed);
    }

    [TestCase(ContentInformationVersion.V1)]
    [TestCase(ContentInformationVersion.V2)]
    [CancelAfter(30_000)]
    public async Task LocateAsync_CompleteHolderAnswers_ReturnsLongBeforeTheWindow(ContentInformationVersion version, CancellationToken cancellationToken)
    {
        LoopbackMulticast.Require();
        int port = LoopbackMulticast.FreePort();
        TestContent content = TestContent.Create(3 * 64 * 1024 + 100, version, seed: 41);
        using MemoryContentCache cache = Fill(content, static (_, _) => true);
        var xAddr = new IPEndPoint(IPAddress.Loopback, 18101);
        await using DiscoveryResponderService responder = StartResponder(cache, port, xAddr);
        await using DiscoveryPeerLocator locator = CreateLocator(port, LongWindow);

        (IReadOnlyList<IReadOnlyList<EndPoint>> peers, TimeSpan elapsed) = await TimedLocateAsync(locator, content.Segments, cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(peers, Has.Count.EqualTo(content.Segments.Count).And.All.EqualTo(new EndPoint[] { xAddr }));
            Assert.That(elapsed, Is.LessThan(Early), "every segment had a holder of all its blocks: no reason to wait out the 5 s window");
        }

        TestContext.Out.WriteLine($"{version}: answered after {elapsed.TotalMilliseconds:F1} ms (window {LongWindow.TotalMilliseconds} ms)");
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task LocateAsync_OnlyPartialHolder_WaitsTheWholeWindow(CancellationToken cancellationToken)
    {
        LoopbackMulticast.Require();
        int port = LoopbackMulticast.FreePort();
        // Version 1.0: the reply's block count (1 of 4) says the peer holds part of the segment. (A version 2.0 segment
        // here is one block, so it is held whole or not at all.)
        TestContent content = TestContent.Create(4 * 64 * 1024, ContentInformationVersion.V1, seed: 42);
        ContentSegment segment = content.Segments.Single();
        Assert.That(segment.BlockCount, Is.EqualTo(4));
        using MemoryContentCache cache = Fill(content, (s, block) => s.Index == 0 && block == 0);
        var xAddr = new IPEndPoint(IPAddress.Loopback, 18102);
        await using DiscoveryResponderService responder = StartResponder(cache, port, xAddr);
        await using DiscoveryPeerLocator locator = CreateLocator(port, ShortWindow);

        (IReadOnlyList<IReadOnlyList<EndPoint>> peers, TimeSpan elapsed) = await TimedLocateAsync(locator, [segment], cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(peers.Single(), Is.EqualTo(new EndPoint[] { xAddr }), "the partial holder did answer");
            Assert.That(locator.Prober.Statistics.Accepted, Is.EqualTo(1));
            Assert.That(elapsed, Is.GreaterThanOrEqualTo(WholeShortWindow), "a holder of all blocks could still have answered");
        }
    }

    [TestCase(ContentInformationVersion.V1)]
    [TestCase(ContentInformationVersion.V2)]
    [CancelAfter(60_000)]
    public async Task LocateAsync_TwoSegmentsOnlyOneWithACompleteHolder_WaitsTheWholeWindow(ContentInformationVersion version, CancellationToken cancellationToken)
    {
        LoopbackMulticast.Require();
        int port = LoopbackMulticast.FreePort();
        // Version 1.0: 32 MiB segments, so the second segment is the last two blocks, of which the responder holds one.
        // Version 2.0: small one-block segments, so the responder simply does not hold the second one.
        int length = version == ContentInformationVersion.V1 ? (32 * 1024 * 1024) + (2 * 64 * 1024) : 8 * 64 * 1024;
        TestContent content = TestContent.Create(length, version, seed: 43);
        Assert.That(content.Segments, Has.Count.GreaterThanOrEqualTo(2));
        ContentSegment whole = content.Segments[0], other = content.Segments[1];
        bool partial = version == ContentInformationVersion.V1;
        if (partial)
        {
            Assert.That(other.BlockCount, Is.EqualTo(2));
        }

        using MemoryContentCache cache = Fill(content, (s, block) => s.Index == whole.Index || (partial && s.Index == other.Index && block == 0));
        var xAddr = new IPEndPoint(IPAddress.Loopback, 18103);
        await using DiscoveryResponderService responder = StartResponder(cache, port, xAddr);
        await using DiscoveryPeerLocator locator = CreateLocator(port, ShortWindow);

        (IReadOnlyList<IReadOnlyList<EndPoint>> peers, TimeSpan elapsed) = await TimedLocateAsync(locator, [whole, other], cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(peers[0], Is.EqualTo(new EndPoint[] { xAddr }));
            Assert.That(peers[1], Is.EqualTo(partial ? new EndPoint[] { xAddr } : []), "one reply names what the responder holds");
            Assert.That(elapsed, Is.GreaterThanOrEqualTo(WholeShortWindow), "the second segment has no holder of all its blocks yet");
        }
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task LocateAsync_CompleteEarlyOff_WaitsTheWholeWindowDespiteACompleteHolder(CancellationToken cancellationToken)
    {
        LoopbackMulticast.Require();
        int port = LoopbackMulticast.FreePort();
        TestContent content = TestContent.Create(64 * 1024, ContentInformationVersion.V1, seed: 44);
        using MemoryContentCache cache = Fill(content, static (_, _) => true);
        var xAddr = new IPEndPoint(IPAddress.Loopback, 18104);
        await using DiscoveryResponderService responder = StartResponder(cache, port, xAddr);
        await using DiscoveryPeerLocator locator = CreateLocator(port, ShortWindow, completeEarly: false);

        (IReadOnlyList<IReadOnlyList<EndPoint>> peers, TimeSpan elapsed) = await TimedLocateAsync(locator, content.Segments, cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(peers.Single(), Is.EqualTo(new EndPoint[] { xAddr }));
            Assert.That(elapsed, Is.GreaterThanOrEqualTo(WholeShortWindow));
        }
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task LocateAsync_CancelledWhileWaiting_ThrowsAndLeavesNothingOutstanding(CancellationToken cancellationToken)
    {
        LoopbackMulticast.Require();
        int port = LoopbackMulticast.FreePort();
        TestContent content = TestContent.Create(4 * 64 * 1024, ContentInformationVersion.V1, seed: 45);
        using MemoryContentCache cache = Fill(content, static (_, block) => block == 0); // a partial holder: the wait goes on
        await using DiscoveryResponderService responder = StartResponder(cache, port, new IPEndPoint(IPAddress.Loopback, 18105));
        await using DiscoveryPeerLocator locator = CreateLocator(port, LongWindow);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();

        Assert.That(async () => await locator.LocateAsync(content.Segments, cts.Token), Throws.InstanceOf<OperationCanceledException>());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(clock.Elapsed, Is.LessThan(LongWindow - TimeSpan.FromSeconds(2)), "cancellation ends the wait, not the window");
            Assert.That(locator.Prober.OutstandingCount, Is.Zero, "a cancelled probe leaves nothing outstanding");
        }
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task LocateAsync_EarlyAnswer_ListGrowsAndReplyHistoryCountsEveryReplyOfTheWindow(CancellationToken cancellationToken)
    {
        LoopbackMulticast.Require();
        int port = LoopbackMulticast.FreePort();
        TestContent content = TestContent.Create(64 * 1024, ContentInformationVersion.V1, seed: 46);
        using MemoryContentCache first = Fill(content, static (_, _) => true);
        using MemoryContentCache second = Fill(content, static (_, _) => true);
        var aXAddr = new IPEndPoint(IPAddress.Loopback, 18106);
        var bXAddr = new IPEndPoint(IPAddress.Parse("127.0.0.2"), 18107);
        await using DiscoveryResponderService a = StartResponder(first, port, aXAddr);
        await using DiscoveryResponderService b = StartResponder(second, port, bXAddr);
        var history = new DiscoveryReplyHistory();
        TimeSpan window = TimeSpan.FromSeconds(3);
        await using DiscoveryPeerLocator locator = CreateLocator(port, window, history: history);
        ReadOnlyMemory<byte> id = content.Segments[0].SegmentId;

        (IReadOnlyList<IReadOnlyList<EndPoint>> peers, TimeSpan elapsed) = await TimedLocateAsync(locator, content.Segments, cancellationToken);
        EndPoint[] listedAtOnce = [.. peers.Single()];
        (int, int) recordedAtOnce = history.Get(id.Span);
        int outstandingAtOnce = locator.Prober.OutstandingCount;
        while (history.Get(id.Span) == (0, 0))
        {
            await Task.Delay(20, cancellationToken); // recorded when the window ends, in the background
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(elapsed, Is.LessThan(Early));
            Assert.That(listedAtOnce, Is.Not.Empty.And.SubsetOf(new EndPoint[] { aXAddr, bXAddr }));
            Assert.That(peers.Single(), Is.EquivalentTo(new EndPoint[] { aXAddr, bXAddr }), "the later reply was appended to the list handed out");
            Assert.That((recordedAtOnce, outstandingAtOnce), Is.EqualTo(((0, 0), 1)), "the Probe stays open for the rest of the window");
            Assert.That(history.Get(id.Span), Is.EqualTo((2, 2)), "both replies counted, both with the whole segment (wire.md §2.5)");
            Assert.That(locator.Prober.OutstandingCount, Is.Zero);
        }
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task LocateAsync_V1PartialAndCompleteHolders_CompleteOneFirst(CancellationToken cancellationToken)
    {
        LoopbackMulticast.Require();
        int port = LoopbackMulticast.FreePort();
        TestContent content = TestContent.Create(4 * 64 * 1024, ContentInformationVersion.V1, seed: 47);
        using MemoryContentCache partial = Fill(content, static (_, block) => block % 2 == 0);
        using MemoryContentCache full = Fill(content, static (_, _) => true);
        var partialXAddr = new IPEndPoint(IPAddress.Loopback, 18108);
        var fullXAddr = new IPEndPoint(IPAddress.Parse("127.0.0.2"), 18109);
        await using DiscoveryResponderService first = StartResponder(partial, port, partialXAddr);
        await using DiscoveryResponderService second = StartResponder(full, port, fullXAddr);
        await using DiscoveryPeerLocator locator = CreateLocator(port, ShortWindow, completeEarly: false);

        IReadOnlyList<IReadOnlyList<EndPoint>> peers = await locator.LocateAsync(content.Segments, cancellationToken);

        // MS-PCCRD 2.2.3.9: the version 1.0 reply says how many blocks the peer holds; 4 of 4 is the whole segment.
        Assert.That(peers.Single(), Is.EqualTo(new EndPoint[] { fullXAddr, partialXAddr }));
    }
}
