using System.Net;
using System.Text;
using PeerDist.Caching;
using PeerDist.Content;
using PeerDist.Discovery;
using PeerDist.Tests.Caching;
using PeerDist.Tests.Shared;
using PeerDist.Transport.Udp;

namespace PeerDist.Tests.Discovery;

/// <summary>
/// MS-PCCRD end to end over real IPv4 multicast on the loopback interface only: <see cref="DiscoveryResponderService"/>
/// nodes over <see cref="MemoryContentCache"/>s and a <see cref="DiscoveryPeerLocator"/> find each other; silence when the
/// segment is not held; malformed datagrams are counted and the loop goes on. Every test uses its own free port.
/// </summary>
[Category("Socket")]
[NonParallelizable]
public sealed class DiscoveryOverLoopbackTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(500);

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

    // These tests count every reply of the window (and the responders' counters after it), so they wait it out;
    // DiscoveryCompleteEarlyTests covers the early answer.
    private static DiscoveryPeerLocator CreateLocator(int port, DiscoveryReplyHistory? history = null, EndPoint[]? excluded = null) => new(new DiscoveryPeerLocatorOptions
    {
        Channel = LoopbackMulticast.Prober(port),
        Prober = new PccrdProberOptions { Window = Window, LocalNetworks = [IPNetwork.Parse("127.0.0.0/8")] },
        CompleteEarly = false,
        ReplyHistory = history,
        ExcludedEndPoints = excluded ?? [],
    });

    /// <summary>A cache holding every block of <paramref name="content"/> (or only those <paramref name="hold"/> picks).</summary>
    private static MemoryContentCache Fill(TestContent content, Func<ContentSegment, int, bool>? hold = null, int? onlySegment = null)
    {
        var cache = new MemoryContentCache();
        foreach (ContentSegment segment in content.Segments)
        {
            if (onlySegment is { } only && segment.Index != only)
            {
                continue;
            }

            Assert.That(cache.RegisterSegment(segment), Is.True);
            for (int i = 0; i < segment.BlockCount; i++)
            {
                if (hold is null || hold(segment, i))
                {
                    Assert.That(cache.PutBlock(segment.SegmentId.Span, i, content.Block(segment, i).Span), Is.EqualTo(BlockPutResult.Stored));
                }
            }
        }

        return cache;
    }

    [TestCase(ContentInformationVersion.V1)]
    [TestCase(ContentInformationVersion.V2)]
    [CancelAfter(20_000)]
    public async Task LocateAsync_ResponderHoldsSegment_FindsItsPccrrEndpoint(ContentInformationVersion version, CancellationToken cancellationToken)
    {
        LoopbackMulticast.Require();
        int port = LoopbackMulticast.FreePort();
        TestContent content = TestContent.Create(3 * 64 * 1024 + 100, version, seed: 11);
        using MemoryContentCache cache = Fill(content);
        var xAddr = new IPEndPoint(IPAddress.Loopback, 18080);
        await using DiscoveryResponderService responder = StartResponder(cache, port, xAddr);
        await using DiscoveryPeerLocator locator = CreateLocator(port);

        IReadOnlyList<IReadOnlyList<EndPoint>> peers = await locator.LocateAsync(content.Segments, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(peers, Has.Count.EqualTo(content.Segments.Count));
            Assert.That(peers, Has.All.EqualTo(new EndPoint[] { xAddr }));
            Assert.That(responder.Statistics.RepliesSent, Is.GreaterThanOrEqualTo(1));
            Assert.That(locator.Prober.Statistics.Accepted, Is.GreaterThanOrEqualTo(1));
        });
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task LocateAsync_TwoResponders_BothFound(CancellationToken cancellationToken)
    {
        LoopbackMulticast.Require();
        int port = LoopbackMulticast.FreePort();
        TestContent content = TestContent.Create(4 * 64 * 1024, ContentInformationVersion.V1, seed: 12);
        using MemoryContentCache partial = Fill(content, hold: static (_, block) => block % 2 == 0);
        using MemoryContentCache full = Fill(content);
        var partialXAddr = new IPEndPoint(IPAddress.Loopback, 18081);
        var fullXAddr = new IPEndPoint(IPAddress.Parse("127.0.0.2"), 18082);
        await using DiscoveryResponderService first = StartResponder(partial, port, partialXAddr);
        await using DiscoveryResponderService second = StartResponder(full, port, fullXAddr);
        var history = new DiscoveryReplyHistory();
        await using DiscoveryPeerLocator locator = CreateLocator(port, history);

        IReadOnlyList<IReadOnlyList<EndPoint>> peers = await locator.LocateAsync(content.Segments, cancellationToken);

        Assert.That(peers.Single(), Is.EquivalentTo(new EndPoint[] { partialXAddr, fullXAddr }));
        Assert.That(locator.Prober.Statistics.Accepted, Is.EqualTo(2));
        Assert.That(history.Get(content.Segments[0].SegmentId.Span), Is.EqualTo((2, 1)), "two replies, one of them with all 4 blocks");
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task LocateAsync_ResponderWithoutTheSegment_StaysSilent(CancellationToken cancellationToken)
    {
        LoopbackMulticast.Require();
        int port = LoopbackMulticast.FreePort();
        TestContent wanted = TestContent.Create(64 * 1024, ContentInformationVersion.V1, seed: 13);
        TestContent other = TestContent.Create(64 * 1024, ContentInformationVersion.V1, seed: 14);
        using MemoryContentCache cache = Fill(other);
        using MemoryContentCache registeredOnly = Fill(wanted, hold: static (_, _) => false); // metadata but no block
        await using DiscoveryResponderService holder = StartResponder(cache, port, new IPEndPoint(IPAddress.Loopback, 18083));
        await using DiscoveryResponderService empty = StartResponder(registeredOnly, port, new IPEndPoint(IPAddress.Loopback, 18084));
        await using DiscoveryPeerLocator locator = CreateLocator(port);

        IReadOnlyList<IReadOnlyList<EndPoint>> peers = await locator.LocateAsync(wanted.Segments, cancellationToken);
        IReadOnlyList<IReadOnlyList<EndPoint>> control = await locator.LocateAsync(other.Segments, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(peers.Single(), Is.Empty);
            Assert.That(control.Single(), Is.EqualTo(new EndPoint[] { new IPEndPoint(IPAddress.Loopback, 18083) }), "the same network does carry answers");
            Assert.That(holder.Statistics.Responder.NotHeld, Is.EqualTo(1));
            Assert.That(empty.Statistics.Responder.NotHeld, Is.EqualTo(2));
            Assert.That(empty.Statistics.RepliesSent, Is.Zero);
            Assert.That(locator.Prober.Statistics.Accepted, Is.EqualTo(1));
        });
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task Responder_MalformedDatagrams_CountedAndLoopKeepsAnswering(CancellationToken cancellationToken)
    {
        LoopbackMulticast.Require();
        int port = LoopbackMulticast.FreePort();
        TestContent content = TestContent.Create(64 * 1024, ContentInformationVersion.V1, seed: 15);
        using MemoryContentCache cache = Fill(content);
        var xAddr = new IPEndPoint(IPAddress.Loopback, 18085);
        await using DiscoveryResponderService responder = StartResponder(cache, port, xAddr);
        await using (UdpMulticastChannel raw = UdpMulticastChannel.Open(LoopbackMulticast.Prober(port)))
        {
            await raw.SendMulticastAsync(Encoding.UTF8.GetBytes("<?xml version=\"1.0\"?><soap:Envelope"), cancellationToken);
            await raw.SendMulticastAsync(new byte[] { 0xFF, 0xFE, 0x00, 0x3C }, cancellationToken);
            await raw.SendMulticastAsync(Encoding.UTF8.GetBytes("<!DOCTYPE a [<!ENTITY b SYSTEM \"file:///etc/passwd\">]><a>&b;</a>"), cancellationToken);
        }

        while (responder.Statistics.Responder.Malformed < 3)
        {
            await Task.Delay(10, cancellationToken);
        }

        await using DiscoveryPeerLocator locator = CreateLocator(port);
        IReadOnlyList<IReadOnlyList<EndPoint>> peers = await locator.LocateAsync(content.Segments, cancellationToken);

        Assert.That(peers.Single(), Is.EqualTo(new EndPoint[] { xAddr }));
        Assert.That((responder.Statistics.Responder.Malformed, responder.Statistics.RepliesSent), Is.EqualTo((3L, 1L)));
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task LocateAsync_MoreThan255Segments_SplitsIntoSeveralProbes(CancellationToken cancellationToken)
    {
        LoopbackMulticast.Require();
        int port = LoopbackMulticast.FreePort();
        // V2 segments are small (content-defined, at most 128 KiB), so 300 of them need two Probes.
        TestContent content = TestContent.Create(300 * 128 * 1024, ContentInformationVersion.V2, seed: 16);
        Assume.That(content.Segments, Has.Count.GreaterThan(255));
        using MemoryContentCache cache = Fill(content);
        var xAddr = new IPEndPoint(IPAddress.Loopback, 18086);
        await using DiscoveryResponderService responder = StartResponder(cache, port, xAddr);
        await using DiscoveryPeerLocator locator = CreateLocator(port);

        IReadOnlyList<IReadOnlyList<EndPoint>> peers = await locator.LocateAsync(content.Segments, cancellationToken);

        Assert.That(peers, Has.All.EqualTo(new EndPoint[] { xAddr }));
        Assert.That(locator.Prober.Statistics.Probes, Is.EqualTo((content.Segments.Count + 254) / 255));
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task LocateAsync_NetworkUnusable_ReturnsEmptyListsWithoutThrowing(CancellationToken cancellationToken)
    {
        TestContent content = TestContent.Create(64 * 1024, ContentInformationVersion.V1, seed: 17);
        // IPv6 only, through an interface index that does not exist: nothing can be sent anywhere.
        await using var locator = new DiscoveryPeerLocator(new DiscoveryPeerLocatorOptions
        {
            Channel = new UdpMulticastChannelOptions
            {
                Port = LoopbackMulticast.FreePort(),
                Interfaces = [new UdpMulticastInterface(0x3FFF_FFF0)],
                JoinGroups = false,
                UseIPv4 = false,
            },
            Prober = new PccrdProberOptions { LocalNetworks = [IPNetwork.Parse("::1/128")] },
        });

        IReadOnlyList<IReadOnlyList<EndPoint>> peers = await locator.LocateAsync(content.Segments, cancellationToken);

        Assert.That(peers.Single(), Is.Empty);
        Assert.That(locator.NetworkErrors, Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task LocateAsync_Cancelled_Throws(CancellationToken cancellationToken)
    {
        LoopbackMulticast.Require();
        TestContent content = TestContent.Create(64 * 1024, ContentInformationVersion.V1, seed: 18);
        await using DiscoveryPeerLocator locator = CreateLocator(LoopbackMulticast.FreePort());
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(50);

        Assert.That(async () => await locator.LocateAsync(content.Segments, cts.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(locator.Prober.OutstandingCount, Is.Zero, "a cancelled probe leaves nothing outstanding");
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task Responder_ReplyWaitsItsBackOffOnTheInjectedClock(CancellationToken cancellationToken)
    {
        LoopbackMulticast.Require();
        int port = LoopbackMulticast.FreePort();
        TestContent content = TestContent.Create(64 * 1024, ContentInformationVersion.V1, seed: 20);
        using MemoryContentCache cache = Fill(content);
        var clock = new ManualTimeProvider();
        var xAddr = new IPEndPoint(IPAddress.Loopback, 18088);
        await using var responder = new DiscoveryResponderService(cache, new DiscoveryResponderServiceOptions
        {
            Channel = LoopbackMulticast.Listener(port),
            Responder = new PccrdResponderOptions { XAddrs = [xAddr], TimeProvider = clock, Random = new Random(4) },
        });
        responder.Start();
        await using var locator = new DiscoveryPeerLocator(new DiscoveryPeerLocatorOptions
        {
            Channel = LoopbackMulticast.Prober(port),
            Prober = new PccrdProberOptions { Window = TimeSpan.FromSeconds(3), LocalNetworks = [IPNetwork.Parse("127.0.0.0/8")] },
        });

        Task<IReadOnlyList<IReadOnlyList<EndPoint>>> locate = locator.LocateAsync(content.Segments, cancellationToken).AsTask();
        while (responder.Statistics.Responder.Replies == 0)
        {
            await Task.Delay(5, cancellationToken);
        }

        await Task.Delay(200, cancellationToken);
        long sentBeforeTheClockMoves = responder.Statistics.RepliesSent;
        clock.Advance(PccrdBackoff.DefaultMaxDelay);
        IReadOnlyList<IReadOnlyList<EndPoint>> peers = await locate;

        Assert.That(sentBeforeTheClockMoves, Is.Zero, "the reply waits for the back-off timer (MS-PCCRD 3.2.4.1)");
        Assert.That(peers.Single(), Is.EqualTo(new EndPoint[] { xAddr }));
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task LocateAsync_OwnEndpointExcluded_NotReturned(CancellationToken cancellationToken)
    {
        LoopbackMulticast.Require();
        int port = LoopbackMulticast.FreePort();
        TestContent content = TestContent.Create(64 * 1024, ContentInformationVersion.V1, seed: 25);
        using MemoryContentCache cache = Fill(content);
        var own = new IPEndPoint(IPAddress.Loopback, 18089);
        await using DiscoveryResponderService responder = StartResponder(cache, port, own);
        await using DiscoveryPeerLocator locator = CreateLocator(port, excluded: [new IPEndPoint(IPAddress.Loopback, 18089)]);

        IReadOnlyList<IReadOnlyList<EndPoint>> peers = await locator.LocateAsync(content.Segments, cancellationToken);

        Assert.That(peers.Single(), Is.Empty);
        Assert.That(locator.Prober.Statistics.Accepted, Is.EqualTo(1), "the reply arrived and was left out on purpose");
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task Responder_SegmentManyOthersHoldInFull_SuppressesItsReply(CancellationToken cancellationToken)
    {
        LoopbackMulticast.Require();
        int port = LoopbackMulticast.FreePort();
        TestContent content = TestContent.Create(2 * 64 * 1024, ContentInformationVersion.V1, seed: 26);
        using MemoryContentCache cache = Fill(content);
        var history = new DiscoveryReplyHistory();
        history.Add(content.Segments[0].SegmentId.Span, 10, 10); // wire.md §2.5: n = 10 replies, all full => never answer
        await using var responder = new DiscoveryResponderService(cache, new DiscoveryResponderServiceOptions
        {
            Channel = LoopbackMulticast.Listener(port),
            Responder = new PccrdResponderOptions { XAddrs = [new IPEndPoint(IPAddress.Loopback, 18090)] },
            ReplyHistory = history,
        });
        responder.Start();
        await using DiscoveryPeerLocator locator = CreateLocator(port);

        IReadOnlyList<IReadOnlyList<EndPoint>> peers = await locator.LocateAsync(content.Segments, cancellationToken);

        Assert.That(peers.Single(), Is.Empty);
        Assert.That((responder.Statistics.Responder.Suppressed, responder.Statistics.RepliesSent), Is.EqualTo((1L, 0L)));
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task StopAsync_ThenStartAgain_AnswersAgain(CancellationToken cancellationToken)
    {
        LoopbackMulticast.Require();
        int port = LoopbackMulticast.FreePort();
        TestContent content = TestContent.Create(64 * 1024, ContentInformationVersion.V1, seed: 19);
        using MemoryContentCache cache = Fill(content);
        var xAddr = new IPEndPoint(IPAddress.Loopback, 18087);
        await using DiscoveryResponderService responder = StartResponder(cache, port, xAddr);
        await using DiscoveryPeerLocator locator = CreateLocator(port);

        await responder.StopAsync();
        IReadOnlyList<IReadOnlyList<EndPoint>> stopped = await locator.LocateAsync(content.Segments, cancellationToken);
        responder.Start();
        IReadOnlyList<IReadOnlyList<EndPoint>> restarted = await locator.LocateAsync(content.Segments, cancellationToken);

        Assert.That((stopped.Single().Count, restarted.Single().Count), Is.EqualTo((0, 1)));
        Assert.That(() => responder.Start(), Throws.InvalidOperationException);
    }
}
