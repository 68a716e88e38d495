using System.Net;
using PeerDist.Content;
using PeerDist.Retrieval;
using PeerDist.Retrieval.Client;

namespace PeerDist.Client;

/// <summary>The cooperative whole-content download (<see cref="PeerDistDownloadOptions"/>).</summary>
public sealed partial class PeerDistContent
{
    private Swarm? _swarm;

    /// <summary>
    /// Whether a cooperative download of this content currently sees at least
    /// <see cref="PeerDistDownloadOptions.FlashCrowdThreshold"/> other nodes downloading it too (the Windows
    /// <c>PEERDIST_CLIENT_BASIC_INFO.fFlashCrowd</c>). False when no cooperative download runs.
    /// </summary>
    public bool IsFlashCrowd => Volatile.Read(ref _swarm)?.IsFlashCrowd ?? false;

    /// <summary>
    /// Fetches every block of <see cref="Range"/> that the local cache lacks, as <paramref name="options"/> say (by default
    /// cooperatively with the other nodes downloading the same content; see <see cref="PeerDistDownloadOptions"/>).
    /// </summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="PeerDistContentUnavailableException">Some blocks could be obtained from nowhere.</exception>
    /// <exception cref="PeerDistOriginException">The origin failed or sent bytes that do not match the content information.</exception>
    /// <exception cref="OperationCanceledException">Cancelled, or the handle or client was disposed.</exception>
    public async Task DownloadAsync(PeerDistDownloadOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!options.Cooperative)
        {
            await DownloadInOrderAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
        var swarm = new Swarm(this, options);
        Volatile.Write(ref _swarm, swarm);
        try
        {
            await swarm.RunAsync(linked.Token).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.CompareExchange(ref _swarm, null, swarm);
        }
    }

    /// <summary>
    /// One cooperative download: what is missing, what each peer holds, who owns which origin unit, and the loops that
    /// keep that knowledge fresh. All state is guarded by <see cref="_gate"/>; network calls happen outside it.
    /// </summary>
    private sealed class Swarm : IProbeListener
    {
        private const int MaxBlockListContinuations = 8;

        private readonly PeerDistContent _content;
        private readonly PeerDistDownloadOptions _options;
        private readonly TimeProvider _time;
        private readonly object _gate = new();
        private readonly BlockLocation[] _blocks;
        private readonly int[] _unitOf;
        private readonly List<(int First, int End, ulong Key)> _units = [];
        private readonly Dictionary<int, (int FirstBlockIndex, int FirstGlobal, int Count)> _segments = [];
        private readonly bool[] _need;
        private readonly bool[] _inFlight;
        private readonly int[] _available;
        private readonly Dictionary<EndPoint, SwarmPeer> _peers = [];
        private readonly List<SwarmPeer> _peerList = [];
        private readonly int[] _unitOrder;
        private readonly Random _random;
        private readonly IPAddress? _selfAddress;
        private readonly HashSet<string> _segmentIds = new(StringComparer.Ordinal);
        private readonly Dictionary<IPAddress, (long First, long Last)> _probers = [];
        private readonly HashSet<IPAddress> _suspects = [];
        private readonly TaskCompletionSource _knowledgeReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly bool[] _owned;
        private ulong _ownershipSignature;
        private int _needCount;
        private int _inFlightCount;
        private int _peerWork;
        private int _refreshCursor;
        private bool _grew;
        private long _lastProgress;
        private int _activePeers;

        public Swarm(PeerDistContent content, PeerDistDownloadOptions options)
        {
            _content = content;
            _options = options;
            _time = content._client.Options.TimeProvider;
            _random = options.Seed is int seed ? new Random(seed) : new Random();
            EndPoint? self = options.LocalEndPoint ?? content._client.AdvertisedEndPoint;
            _selfAddress = Normalize((self as IPEndPoint)?.Address);

            var blocks = new List<BlockLocation>();
            var unitOf = new List<int>();
            foreach (BlockLocation block in content.Information.GetBlocks(content.Range))
            {
                int global = blocks.Count;
                blocks.Add(block);
                if (!_segments.TryGetValue(block.SegmentListIndex, out (int FirstBlockIndex, int FirstGlobal, int Count) segment))
                {
                    segment = (block.BlockIndex, global, 0);
                }

                _segments[block.SegmentListIndex] = segment with { Count = segment.Count + 1 };
                int unitInSegment = block.BlockIndex / options.UnitBlocks;
                if (_units.Count == 0 || global == 0 || blocks[global - 1].SegmentListIndex != block.SegmentListIndex ||
                    blocks[global - 1].BlockIndex / options.UnitBlocks != unitInSegment)
                {
                    _units.Add((global, global + 1, SwarmOwnership.UnitKey(block.Segment.SegmentId.Span, unitInSegment)));
                }
                else
                {
                    _units[^1] = _units[^1] with { End = global + 1 };
                }

                unitOf.Add(_units.Count - 1);
            }

            _blocks = [.. blocks];
            foreach (BlockLocation block in _blocks)
            {
                _segmentIds.Add(Convert.ToHexString(block.Segment.SegmentId.Span));
            }

            _unitOf = [.. unitOf];
            _need = new bool[_blocks.Length];
            _inFlight = new bool[_blocks.Length];
            _available = new int[_blocks.Length];
            _owned = new bool[_units.Count];
            Array.Fill(_owned, true);
            _unitOrder = [.. Enumerable.Range(0, _units.Count)];
            _random.Shuffle(_unitOrder);
            _lastProgress = _time.GetTimestamp();
        }

        public bool IsFlashCrowd => Volatile.Read(ref _activePeers) >= _options.FlashCrowdThreshold;

        private PeerDistClient Client => _content._client;

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                for (int g = 0; g < _blocks.Length; g++)
                {
                    BlockLocation block = _blocks[g];
                    SetNeed(g, !_content._ready.ContainsKey(Key(block)) && !_content._cache.ContainsBlock(block.Segment.SegmentId.Span, block.BlockIndex));
                }
            }

            if (_needCount == 0)
            {
                return;
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Client.AddProbeListener(this);
            Task discovery = DiscoverAsync(stop.Token);
            Task refresh = RefreshLoopAsync(stop.Token);
            Task tick = TickAsync(stop.Token);
            var workers = new List<Task>();
            if (Client.Options.PeerLocator is not null)
            {
                workers.Add(DispatchToPeersAsync(stop.Token));
            }

            if (_content._origin is not null)
            {
                int originWorkers = Math.Min(_options.MaxOriginRequestsInFlight, Client.Options.MaxOriginRequestsInFlight);
                for (int i = 0; i < originWorkers; i++)
                {
                    workers.Add(OriginWorkerAsync(stop.Token));
                }
            }
            else
            {
                workers.Add(WatchAvailabilityAsync(stop.Token));
            }

            Exception? failure = null;
            try
            {
                await WhenAllOrFirstFailure(workers, stop).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                Client.RemoveProbeListener(this);
                await stop.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(workers.Append(discovery).Append(refresh).Append(tick)).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }

            if (failure is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            }

            cancellationToken.ThrowIfCancellationRequested();
        }

        private static async Task WhenAllOrFirstFailure(List<Task> workers, CancellationTokenSource stop)
        {
            var pending = new List<Task>(workers);
            while (pending.Count != 0)
            {
                Task finished = await Task.WhenAny(pending).ConfigureAwait(false);
                pending.Remove(finished);
                if (finished.IsFaulted || finished.IsCanceled)
                {
                    await stop.CancelAsync().ConfigureAwait(false);
                    await finished.ConfigureAwait(false); // rethrows
                }
            }
        }

        // ---- knowledge -------------------------------------------------------------------------------------------------

        /// <summary>MS-PCCRD discovery, repeated while blocks are missing: co-downloaders answer as soon as they hold a block.</summary>
        private async Task DiscoverAsync(CancellationToken cancellationToken)
        {
            IPeerLocator? locator = Client.Options.PeerLocator;
            if (locator is null)
            {
                _knowledgeReady.TrySetResult();
                return;
            }

            try
            {
                bool first = true;
                while (!cancellationToken.IsCancellationRequested && Volatile.Read(ref _needCount) > 0)
                {
                    long started = _time.GetTimestamp();
                    int[] wanted = WantedSegments();
                    foreach (int[] batch in wanted.Chunk(MaxLocateBatch))
                    {
                        IReadOnlyList<IReadOnlyList<EndPoint>>? found = null;
                        try
                        {
                            found = await locator.LocateAsync([.. batch.Select(s => _content.Information.Segments[s])], cancellationToken).ConfigureAwait(false);
                        }
                        catch (Exception e) when (e is not OperationCanceledException)
                        {
                            // A locator failure is "no peers this round".
                        }

                        if (found is not null)
                        {
                            Learn(batch, found);
                        }
                    }

                    if (first)
                    {
                        first = false;
                        await RefreshOnceAsync(cancellationToken).ConfigureAwait(false);
                        bool crowdForming;
                        lock (_gate)
                        {
                            crowdForming = _probers.Count != 0 && _peerList.Count == 0;
                        }

                        if (crowdForming)
                        {
                            // Others are starting the same download and nobody holds anything yet: one more round lets
                            // every node hear every other's Probe, so they all split the origin work the same way from the
                            // first request (those still starting up would otherwise be missed).
                            await Task.Delay(_options.ProbeInterval, _time, cancellationToken).ConfigureAwait(false);
                        }

                        _knowledgeReady.TrySetResult();
                        Signal();
                    }

                    int peers;
                    lock (_gate)
                    {
                        peers = _peerList.Count;
                    }

                    TimeSpan interval = _options.ProbeInterval * (1 + (peers / 8));
                    TimeSpan left = interval - _time.GetElapsedTime(started);
                    if (left > TimeSpan.Zero)
                    {
                        await Task.Delay(left, _time, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Done or cancelled.
            }
            finally
            {
                _knowledgeReady.TrySetResult();
            }
        }

        private int[] WantedSegments()
        {
            lock (_gate)
            {
                var wanted = new SortedSet<int>();
                for (int g = 0; g < _blocks.Length; g++)
                {
                    if (_need[g])
                    {
                        wanted.Add(_blocks[g].SegmentListIndex);
                    }
                }

                return [.. wanted];
            }
        }

        private void Learn(int[] segments, IReadOnlyList<IReadOnlyList<EndPoint>> found)
        {
            long now = _time.GetTimestamp();
            lock (_gate)
            {
                for (int i = 0; i < segments.Length && i < found.Count; i++)
                {
                    (int firstBlockIndex, int firstGlobal, int count) = _segments[segments[i]];
                    foreach (EndPoint endPoint in found[i] ?? [])
                    {
                        if (!_peers.TryGetValue(endPoint, out SwarmPeer? peer))
                        {
                            peer = new SwarmPeer(endPoint, _blocks.Length, now);
                            _peers.Add(endPoint, peer);
                            _peerList.Add(peer);
                            _lastProgress = now;
                        }

                        // A segment of one block (every V2 segment) is held whole by whoever answers for it.
                        if (_blocks[firstGlobal].Segment.BlockCount == 1 && count == 1 && firstBlockIndex == 0 && !peer.SaidMissing[firstGlobal])
                        {
                            SetHas(peer, firstGlobal, true, now);
                        }
                    }
                }

                SignalGrowth();
            }
        }

        private async Task RefreshLoopAsync(CancellationToken cancellationToken)
        {
            try
            {
                await _knowledgeReady.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                while (Volatile.Read(ref _needCount) > 0)
                {
                    await Task.Delay(RefreshPeriod(), _time, cancellationToken).ConfigureAwait(false);
                    await RefreshOnceAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Done or cancelled.
            }
        }

        /// <summary>The refresh interval, stretched by one interval per 16 peers known (bounds the requests in a crowd).</summary>
        private TimeSpan RefreshPeriod()
        {
            lock (_gate)
            {
                return _options.RefreshInterval * (1 + (_peerList.Count / 16));
            }
        }

        /// <summary>MS-PCCRR <c>MSG_GETBLKLIST</c> to known peers for the segments of several blocks still missing, within the budget.</summary>
        private async Task RefreshOnceAsync(CancellationToken cancellationToken)
        {
            var asks = new List<(SwarmPeer Peer, int Segment)>();
            lock (_gate)
            {
                var wanted = new List<int>();
                foreach ((int segment, (int firstBlockIndex, int firstGlobal, int count)) in _segments)
                {
                    if (_blocks[firstGlobal].Segment.BlockCount == 1)
                    {
                        continue; // discovery answers for these
                    }

                    for (int g = firstGlobal; g < firstGlobal + count; g++)
                    {
                        if (_need[g])
                        {
                            wanted.Add(segment);
                            break;
                        }
                    }
                }

                // Round-robin over (peer, segment) pairs worth asking: the peer is not known to hold every block of the
                // segment that this node still needs (otherwise its answer could not change what this node does).
                var live = _peerList.Where(p => !p.Gone).ToList();
                int pairs = live.Count * wanted.Count;
                for (int k = 0; k < pairs && asks.Count < _options.RefreshBudget; k++)
                {
                    int index = (_refreshCursor + k) % pairs;
                    SwarmPeer peer = live[index / wanted.Count];
                    int segment = wanted[index % wanted.Count];
                    if (CouldLearn(peer, segment))
                    {
                        asks.Add((peer, segment));
                    }

                    if (asks.Count == _options.RefreshBudget || k == pairs - 1)
                    {
                        _refreshCursor = (index + 1) % pairs;
                    }
                }
            }

            await Task.WhenAll(asks.Select(ask => RefreshAsync(ask.Peer, ask.Segment, cancellationToken))).ConfigureAwait(false);
        }

        private bool CouldLearn(SwarmPeer peer, int segmentIndex)
        {
            (_, int firstGlobal, int count) = _segments[segmentIndex];
            for (int g = firstGlobal; g < firstGlobal + count; g++)
            {
                if (_need[g] && !peer.Has[g])
                {
                    return true;
                }
            }

            return false;
        }

        private async Task RefreshAsync(SwarmPeer peer, int segmentIndex, CancellationToken cancellationToken)
        {
            (int firstBlockIndex, int firstGlobal, int count) = _segments[segmentIndex];
            ContentSegment segment = _blocks[firstGlobal].Segment;
            uint next = (uint)firstBlockIndex;
            uint end = (uint)(firstBlockIndex + count);
            for (int round = 0; round < MaxBlockListContinuations && next < end; round++)
            {
                PccrrBlockListResult result;
                try
                {
                    result = await Client.Retrieval.GetBlockListAsync(peer.EndPoint, segment, new[] { new PccrrBlockRange(next, end - next) }, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    Fail(peer, 1);
                    return;
                }

                if (result.Outcome != BlockOutcome.Delivered)
                {
                    if (result.Outcome is not (BlockOutcome.Busy or BlockOutcome.Missing))
                    {
                        Fail(peer, result.Outcome == BlockOutcome.IncompatibleVersion ? Client.Options.PeerFailureLimit : 1);
                    }

                    return;
                }

                // Ranges cover [next, NextBlockIndex) when the peer continued the list, else [next, end).
                uint covered = result.NextBlockIndex > next && result.NextBlockIndex < end ? result.NextBlockIndex : end;
                long now = _time.GetTimestamp();
                bool[] held = new bool[covered - next];
                foreach (PccrrBlockRange range in result.BlockRanges.Span)
                {
                    // Each range lies inside the one asked (the client checked); clip to what this answer covers.
                    ulong from = Math.Max(range.Index, next);
                    ulong to = Math.Min((ulong)range.Index + range.Count, covered);
                    for (ulong i = from; i < to; i++)
                    {
                        held[i - next] = true;
                    }
                }

                lock (_gate)
                {
                    for (uint i = next; i < covered; i++)
                    {
                        int g = firstGlobal + (int)(i - (uint)firstBlockIndex);
                        bool has = held[i - next];
                        if (has)
                        {
                            peer.SaidMissing[g] = false;
                        }

                        SetHas(peer, g, has, now);
                    }

                    SignalGrowth();
                }

                next = covered;
            }
        }

        private void SetHas(SwarmPeer peer, int g, bool has, long now)
        {
            if (peer.Has[g] == has)
            {
                return;
            }

            peer.Has[g] = has;
            peer.HasCount += has ? 1 : -1;
            if (!peer.Gone)
            {
                AddAvailable(g, has ? 1 : -1);
            }

            if (has)
            {
                peer.LastGrowth = now;
                if (Normalize((peer.EndPoint as IPEndPoint)?.Address) is { } address)
                {
                    _suspects.Remove(address);
                }

                _lastProgress = now;
                _grew = true; // signalled once per answer, not per block
            }
        }

        private void Fail(SwarmPeer peer, int strikes)
        {
            _content.Strike(peer.EndPoint, strikes);
            if (!_content.IsExcluded(peer.EndPoint))
            {
                return;
            }

            lock (_gate)
            {
                if (peer.Gone)
                {
                    return;
                }

                peer.Gone = true;
                for (int g = 0; g < _blocks.Length; g++)
                {
                    if (peer.Has[g])
                    {
                        AddAvailable(g, -1);
                    }
                }

                _lastProgress = _time.GetTimestamp();
            }

            Signal();
        }

        // ---- work --------------------------------------------------------------------------------------------------

        /// <summary>
        /// Starts block requests to peers, up to the client's bound, and waits for changes when nothing can be started.
        /// One dispatcher per download: a scan assigns every free slot at once, so idle slots never rescan on their own.
        /// </summary>
        private async Task DispatchToPeersAsync(CancellationToken cancellationToken)
        {
            var running = new List<Task>();
            int slots = Client.Options.MaxBlocksInFlight;
            while (true)
            {
                for (int i = running.Count - 1; i >= 0; i--)
                {
                    if (running[i].IsCompleted)
                    {
                        await running[i].ConfigureAwait(false); // a fault ends the download
                        running.RemoveAt(i);
                    }
                }

                List<(int Block, SwarmPeer Peer)> picks;
                lock (_gate)
                {
                    if (_needCount == 0)
                    {
                        break;
                    }

                    picks = PickFromPeers(slots - running.Count);
                }

                foreach ((int block, SwarmPeer peer) in picks)
                {
                    running.Add(FetchFromPeerAsync(block, peer, cancellationToken));
                }

                if (picks.Count == 0)
                {
                    await WaitAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            await Task.WhenAll(running).ConfigureAwait(false);
        }

        /// <summary>
        /// Up to <paramref name="free"/> missing blocks that peers hold, from a random starting point (spreads the load),
        /// each with its least busy holder that has room.
        /// </summary>
        private List<(int Block, SwarmPeer Peer)> PickFromPeers(int free)
        {
            var picks = new List<(int Block, SwarmPeer Peer)>();
            if (_peerWork == 0 || free <= 0)
            {
                return picks;
            }

            long now = _time.GetTimestamp();
            bool anyRoom = false;
            foreach (SwarmPeer peer in _peerList)
            {
                anyRoom |= !peer.Gone && peer.InFlight < _options.MaxRequestsPerPeer && peer.BusyUntil <= now;
            }

            if (!anyRoom)
            {
                return picks;
            }

            int start = _random.Next(_blocks.Length);
            for (int i = 0; i < _blocks.Length && picks.Count < free; i++)
            {
                int g = start + i < _blocks.Length ? start + i : start + i - _blocks.Length;
                if (!Eligible(g))
                {
                    continue;
                }

                SwarmPeer? best = null;
                foreach (SwarmPeer peer in _peerList)
                {
                    if (peer.Has[g] && !peer.Gone && peer.InFlight < _options.MaxRequestsPerPeer && peer.BusyUntil <= now &&
                        (best is null || peer.InFlight < best.InFlight))
                    {
                        best = peer;
                    }
                }

                if (best is not null)
                {
                    SetInFlight(g, true);
                    best.InFlight++;
                    picks.Add((g, best));
                }
            }

            return picks;
        }

        private async Task FetchFromPeerAsync(int g, SwarmPeer peer, CancellationToken cancellationToken)
        {
            BlockLocation block = _blocks[g];
            bool obtained = false;
            try
            {
                (TaskCompletionSource<bool> done, bool claimed) = await ClaimAsync(block, cancellationToken).ConfigureAwait(false);
                if (!claimed)
                {
                    obtained = Held(block);
                    return;
                }

                BlockData data = BlockData.Rent(Client.BlockPool, (int)block.BlockRange.Length);
                try
                {
                    BlockOutcome outcome;
                    await Client.PeerSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
                    try
                    {
                        outcome = await Client.Retrieval.GetBlockAsync(peer.EndPoint, block.Segment, block.BlockIndex, data.Memory, cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        Client.PeerSlots.Release();
                    }

                    switch (outcome)
                    {
                        case BlockOutcome.Delivered:
                            _content._lastGoodPeer = peer.EndPoint;
                            _content.Count(BlockDataSource.Peer, peer.EndPoint, data.Length);
                            _content.Store(block, data.Memory.Span);
                            _content._fetched.TryAdd(Key(block), 0);
                            obtained = true;
                            done.TrySetResult(true);
                            break;
                        case BlockOutcome.Missing:
                            lock (_gate)
                            {
                                peer.SaidMissing[g] = true;
                                SetHas(peer, g, false, _time.GetTimestamp());
                            }

                            break;
                        case BlockOutcome.Busy:
                            lock (_gate)
                            {
                                peer.BusyUntil = _time.GetTimestamp() + (_time.TimestampFrequency / 20); // 50 ms
                            }

                            break;
                        case BlockOutcome.BadData:
                            Interlocked.Increment(ref _content._blocksRejected);
                            Client.Options.Metrics?.BlockRejected();
                            Fail(peer, 1);
                            break;
                        case BlockOutcome.IncompatibleVersion:
                            Fail(peer, Client.Options.PeerFailureLimit);
                            break;
                        default:
                            Fail(peer, 1);
                            break;
                    }
                }
                finally
                {
                    data.Release();
                    Unclaim(block, done);
                }
            }
            finally
            {
                lock (_gate)
                {
                    peer.InFlight--;
                    Finish(g, obtained);
                }
            }
        }

        private async Task OriginWorkerAsync(CancellationToken cancellationToken)
        {
            // MS-PCCRD first: a peer may hold the whole content, or a co-downloader may already own part of it.
            await Task.WhenAny(_knowledgeReady.Task, Task.Delay(_options.PeerWait, _time, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            while (true)
            {
                List<int>? run;
                lock (_gate)
                {
                    if (_needCount == 0)
                    {
                        return;
                    }

                    run = PickFromOrigin();
                }

                if (run is null)
                {
                    await WaitAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                await FetchFromOriginAsync(run, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// The next unit, in this node's own random order, with missing blocks no peer holds and that this node owns among
        /// the downloaders it sees; any such unit when nothing has happened for the stall timeout (the owner may be gone, or
        /// views disagree). Returns the unit's first run of such blocks.
        /// </summary>
        private List<int>? PickFromOrigin()
        {
            long now = _time.GetTimestamp();
            bool takeAny = false;
            TimeSpan stall = StallPeriod();
            if (_time.GetElapsedTime(_lastProgress, now) > stall && _peerWork == 0)
            {
                // Idle: first move the work of stalled owners to the others; when no owner looks stalled (views differ),
                // take one unit whoever owns it. Either way, wait another stall period before doing so again.
                takeAny = !SuspectStalledPeers(now, stall);
                _lastProgress = now;
            }

            UpdateOwnership(now);
            for (int k = 0; k < _unitOrder.Length; k++)
            {
                int u = _unitOrder[k];
                if (!takeAny && !_owned[u])
                {
                    continue; // another node's unit: no need to look at its blocks
                }

                (int first, int end, _) = _units[u];
                int runStart = -1;
                int runEnd = -1;
                for (int g = first; g < end; g++)
                {
                    bool wanted = _need[g] && !_inFlight[g] && _available[g] <= 0;
                    if (wanted && runStart < 0)
                    {
                        runStart = g;
                    }
                    else if (!wanted && runStart >= 0)
                    {
                        runEnd = g;
                        break;
                    }
                }

                if (runStart < 0)
                {
                    continue;
                }

                if (runEnd < 0)
                {
                    runEnd = end;
                }

                var run = new List<int>(runEnd - runStart);
                for (int g = runStart; g < runEnd; g++)
                {
                    SetInFlight(g, true);
                    run.Add(g);
                }

                return run;
            }

            return null;
        }

        /// <summary>
        /// The seeds of the nodes that own origin work, one per IP address: this node first, then the peers still
        /// downloading as far as this node knows (some blocks missing, not excluded after failures), then the nodes seen
        /// probing for the content lately that hold nothing yet; none suspected of stalling.
        /// </summary>
        private List<ulong> Candidates(long now)
        {
            var seeds = new List<ulong>(_peerList.Count + _probers.Count + 1);
            if (_selfAddress is not IPAddress self)
            {
                Volatile.Write(ref _activePeers, 0);
                return seeds; // no identity: this node does not split work (it owns everything)
            }

            // One address family: a node that advertises or probes over IPv4 and IPv6 is one node, known here by the family
            // of this node's own address (counting it twice would give work to an identity nobody fetches for).
            var decided = new HashSet<IPAddress> { self };
            seeds.Add(SwarmOwnership.Seed(self));
            foreach (SwarmPeer peer in _peerList)
            {
                if (Normalize((peer.EndPoint as IPEndPoint)?.Address) is { } address && address.AddressFamily == self.AddressFamily && decided.Add(address) &&
                    !peer.Gone && peer.HasCount < _blocks.Length && !_suspects.Contains(address))
                {
                    seeds.Add(peer.Seed);
                }
            }

            TimeSpan window = ProberWindow();
            foreach ((IPAddress address, (_, long last)) in _probers)
            {
                if (decided.Add(address) && _time.GetElapsedTime(last, now) < window && !_suspects.Contains(address))
                {
                    seeds.Add(SwarmOwnership.Seed(address));
                }
            }

            Volatile.Write(ref _activePeers, seeds.Count - 1);
            return seeds;
        }

        private static IPAddress? Normalize(IPAddress? address) => address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;

        /// <summary>
        /// The stall timeout plus twice the time this node needs to hear from every peer again (a full round of block-list
        /// refreshes, or a probe interval, whichever is longer): in a crowd a peer's growth is seen only every few seconds,
        /// and silence that long is no sign of a stall.
        /// </summary>
        private TimeSpan StallPeriod()
        {
            int peers = _peerList.Count;
            TimeSpan refreshPeriod = _options.RefreshInterval * (1 + (peers / 16));
            double rounds = Math.Ceiling(peers * Math.Max(1, _segments.Count) / (double)_options.RefreshBudget);
            TimeSpan cycle = refreshPeriod * Math.Max(1, Math.Min(rounds, 64));
            TimeSpan probe = _options.ProbeInterval * (1 + ((peers + _probers.Count) / 8));
            TimeSpan longest = cycle > probe ? cycle : probe;
            return _options.StallTimeout + longest + longest;
        }

        /// <summary>How long a node counts as downloading after its last Probe: three of its probe intervals.</summary>
        private TimeSpan ProberWindow() => _options.ProbeInterval * (3 * (1 + ((_peerList.Count + _probers.Count) / 8)));

        /// <summary>
        /// Nothing has happened for the stall timeout and no peer holds anything missing: the owners of what is left are not
        /// fetching it (stalled, or they see other owners). Nodes that have not grown (or, seen only probing, not started)
        /// for that long stop owning work until they grow; true when that changed the owners.
        /// </summary>
        private bool SuspectStalledPeers(long now, TimeSpan stall)
        {
            bool changed = false;
            foreach (SwarmPeer peer in _peerList)
            {
                if (Normalize((peer.EndPoint as IPEndPoint)?.Address) is { } address && !peer.Gone &&
                    _time.GetElapsedTime(peer.LastGrowth, now) > stall)
                {
                    changed |= _suspects.Add(address);
                }
            }

            foreach ((IPAddress address, (long first, _)) in _probers)
            {
                if (!_peers.Keys.Any(e => e is IPEndPoint ip && address.Equals(Normalize(ip.Address))) && _time.GetElapsedTime(first, now) > stall)
                {
                    changed |= _suspects.Add(address);
                }
            }

            return changed;
        }

        /// <inheritdoc/>
        public void OnProbe(IReadOnlyList<ReadOnlyMemory<byte>> segmentIds, IPAddress source)
        {
            source = Normalize(source)!;
            if (_selfAddress is null || source.AddressFamily != _selfAddress.AddressFamily || source.Equals(_selfAddress))
            {
                // This node's own Probes come back on the multicast loop; Probes of the other family (a node probes over
                // IPv4 and IPv6 alike) would count every node twice.
                return;
            }

            foreach (ReadOnlyMemory<byte> id in segmentIds)
            {
                if (!_segmentIds.Contains(Convert.ToHexString(id.Span)))
                {
                    continue;
                }

                long now = _time.GetTimestamp();
                bool added;
                lock (_gate)
                {
                    added = !_probers.TryGetValue(source, out (long First, long Last) seen);
                    _probers[source] = (added ? now : seen.First, now);
                }

                if (added)
                {
                    Signal();
                }

                return;
            }
        }

        private static bool OwnedBySelf(List<ulong> seeds, ulong key)
        {
            if (seeds.Count <= 1)
            {
                return true;
            }

            ulong mine = SwarmOwnership.Score(seeds[0], key);
            for (int i = 1; i < seeds.Count; i++)
            {
                if (SwarmOwnership.Score(seeds[i], key) > mine)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Recomputes which units this node owns when the set of owning nodes changed.</summary>
        private void UpdateOwnership(long now)
        {
            List<ulong> seeds = Candidates(now);
            ulong signature = (ulong)seeds.Count;
            foreach (ulong seed in seeds)
            {
                signature ^= SwarmOwnership.Score(seed, 0x5EED);
            }

            if (signature == _ownershipSignature)
            {
                return;
            }

            _ownershipSignature = signature;
            for (int u = 0; u < _units.Count; u++)
            {
                _owned[u] = OwnedBySelf(seeds, _units[u].Key);
            }
        }

        private async Task FetchFromOriginAsync(List<int> run, CancellationToken cancellationToken)
        {
            var claims = new List<(BlockLocation Block, TaskCompletionSource<bool> Done)>(run.Count);
            var obtained = new HashSet<int>();
            try
            {
                foreach (int g in run)
                {
                    (TaskCompletionSource<bool> done, bool claimed) = await ClaimAsync(_blocks[g], cancellationToken).ConfigureAwait(false);
                    if (claimed)
                    {
                        claims.Add((_blocks[g], done));
                    }
                    else if (Held(_blocks[g]))
                    {
                        obtained.Add(g);
                    }
                }

                // One range request per contiguous run of claimed blocks (usually the whole unit).
                var sink = new Dictionary<BlockKey, BlockData>();
                try
                {
                    int i = 0;
                    while (i < claims.Count)
                    {
                        int j = i + 1;
                        while (j < claims.Count && claims[j].Block.BlockRange.Start == claims[j - 1].Block.BlockRange.End)
                        {
                            j++;
                        }

                        await _content.FetchOriginRunAsync(claims.GetRange(i, j - i), sink, cancellationToken).ConfigureAwait(false);
                        i = j;
                    }
                }
                finally
                {
                    foreach (BlockData data in sink.Values)
                    {
                        data.Release();
                    }
                }

                foreach (int g in run)
                {
                    if (!obtained.Contains(g) && Held(_blocks[g]))
                    {
                        obtained.Add(g);
                    }
                }

                _content.OfferCompletedSegments(claims);
            }
            finally
            {
                foreach ((BlockLocation block, TaskCompletionSource<bool> done) in claims)
                {
                    Unclaim(block, done);
                }

                lock (_gate)
                {
                    foreach (int g in run)
                    {
                        Finish(g, obtained.Contains(g));
                    }
                }
            }
        }

        /// <summary>Without an origin: fails the download when no peer has held any missing block for a while.</summary>
        private async Task WatchAvailabilityAsync(CancellationToken cancellationToken)
        {
            await _knowledgeReady.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            TimeSpan patience = _options.StallTimeout + _options.StallTimeout;
            while (true)
            {
                BlockLocation? stranded = null;
                lock (_gate)
                {
                    if (_needCount == 0)
                    {
                        return;
                    }

                    if (_inFlightCount == 0 && _time.GetElapsedTime(_lastProgress) > patience && _peerWork == 0)
                    {
                        for (int g = 0; g < _blocks.Length && stranded is null; g++)
                        {
                            if (_need[g])
                            {
                                stranded = _blocks[g];
                            }
                        }
                    }
                }

                if (stranded is { } block)
                {
                    throw new PeerDistContentUnavailableException(block.BlockRange, "no peer holds it and there is no origin");
                }

                await WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        // ---- bookkeeping -------------------------------------------------------------------------------------------

        /// <summary>Claims a block against the handle's other readers (one fetch per block); waits for another reader's fetch instead.</summary>
        private async Task<(TaskCompletionSource<bool> Done, bool Claimed)> ClaimAsync(BlockLocation block, CancellationToken cancellationToken)
        {
            var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            BlockKey key = Key(block);
            Task<bool> task = _content._fetches.GetOrAdd(key, done.Task);
            if (task != done.Task)
            {
                await task.WaitAsync(cancellationToken).ConfigureAwait(false);
                return (done, false);
            }

            if (Held(block))
            {
                _content._fetches.TryRemove(new KeyValuePair<BlockKey, Task<bool>>(key, done.Task));
                done.TrySetResult(true);
                return (done, false);
            }

            Client.Options.Metrics?.CacheMiss();
            return (done, true);
        }

        private void Unclaim(BlockLocation block, TaskCompletionSource<bool> done)
        {
            _content._fetches.TryRemove(new KeyValuePair<BlockKey, Task<bool>>(Key(block), done.Task));
            done.TrySetResult(false);
        }

        private bool Held(BlockLocation block) =>
            _content._ready.ContainsKey(Key(block)) || _content._cache.ContainsBlock(block.Segment.SegmentId.Span, block.BlockIndex);

        /// <summary>Ends a block's fetch (under the gate): obtained blocks are no longer needed.</summary>
        private void Finish(int g, bool obtained)
        {
            SetInFlight(g, false);
            if (obtained && _need[g])
            {
                SetNeed(g, false);
                _lastProgress = _time.GetTimestamp();
            }

            Signal();
        }

        // The three per-block facts that make a block fetchable from a peer change only through these, which keep the
        // count of such blocks (so an idle worker's look costs nothing).
        private bool Eligible(int g) => _need[g] && !_inFlight[g] && _available[g] > 0;

        private void SetNeed(int g, bool value)
        {
            if (_need[g] == value)
            {
                return;
            }

            bool before = Eligible(g);
            _need[g] = value;
            _needCount += value ? 1 : -1;
            Adjust(g, before);
        }

        private void SetInFlight(int g, bool value)
        {
            if (_inFlight[g] == value)
            {
                return;
            }

            bool before = Eligible(g);
            _inFlight[g] = value;
            _inFlightCount += value ? 1 : -1;
            Adjust(g, before);
        }

        private void AddAvailable(int g, int delta)
        {
            bool before = Eligible(g);
            _available[g] += delta;
            Adjust(g, before);
        }

        private void Adjust(int g, bool before)
        {
            bool after = Eligible(g);
            if (after != before)
            {
                _peerWork += after ? 1 : -1;
            }
        }

        private void SignalGrowth()
        {
            if (_grew)
            {
                _grew = false;
                Signal();
            }
        }

        private void Signal() =>
            Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

        /// <summary>Waits for a change of knowledge or state, or the next tick (stall timeouts are checked on the next pick).</summary>
        private Task WaitAsync(CancellationToken cancellationToken) => Volatile.Read(ref _changed).Task.WaitAsync(cancellationToken);

        /// <summary>Wakes every waiter 10 times a second: one timer for the download rather than one per wait.</summary>
        private async Task TickAsync(CancellationToken cancellationToken)
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100), _time);
            try
            {
                while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                {
                    Signal();
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Done or cancelled.
            }
        }
    }
}
