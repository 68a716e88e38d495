using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using PeerDist.Caching;
using PeerDist.Client;
using PeerDist.Content;
using PeerDist.Peer;
using PeerDist.Retrieval;
using PeerDist.Retrieval.Client;
using PeerDist.Retrieval.Server;
using PeerDist.Tests.Caching;
using PeerDist.Tests.Shared;
using PeerDist.Transport.Http;

namespace PeerDist.Tests.Client;

/// <summary>
/// The download client against misbehaving peers over real loopback sockets (issue 4 §4 "Faults"): peers that lie,
/// stall, disconnect mid-block, answer slowly, answer busy or missing; a failing locator; cancellation; and the client-wide
/// bound on blocks in flight. Every byte delivered must be correct and the download must complete via the other peers or
/// the origin; the statistics and the per-peer request counts pin down how.
/// </summary>
/// <remarks>
/// Reads that must be deterministic are shaped so: a whole range is read in one call with enough slots for all its blocks,
/// so the client sends every first request before it hears any answer (a faulty peer also holds its answers until
/// <see cref="FaultyPeerHandler.HoldUntilRequests"/> requests have arrived), or blocks are read one at a time.
/// </remarks>
[Category("Socket")]
[CancelAfter(15_000)]
public sealed class PeerDistClientFaultTests
{
    /// <summary>V1: one segment of 17 blocks (the last one 1000 bytes).</summary>
    private static readonly TestContent s_v1 = TestContent.Create((16 * PeerDistConstants.BlockSize) + 1000, ContentInformationVersion.V1, seed: 71);

    /// <summary>V2: several segments (one block each) of at most 128 KiB.</summary>
    private static readonly TestContent s_v2 = TestContent.Create(1_000_000, ContentInformationVersion.V2, seed: 72);

    /// <summary>The peer request timeout of the stall tests: short, yet far above a warm loopback exchange.</summary>
    private static readonly TimeSpan s_shortTimeout = TimeSpan.FromMilliseconds(400);

    /// <summary>
    /// Runs one download of each content through the whole stack first, so that JIT compilation does not make the first
    /// honest exchange of a short-timeout test time out.
    /// </summary>
    [OneTimeSetUp]
    public async Task WarmUp()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using FaultPeer peer = FaultPeer.Start([s_v1, s_v2]);
        using var cache = new MemoryContentCache();
        await using PeerDistClient client = NewClient(cache, new StaticPeerLocator([peer.EndPoint]));
        foreach (TestContent data in new[] { s_v1, s_v2 })
        {
            await using PeerDistContent content = client.OpenContent(data.Information);
            await content.DownloadAsync(timeout.Token);
        }
    }

    [TestCase(PeerLie.FlipBit, ContentInformationVersion.V1)]
    [TestCase(PeerLie.WrongBlockIndex, ContentInformationVersion.V1)]
    [TestCase(PeerLie.WrongLength, ContentInformationVersion.V1)]
    [TestCase(PeerLie.FlipBit, ContentInformationVersion.V2)]
    [TestCase(PeerLie.WrongBlockIndex, ContentInformationVersion.V2)]
    [TestCase(PeerLie.WrongLength, ContentInformationVersion.V2)]
    public async Task ReadAsync_PeerLies_EveryAnswerRejectedLiarExcludedAfterThreeRestFromHonestPeerAndOrigin(
        PeerLie lie,
        ContentInformationVersion version,
        CancellationToken cancellationToken)
    {
        TestContent data = Content(version);
        await using FaultPeer liar = FaultPeer.Start(data);
        await using FaultPeer honest = FaultPeer.Start(data, hold: (segment, block) => segment.GetBlockRange(block).Start < Split(data));
        liar.Handler.Lie = lie;
        liar.Handler.HoldUntilRequests = PeerDistClientOptions.DefaultPeerFailureLimit;
        using var cache = new MemoryContentCache();
        var origin = new MemoryOrigin(data.Bytes);
        await using PeerDistClient client = NewClient(cache, new StaticPeerLocator([liar.EndPoint, honest.EndPoint]));
        await using PeerDistContent content = client.OpenContent(data.Information, origin);
        long split = Split(data);
        int firstBlocks = BlockCount(data, ContentRange.FromBounds(0, split));
        int lastBlocks = BlockCount(data, ContentRange.FromBounds(split, data.Bytes.Length));
        byte[] buffer = new byte[data.Bytes.Length];

        await content.ReadAsync(0, buffer.AsMemory(0, (int)split), cancellationToken);
        PeerDistContentStatistics first = content.GetStatistics();
        int liarRequests = liar.Requests;
        int honestRequests = honest.Requests;
        await content.ReadAsync(split, buffer.AsMemory((int)split), cancellationToken);
        PeerDistContentStatistics second = content.GetStatistics();

        using (Assert.EnterMultipleScope())
        {
            ByteAssert.AreEqual(buffer, data.Bytes, "content");
            Assert.That(liarRequests, Is.GreaterThanOrEqualTo(client.Options.PeerFailureLimit), "the liar was asked for its rotation share at once");
            Assert.That(liar.Handler.LiesTold, Is.EqualTo(liarRequests), "every answer of the liar was a lie");
            Assert.That(first.BlocksRejected, Is.EqualTo(liarRequests), "each lie rejected");
            Assert.That(first.BlocksRetried, Is.EqualTo(liarRequests), "each rejected block asked again of the honest peer");
            Assert.That(first.PeersExcluded, Is.EqualTo(1));
            Assert.That(first.BytesByPeer.ContainsKey(liar.EndPoint), Is.False, "nothing counted from the liar");
            Assert.That(first.BytesByPeer[honest.EndPoint], Is.EqualTo(split));
            Assert.That(first.BytesFromOrigin, Is.Zero);
            Assert.That(honestRequests, Is.EqualTo(firstBlocks), "each block of the first read asked of the honest peer once");

            // Excluded: the second read never asks the liar.
            Assert.That(liar.Requests, Is.EqualTo(liarRequests), "requests to the liar after its exclusion (the honest peer lacks the second part, so only exclusion keeps the liar out)");
            Assert.That(second.BytesByPeer[honest.EndPoint], Is.EqualTo(split), "the honest peer holds only the first part");
            Assert.That(second.BlocksRejected, Is.EqualTo(first.BlocksRejected));
            Assert.That(second.BlocksRetried, Is.EqualTo(first.BlocksRetried + lastBlocks), "second part: honest peer (missing), then straight to the origin");
            Assert.That(second.BytesFromOrigin, Is.EqualTo(data.Bytes.Length - split));
            Assert.That(origin.Requests.Sum(r => r.Length), Is.EqualTo(data.Bytes.Length - split));
            Assert.That(cache.GetStatistics().BlockCount, Is.EqualTo(BlockCount(data, data.Information.Range)), "every verified block cached");
        }
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task ReadAsync_BlocksQueuedForFewSlots_NoRequestReachesFaultyPeerAfterItsExclusion(bool stall, CancellationToken cancellationToken)
    {
        // Two slots for 17 blocks: most blocks wait for a slot; by the time they get one the faulty peer has failed 3 times.
        TestContent data = s_v1;
        await using FaultPeer faulty = FaultPeer.Start(data);
        await using FaultPeer honest = FaultPeer.Start(data);
        if (stall)
        {
            faulty.Handler.Stall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        else
        {
            faulty.Handler.Lie = PeerLie.FlipBit;
        }

        using var cache = new MemoryContentCache();
        const int Slots = 2;
        await using PeerDistClient client = NewClient(cache, new StaticPeerLocator([faulty.EndPoint, honest.EndPoint]), timeout: stall ? s_shortTimeout : TimeSpan.FromSeconds(2), maxBlocksInFlight: Slots);
        await using PeerDistContent content = client.OpenContent(data.Information, new MemoryOrigin(data.Bytes));
        byte[] buffer = new byte[data.Bytes.Length];

        await content.ReadAsync(0, buffer, cancellationToken);

        PeerDistContentStatistics statistics = content.GetStatistics();
        using (Assert.EnterMultipleScope())
        {
            ByteAssert.AreEqual(buffer, data.Bytes, "content");
            Assert.That(statistics.PeersExcluded, Is.EqualTo(1));
            Assert.That(statistics.BytesByPeer[honest.EndPoint], Is.EqualTo(data.Bytes.Length));

            // The third failure can only race with the requests already holding a slot.
            Assert.That(faulty.Requests, Is.LessThanOrEqualTo(client.Options.PeerFailureLimit + Slots), "requests to the faulty peer");
        }
    }

    [TestCase(ContentInformationVersion.V1)]
    [TestCase(ContentInformationVersion.V2)]
    public async Task ReadAsync_PeerStalls_TimesOutWithinBoundedTimeExcludedRestFromOtherPeerAndOrigin(ContentInformationVersion version, CancellationToken cancellationToken)
    {
        TestContent data = Content(version);
        await using FaultPeer staller = FaultPeer.Start(data);
        await using FaultPeer honest = FaultPeer.Start(data, hold: (segment, block) => segment.GetBlockRange(block).Start < Split(data));
        staller.Handler.Stall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cache = new MemoryContentCache();
        var origin = new MemoryOrigin(data.Bytes);
        await using PeerDistClient client = NewClient(cache, new StaticPeerLocator([staller.EndPoint, honest.EndPoint]), timeout: s_shortTimeout);
        await using PeerDistContent content = client.OpenContent(data.Information, origin);
        long split = Split(data);
        int firstBlocks = BlockCount(data, ContentRange.FromBounds(0, split));
        int lastBlocks = BlockCount(data, ContentRange.FromBounds(split, data.Bytes.Length));
        byte[] buffer = new byte[data.Bytes.Length];

        var watch = Stopwatch.StartNew();
        await content.ReadAsync(0, buffer.AsMemory(0, (int)split), cancellationToken);
        TimeSpan firstElapsed = watch.Elapsed;
        PeerDistContentStatistics first = content.GetStatistics();
        int stallerRequests = staller.Requests;
        int honestRequests = honest.Requests;
        await content.ReadAsync(split, buffer.AsMemory((int)split), cancellationToken);
        PeerDistContentStatistics second = content.GetStatistics();

        using (Assert.EnterMultipleScope())
        {
            ByteAssert.AreEqual(buffer, data.Bytes, "content");
            Assert.That(stallerRequests, Is.GreaterThanOrEqualTo(client.Options.PeerFailureLimit));
            Assert.That(firstElapsed, Is.LessThan(TimeSpan.FromSeconds(2)), "stalled requests time out together after 400 ms, not one after another");
            Assert.That(first.BlocksRetried, Is.EqualTo(stallerRequests), "each timed-out block asked again of the other peer");
            Assert.That(first.BlocksRejected, Is.Zero, "a timeout is not bad data");
            Assert.That(first.PeersExcluded, Is.EqualTo(1));
            Assert.That(first.BytesByPeer.ContainsKey(staller.EndPoint), Is.False);
            Assert.That(first.BytesByPeer[honest.EndPoint], Is.EqualTo(split));
            Assert.That(first.BytesFromOrigin, Is.Zero);
            Assert.That(honestRequests, Is.EqualTo(firstBlocks));
            Assert.That(staller.Requests, Is.EqualTo(stallerRequests), "requests to the staller after its exclusion");
            Assert.That(second.BytesByPeer[honest.EndPoint], Is.EqualTo(split), "the honest peer holds only the first part");
            Assert.That(second.BlocksRetried, Is.EqualTo(first.BlocksRetried + lastBlocks), "second part: honest peer (missing), then straight to the origin");
            Assert.That(second.BytesFromOrigin, Is.EqualTo(data.Bytes.Length - split));
        }
    }

    [TestCase(DisconnectPoint.AfterHead, ContentInformationVersion.V1)]
    [TestCase(DisconnectPoint.MidBody, ContentInformationVersion.V1)]
    [TestCase(DisconnectPoint.AfterHead, ContentInformationVersion.V2)]
    [TestCase(DisconnectPoint.MidBody, ContentInformationVersion.V2)]
    public async Task ReadAsync_PeerDisconnectsMidResponse_NothingRejectedPeerExcludedRestFromOtherPeerAndOrigin(
        DisconnectPoint point,
        ContentInformationVersion version,
        CancellationToken cancellationToken)
    {
        TestContent data = Content(version);
        await using DisconnectingPeer dropper = DisconnectingPeer.Start(data, point, holdUntilRequests: PeerDistClientOptions.DefaultPeerFailureLimit);
        await using FaultPeer honest = FaultPeer.Start(data, hold: (segment, block) => segment.GetBlockRange(block).Start < Split(data));
        using var cache = new MemoryContentCache();
        var origin = new MemoryOrigin(data.Bytes);
        await using PeerDistClient client = NewClient(cache, new StaticPeerLocator([dropper.EndPoint, honest.EndPoint]));
        await using PeerDistContent content = client.OpenContent(data.Information, origin);
        long split = Split(data);
        int firstBlocks = BlockCount(data, ContentRange.FromBounds(0, split));
        int lastBlocks = BlockCount(data, ContentRange.FromBounds(split, data.Bytes.Length));
        byte[] buffer = new byte[data.Bytes.Length];

        await content.ReadAsync(0, buffer.AsMemory(0, (int)split), cancellationToken);
        PeerDistContentStatistics first = content.GetStatistics();
        int dropperRequests = dropper.Requests;
        int honestRequests = honest.Requests;
        await content.ReadAsync(split, buffer.AsMemory((int)split), cancellationToken);
        PeerDistContentStatistics second = content.GetStatistics();

        using (Assert.EnterMultipleScope())
        {
            ByteAssert.AreEqual(buffer, data.Bytes, "content");
            Assert.That(dropperRequests, Is.GreaterThanOrEqualTo(client.Options.PeerFailureLimit));
            Assert.That(first.BlocksRetried, Is.EqualTo(dropperRequests), "each cut-off block asked again of the other peer");
            Assert.That(first.BlocksRejected, Is.Zero, "a broken connection is not bad data");
            Assert.That(first.PeersExcluded, Is.EqualTo(1));
            Assert.That(first.BytesByPeer.ContainsKey(dropper.EndPoint), Is.False);
            Assert.That(first.BytesByPeer[honest.EndPoint], Is.EqualTo(split));
            Assert.That(first.BytesFromOrigin, Is.Zero);
            Assert.That(honestRequests, Is.EqualTo(firstBlocks));
            Assert.That(dropper.Requests, Is.EqualTo(dropperRequests), "requests to the dropper after its exclusion");
            Assert.That(second.BytesByPeer[honest.EndPoint], Is.EqualTo(split), "the honest peer holds only the first part");
            Assert.That(second.BlocksRetried, Is.EqualTo(first.BlocksRetried + lastBlocks), "second part: honest peer (missing), then straight to the origin");
            Assert.That(second.BytesFromOrigin, Is.EqualTo(data.Bytes.Length - split));
        }
    }

    [TestCase(ContentInformationVersion.V1)]
    [TestCase(ContentInformationVersion.V2)]
    public async Task ReadAsync_PeerAnswersSlowlyWithinTimeout_EveryByteFromThatPeerWithoutRetries(ContentInformationVersion version, CancellationToken cancellationToken)
    {
        TestContent data = Content(version);
        await using FaultPeer slow = FaultPeer.Start(data);
        TimeSpan delay = TimeSpan.FromMilliseconds(150);
        slow.Handler.Delay = delay;
        using var cache = new MemoryContentCache();
        var origin = new MemoryOrigin(data.Bytes);
        await using PeerDistClient client = NewClient(cache, new StaticPeerLocator([slow.EndPoint]), timeout: TimeSpan.FromSeconds(2));
        await using PeerDistContent content = client.OpenContent(data.Information, origin);
        byte[] buffer = new byte[data.Bytes.Length];

        var watch = Stopwatch.StartNew();
        await content.ReadAsync(0, buffer, cancellationToken);
        TimeSpan elapsed = watch.Elapsed;

        PeerDistContentStatistics statistics = content.GetStatistics();
        using (Assert.EnterMultipleScope())
        {
            ByteAssert.AreEqual(buffer, data.Bytes, "content");
            Assert.That(elapsed, Is.GreaterThanOrEqualTo(delay), "the peer really was slow");
            Assert.That(statistics.BytesByPeer[slow.EndPoint], Is.EqualTo(data.Bytes.Length));
            Assert.That(slow.Requests, Is.EqualTo(BlockCount(data, data.Information.Range)), "one request per block");
            Assert.That(statistics.BlocksRetried, Is.Zero);
            Assert.That(statistics.BlocksRejected, Is.Zero);
            Assert.That(statistics.PeersExcluded, Is.Zero);
            Assert.That(origin.Requests, Is.Empty);
        }
    }

    [TestCase(ContentInformationVersion.V1)]
    [TestCase(ContentInformationVersion.V2)]
    public async Task ReadAsync_BlockByBlockAfterBothPeersLiedOnce_LastGoodPeerAskedFirst(ContentInformationVersion version, CancellationToken cancellationToken)
    {
        // Both peers lie once (block 0 then comes from the origin) and are honest afterwards: with one strike each, the peer
        // that delivered the last block is asked first, so after block 1 the other peer is never asked again.
        TestContent data = Content(version);
        await using FaultPeer a = FaultPeer.Start(data);
        await using FaultPeer b = FaultPeer.Start(data);
        foreach (FaultPeer peer in new[] { a, b })
        {
            peer.Handler.Lie = PeerLie.FlipBit;
            peer.Handler.MaxLies = 1;
        }

        using var cache = new MemoryContentCache();
        var origin = new MemoryOrigin(data.Bytes);
        await using PeerDistClient client = NewClient(cache, new StaticPeerLocator([a.EndPoint, b.EndPoint]));
        await using PeerDistContent content = client.OpenContent(data.Information, origin);
        BlockLocation[] blocks = [.. data.Information.GetBlocks(data.Information.Range)];
        byte[] buffer = new byte[data.Bytes.Length];

        foreach (BlockLocation block in blocks)
        {
            await content.ReadAsync(block.BlockRange.Start, buffer.AsMemory((int)block.BlockRange.Start, (int)block.BlockRange.Length), cancellationToken);
        }

        PeerDistContentStatistics statistics = content.GetStatistics();
        FaultPeer favourite = a.Requests > b.Requests ? a : b;
        FaultPeer other = favourite == a ? b : a;
        using (Assert.EnterMultipleScope())
        {
            ByteAssert.AreEqual(buffer, data.Bytes, "content");
            Assert.That(other.Requests, Is.EqualTo(1), "the peer that did not deliver last was only asked for block 0");
            Assert.That(favourite.Requests, Is.EqualTo(blocks.Length), "block 0 and then every block");
            Assert.That(statistics.BytesByPeer[favourite.EndPoint], Is.EqualTo(data.Bytes.Length - blocks[0].BlockRange.Length));
            Assert.That(statistics.BytesFromOrigin, Is.EqualTo(blocks[0].BlockRange.Length));
            Assert.That(origin.Requests.Single(), Is.EqualTo(blocks[0].BlockRange));
            Assert.That(statistics.BlocksRejected, Is.EqualTo(2));
            Assert.That(statistics.BlocksRetried, Is.EqualTo(2));
            Assert.That(statistics.PeersExcluded, Is.Zero);
        }
    }

    [TestCase(ContentInformationVersion.V1)]
    [TestCase(ContentInformationVersion.V2)]
    public async Task ReadAsync_OnePeerMissingOneBusyForEverything_BothAskedPerBlockThenOriginAndRetriesCounted(ContentInformationVersion version, CancellationToken cancellationToken)
    {
        TestContent data = Content(version);
        await using FaultPeer missing = FaultPeer.Start(data, hold: static (_, _) => false);
        await using FaultPeer busy = FaultPeer.Start(data, serverOptions: new PccrrServerOptions { MaxActiveClients = 1 });
        using ActiveClientScope upload = busy.Server.EnterClient(); // another client's upload holds the only slot
        using var cache = new MemoryContentCache();
        var origin = new MemoryOrigin(data.Bytes);
        await using PeerDistClient client = NewClient(cache, new StaticPeerLocator([missing.EndPoint, busy.EndPoint]));
        await using PeerDistContent content = client.OpenContent(data.Information, origin);
        int blocks = BlockCount(data, data.Information.Range);
        byte[] buffer = new byte[data.Bytes.Length];

        await content.ReadAsync(0, buffer, cancellationToken);

        PeerDistContentStatistics statistics = content.GetStatistics();
        using (Assert.EnterMultipleScope())
        {
            ByteAssert.AreEqual(buffer, data.Bytes, "content");
            Assert.That(missing.Requests, Is.EqualTo(blocks));
            Assert.That(busy.Requests, Is.EqualTo(blocks));
            Assert.That(statistics.BlocksRetried, Is.EqualTo(2 * blocks), "second peer, then origin, for every block");
            Assert.That(statistics.BytesFromOrigin, Is.EqualTo(data.Bytes.Length));
            Assert.That(statistics.BytesFromPeers, Is.Zero);
            Assert.That(statistics.BlocksRejected, Is.Zero);
            Assert.That(statistics.PeersExcluded, Is.Zero, "busy or missing is not a failure");
            Assert.That(origin.Requests.Sum(r => r.Length), Is.EqualTo(data.Bytes.Length), "each byte asked of the origin once");
        }
    }

    [TestCase(LocatorFault.Throws)]
    [TestCase(LocatorFault.ThrowsIOException)]
    [TestCase(LocatorFault.ThrowsForeignCancellation)]
    public async Task ReadAsync_LocatorThrows_TreatedAsNoPeersAndEveryByteFromOrigin(LocatorFault fault, CancellationToken cancellationToken)
    {
        TestContent data = s_v2;
        await using FaultPeer peer = FaultPeer.Start(data);
        var locator = new FailingLocator(fault);
        using var cache = new MemoryContentCache();
        var origin = new MemoryOrigin(data.Bytes);
        await using PeerDistClient client = NewClient(cache, locator);
        await using PeerDistContent content = client.OpenContent(data.Information, origin);
        byte[] buffer = new byte[data.Bytes.Length];

        int read = await content.ReadAsync(0, buffer, cancellationToken);

        PeerDistContentStatistics statistics = content.GetStatistics();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(read, Is.EqualTo(data.Bytes.Length));
            ByteAssert.AreEqual(buffer, data.Bytes, "content");
            Assert.That(locator.Calls, Is.GreaterThanOrEqualTo(1));
            Assert.That(statistics.BytesFromOrigin, Is.EqualTo(data.Bytes.Length));
            Assert.That(statistics.BytesFromPeers, Is.Zero);
            Assert.That(statistics.BlocksRetried, Is.Zero);
            Assert.That(statistics.PeersExcluded, Is.Zero);
            Assert.That(peer.Requests, Is.Zero);
        }
    }

    [TestCase(ContentInformationVersion.V1)]
    [TestCase(ContentInformationVersion.V2)]
    public async Task ReadAsync_CancelledWhilePeerStalls_ThrowsPromptlyThenSameHandleReadsFromThatPeer(ContentInformationVersion version, CancellationToken cancellationToken)
    {
        TestContent data = Content(version);
        await using FaultPeer peer = FaultPeer.Start(data);
        var stall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        peer.Handler.Stall = stall;
        using var cache = new MemoryContentCache();
        var origin = new MemoryOrigin(data.Bytes);
        await using PeerDistClient client = NewClient(cache, new StaticPeerLocator([peer.EndPoint]), timeout: TimeSpan.FromSeconds(10));
        await using PeerDistContent content = client.OpenContent(data.Information, origin);
        long length = Split(data);
        byte[] buffer = new byte[length];
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        Task<int> read = content.ReadAsync(0, buffer, cancel.Token).AsTask();
        await peer.Handler.FirstRequest.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        var watch = Stopwatch.StartNew();
        await cancel.CancelAsync();
        Exception? thrown = null;
        try
        {
            await read.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        }
        catch (OperationCanceledException e)
        {
            thrown = e;
        }

        TimeSpan cancelElapsed = watch.Elapsed;
        PeerDistContentStatistics cancelled = content.GetStatistics();
        long blocksInCache = cache.GetStatistics().BlockCount;
        peer.Handler.Stall = null;
        stall.TrySetResult();
        int again = await content.ReadAsync(0, buffer, cancellationToken);
        PeerDistContentStatistics after = content.GetStatistics();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(thrown, Is.InstanceOf<OperationCanceledException>());
            Assert.That(cancelElapsed, Is.LessThan(TimeSpan.FromSeconds(1)), "cancellation is prompt although the peer timeout is 10 s");
            Assert.That(blocksInCache, Is.Zero, "nothing cached from a cancelled fetch");
            Assert.That(cancelled.PeersExcluded, Is.Zero, "the caller's cancellation is not the peer's failure");
            Assert.That(again, Is.EqualTo(length));
            ByteAssert.AreEqual(buffer, data.Bytes.AsSpan(0, (int)length), "after cancel");
            Assert.That(after.BytesByPeer[peer.EndPoint], Is.EqualTo(length));
            Assert.That(after.BlocksRetried, Is.Zero, "every block delivered by the first request for it");
            Assert.That(after.BlocksRejected, Is.Zero);
            Assert.That(after.PeersExcluded, Is.Zero);
            Assert.That(origin.Requests, Is.Empty);
        }
    }

    [Test]
    public async Task ReadAsync_OneOfTwoReadersOfSameBlocksCancelledDuringPeerFetch_OtherReaderCompletesFromPeer(CancellationToken cancellationToken)
    {
        // Reader B waits on the fetches reader A owns; A's cancellation must not fail B, which then fetches the blocks itself.
        TestContent data = s_v1;
        await using FaultPeer peer = FaultPeer.Start(data);
        var stall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        peer.Handler.Stall = stall;
        using var cache = new MemoryContentCache();
        var origin = new MemoryOrigin(data.Bytes);
        await using PeerDistClient client = NewClient(cache, new StaticPeerLocator([peer.EndPoint]), timeout: TimeSpan.FromSeconds(10));
        await using PeerDistContent content = client.OpenContent(data.Information, origin);
        int length = 4 * PeerDistConstants.BlockSize;
        byte[] a = new byte[length];
        byte[] b = new byte[length];
        using var cancelA = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        Task<int> readA = content.ReadAsync(0, a, cancelA.Token).AsTask();
        await peer.Handler.FirstRequest.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        Task<int> readB = content.ReadAsync(0, b, cancellationToken).AsTask();
        await cancelA.CancelAsync();
        Exception? thrownA = null;
        try
        {
            await readA.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        }
        catch (OperationCanceledException e)
        {
            thrownA = e;
        }

        peer.Handler.Stall = null;
        stall.TrySetResult();
        int readLengthB = await readB.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        PeerDistContentStatistics statistics = content.GetStatistics();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(thrownA, Is.InstanceOf<OperationCanceledException>());
            Assert.That(readLengthB, Is.EqualTo(length));
            ByteAssert.AreEqual(b, data.Bytes.AsSpan(0, length), "reader B");
            Assert.That(statistics.BytesByPeer[peer.EndPoint], Is.EqualTo(length));
            Assert.That(statistics.PeersExcluded, Is.Zero);
            Assert.That(origin.Requests, Is.Empty);
        }
    }

    [Test]
    public async Task ReadAsync_TwoContentsAtOnceThroughOneClient_ShareTheBlocksInFlightBound(CancellationToken cancellationToken)
    {
        await using FaultPeer peer = FaultPeer.Start([s_v1, s_v2]);
        using var http = new PeerDistHttpClient();
        var transport = new CountingTransport(new HttpPccrrTransport(http), TimeSpan.FromMilliseconds(20), s_v1);
        using var cache = new MemoryContentCache();
        const int Slots = 3;
        await using PeerDistClient client = NewClient(cache, new StaticPeerLocator([peer.EndPoint]), maxBlocksInFlight: Slots, transport: transport);
        await using PeerDistContent v1 = client.OpenContent(s_v1.Information);
        await using PeerDistContent v2 = client.OpenContent(s_v2.Information);
        byte[] first = new byte[s_v1.Bytes.Length];
        byte[] second = new byte[s_v2.Bytes.Length];

        await Task.WhenAll(v1.ReadAsync(0, first, cancellationToken).AsTask(), v2.ReadAsync(0, second, cancellationToken).AsTask());

        using (Assert.EnterMultipleScope())
        {
            ByteAssert.AreEqual(first, s_v1.Bytes, "V1 content");
            ByteAssert.AreEqual(second, s_v2.Bytes, "V2 content");
            Assert.That(transport.MaxInFlight, Is.EqualTo(Slots), "requests in flight over both contents");
            Assert.That(transport.BothInFlight, Is.True, "the two reads overlapped");
            Assert.That(transport.Requests, Is.EqualTo(BlockCount(s_v1, s_v1.Information.Range) + BlockCount(s_v2, s_v2.Information.Range)));
            Assert.That(peer.Handler.MaxActive, Is.LessThanOrEqualTo(Slots));
        }
    }

    public enum LocatorFault
    {
        Throws,
        ThrowsIOException,
        ThrowsForeignCancellation,
    }

    private static TestContent Content(ContentInformationVersion version) => version == ContentInformationVersion.V1 ? s_v1 : s_v2;

    /// <summary>Where the tests split a content into two reads: block 8 (V1) or the middle segment (V2).</summary>
    private static long Split(TestContent data) => data.Information.Version == ContentInformationVersion.V1
        ? 8L * PeerDistConstants.BlockSize
        : data.Segments[data.Segments.Count / 2].Offset;

    private static int BlockCount(TestContent data, ContentRange range) => data.Information.GetBlocks(range).Count();

    private static PeerDistClient NewClient(
        ContentCache cache,
        IPeerLocator locator,
        TimeSpan? timeout = null,
        int maxBlocksInFlight = PeerDistClientOptions.DefaultMaxBlocksInFlight,
        IPccrrTransport? transport = null) =>
        new(new PeerDistClientOptions
        {
            Cache = cache,
            PeerLocator = locator,
            PeerRequestTimeout = timeout ?? TimeSpan.FromSeconds(2),
            MaxBlocksInFlight = maxBlocksInFlight,
            Transport = transport,
            ReadAheadBytes = 0,
        });

    /// <summary>A locator that fails every call (network trouble, or a cancellation of its own).</summary>
    private sealed class FailingLocator(LocatorFault fault) : IPeerLocator
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public ValueTask<IReadOnlyList<IReadOnlyList<EndPoint>>> LocateAsync(IReadOnlyList<ContentSegment> segments, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            throw fault switch
            {
                LocatorFault.Throws => new InvalidOperationException("locator broken"),
                LocatorFault.ThrowsIOException => new IOException("network unreachable"),
                _ => new OperationCanceledException("the locator's own probe timer"),
            };
        }
    }

    /// <summary>
    /// A transport around the real one that keeps each request in flight a little longer (so requests overlap) and records
    /// the most in flight at once, and whether requests of both contents were ever in flight together.
    /// </summary>
    private sealed class CountingTransport : IPccrrTransport
    {
        private readonly IPccrrTransport _inner;
        private readonly TimeSpan _delay;
        private readonly HashSet<string> _firstContentSegments;
        private readonly ConcurrentDictionary<bool, int> _inFlightByContent = new();
        private int _inFlight;
        private int _maxInFlight;
        private int _requests;
        private int _bothInFlight;

        public CountingTransport(IPccrrTransport inner, TimeSpan delay, TestContent firstContent)
        {
            _inner = inner;
            _delay = delay;
            _firstContentSegments = [.. firstContent.Segments.Select(s => Convert.ToHexString(s.SegmentId.Span))];
        }

        public int MaxInFlight => Volatile.Read(ref _maxInFlight);

        public int Requests => Volatile.Read(ref _requests);

        public bool BothInFlight => Volatile.Read(ref _bothInFlight) != 0;

        public async ValueTask<PccrrTransportResponse> SendAsync(EndPoint peer, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
        {
            bool first = PccrrGetBlocksRequest.TryParse(request, out PccrrGetBlocksRequest parsed, out _, out _) &&
                _firstContentSegments.Contains(Convert.ToHexString(parsed.SegmentId.Span));
            Interlocked.Increment(ref _requests);
            int now = Interlocked.Increment(ref _inFlight);
            _inFlightByContent.AddOrUpdate(first, 1, static (_, n) => n + 1);
            try
            {
                lock (_inFlightByContent)
                {
                    _maxInFlight = Math.Max(_maxInFlight, now);
                    if (_inFlightByContent.GetValueOrDefault(true) > 0 && _inFlightByContent.GetValueOrDefault(false) > 0)
                    {
                        _bothInFlight = 1;
                    }
                }

                await Task.Delay(_delay, cancellationToken);
                return await _inner.SendAsync(peer, request, cancellationToken);
            }
            finally
            {
                _inFlightByContent.AddOrUpdate(first, 0, static (_, n) => n - 1);
                Interlocked.Decrement(ref _inFlight);
            }
        }
    }
}
