using System.Collections;
using System.Net;
using System.Net.Sockets;
using PeerDist.Client;
using PeerDist.Content;
using PeerDist.Transport.Udp;

namespace PeerDist.Discovery;

/// <summary>
/// Finds peers by MS-PCCRD discovery (3.1): multicasts one Probe per batch of up to 255 segment identifiers (one batch
/// list per content information version, since the version decides the Probe format, MS-PCCRD 2.2.2), collects the
/// ProbeMatches for the prober's window and answers, per segment, the PCCRR endpoints (<c>XAddrs</c>) of the peers that
/// hold it, peers with the whole segment first. Network trouble gives empty lists, never an exception.
/// </summary>
/// <remarks>The channel is opened on first use (and again after a failure to open it); dispose the locator to close it.</remarks>
public sealed class DiscoveryPeerLocator : IPeerLocator, IAsyncDisposable
{
    private readonly DiscoveryPeerLocatorOptions _options;
    private readonly PccrdProber _prober;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _openGate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationToken _stopToken;
    private UdpMulticastChannel? _channel;
    private Task? _pump;
    private long _networkErrors;
    private long _probesRefused;
    private int _disposed;

    /// <summary>Creates the locator (nothing is opened yet).</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public DiscoveryPeerLocator(DiscoveryPeerLocatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Channel);
        ArgumentNullException.ThrowIfNull(options.Prober);
        ArgumentNullException.ThrowIfNull(options.ExcludedEndPoints);
        if (options.Channel.JoinGroups)
        {
            ThrowHelper.ThrowArgument("A prober does not join the discovery groups (Channel.JoinGroups must be false).", nameof(options));
        }

        _options = options;
        _prober = new PccrdProber(options.Prober);
        _time = options.Prober.TimeProvider;
        _stopToken = _stop.Token; // read once: FinishWindowAsync may run after DisposeAsync disposed the source (cancelled first)
    }

    /// <summary>The prober (its counters: replies accepted and dropped by reason).</summary>
    public PccrdProber Prober => _prober;

    /// <summary>The channel's counters; default before the first probe.</summary>
    public UdpMulticastChannelStatistics ChannelStatistics => Volatile.Read(ref _channel)?.Statistics ?? default;

    /// <summary>How many times the channel could not be opened or a Probe not be sent.</summary>
    public long NetworkErrors => Interlocked.Read(ref _networkErrors);

    /// <summary>How many batches got no Probe because <see cref="PccrdProberOptions.MaxOutstandingProbes"/> were outstanding.</summary>
    public long ProbesRefused => Interlocked.Read(ref _probesRefused);

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<IReadOnlyList<EndPoint>>> LocateAsync(IReadOnlyList<ContentSegment> segments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(segments);
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var result = new IReadOnlyList<EndPoint>[segments.Count];
        Array.Fill(result, []);
        if (segments.Count == 0)
        {
            return result;
        }

        UdpMulticastChannel? channel = await OpenAsync(cancellationToken).ConfigureAwait(false);
        if (channel is null)
        {
            return result;
        }

        var batches = new List<Batch>();
        WholeSegmentWatch? watch = _options.CompleteEarly ? new WholeSegmentWatch() : null;
        bool handedOff = false;
        try
        {
            foreach (PccrdVersion version in (ReadOnlySpan<PccrdVersion>)[PccrdVersion.V1, PccrdVersion.V2])
            {
                foreach (Batch batch in CreateBatches(segments, version))
                {
                    try
                    {
                        batch.Probe = _prober.CreateProbe(version, batch.Ids, watch is null ? null : batch.ObserveFor(watch, _options.ExcludedEndPoints));
                        batches.Add(batch);
                    }
                    catch (InvalidOperationException)
                    {
                        // PccrdProberOptions.MaxOutstandingProbes reached by concurrent calls: these segments get no peers this time.
                        Interlocked.Increment(ref _probesRefused);
                        batch.Withdraw();
                    }
                }
            }

            bool anySent = false;
            foreach (Batch batch in batches)
            {
                try
                {
                    await channel.SendMulticastAsync(batch.Probe!.Datagram, cancellationToken).ConfigureAwait(false);
                    anySent = true;
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    Interlocked.Increment(ref _networkErrors);
                    batch.Withdraw(); // not asked, so it must not hold the answer back
                }
            }

            if (!anySent)
            {
                return result;
            }

            // MS-PCCRD 3.1.2: the request timer; replies are collected until it fires, then the Probes are dropped. With
            // CompleteEarly the answer goes out as soon as every segment asked has a peer with all of it, since more replies
            // could only add peers after that one.
            bool early = false;
            if (watch is null)
            {
                await Task.Delay(_prober.Window, _time, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                early = await WaitForWindowOrWholeAsync(watch.Done, cancellationToken).ConfigureAwait(false);
            }

            if (early)
            {
                // Answered before the window ended: the Probes stay outstanding until it does, the lists handed out grow
                // with the peers that answer later (the client spreads blocks over them), and the reply history
                // (wire.md §2.5) counts every reply of the window, as a node that waits it out would.
                foreach (Batch batch in batches)
                {
                    batch.Publish(this, result);
                }

                _ = FinishWindowAsync(batches);
                handedOff = true;
            }
        }
        finally
        {
            if (!handedOff)
            {
                foreach (Batch batch in batches)
                {
                    _prober.Complete(batch.Probe!);
                }
            }
        }

        if (handedOff)
        {
            return result;
        }

        foreach (Batch batch in batches)
        {
            for (int i = 0; i < batch.Ids.Length; i++)
            {
                IReadOnlyList<PccrdDiscoveredPeer> peers = batch.Probe!.GetPeers(i);
                Record(batch.Ids[i].Span, peers, batch.BlockCounts[i]);
                List<EndPoint> endPoints = Collect(peers, batch.BlockCounts[i]);
                foreach (int owner in batch.Owners[i])
                {
                    result[owner] = endPoints;
                }
            }
        }

        return result;
    }

    /// <summary>Closes the channel. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _openGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_channel is not null)
            {
                await _channel.DisposeAsync().ConfigureAwait(false);
            }

            if (_pump is not null)
            {
                await _pump.ConfigureAwait(false);
            }
        }
        finally
        {
            _openGate.Release();
        }

        _stop.Dispose();
    }

    // A peer with the whole segment: version 2.0 says so with the AllBlocks bit (MS-PCCRD 2.2.3.3), version 1.0 with a
    // block count covering the segment (2.2.3.9).
    private static bool IsWhole(PccrdDiscoveredPeer peer, uint blockCount) =>
        (peer.Availability & PccrdSegmentAvailability.AllBlocks) != 0 || peer.BlockCount >= blockCount;

    /// <summary>The distinct identifiers of one version in batches of at most 255, each with the input positions that share it.</summary>
    private static List<Batch> CreateBatches(IReadOnlyList<ContentSegment> segments, PccrdVersion version)
    {
        var index = new Dictionary<string, (ContentSegment Segment, List<int> Owners)>(StringComparer.Ordinal);
        var order = new List<string>();
        for (int i = 0; i < segments.Count; i++)
        {
            ContentSegment segment = segments[i];
            ArgumentNullException.ThrowIfNull(segment, nameof(segments));
            PccrdVersion segmentVersion = segment.HashAlgorithm.GetVersion() == ContentInformationVersion.V1 ? PccrdVersion.V1 : PccrdVersion.V2;
            if (segmentVersion != version)
            {
                continue;
            }

            string key = Convert.ToHexString(segment.SegmentId.Span);
            if (!index.TryGetValue(key, out (ContentSegment Segment, List<int> Owners) entry))
            {
                entry = (segment, []);
                index.Add(key, entry);
                order.Add(key);
            }

            entry.Owners.Add(i);
        }

        var batches = new List<Batch>();
        foreach (string[] chunk in order.Chunk(PccrdConstants.MaxSegmentIdsPerProbe))
        {
            batches.Add(new Batch(
                [.. chunk.Select(k => index[k].Segment.SegmentId)],
                [.. chunk.Select(k => index[k].Owners)],
                [.. chunk.Select(k => (uint)index[k].Segment.BlockCount)]));
        }

        return batches;
    }

    // wire.md §2.5: remember how many answered and how many had the whole segment, for this node's own reply suppression later.
    private void Record(ReadOnlySpan<byte> segmentId, IReadOnlyList<PccrdDiscoveredPeer> peers, uint blockCount)
    {
        if (_options.ReplyHistory is not { } history || peers.Count == 0)
        {
            return;
        }

        // Other nodes only: this node's own responder answers its Probes too, and counting itself would let it silence
        // itself for a segment it alone holds.
        int replies = 0;
        int full = 0;
        foreach (PccrdDiscoveredPeer peer in peers)
        {
            if (_options.ExcludedEndPoints.Contains(peer.EndPoint))
            {
                continue;
            }

            replies++;
            if (IsWhole(peer, blockCount))
            {
                full++;
            }
        }

        if (replies != 0)
        {
            history.Add(segmentId, replies, full);
        }
    }

    // Peers with every block first (MS-PCCRD 2.2.3.3), then by arrival; one endpoint per peer, duplicates and the node's own removed.
    private List<EndPoint> Collect(IReadOnlyList<PccrdDiscoveredPeer> peers, uint blockCount)
    {
        var endPoints = new List<EndPoint>(peers.Count);
        foreach (bool whole in (ReadOnlySpan<bool>)[true, false])
        {
            foreach (PccrdDiscoveredPeer peer in peers)
            {
                if (IsWhole(peer, blockCount) == whole && !endPoints.Contains(peer.EndPoint) && !_options.ExcludedEndPoints.Contains(peer.EndPoint))
                {
                    endPoints.Add(peer.EndPoint);
                }
            }
        }

        return endPoints;
    }

    /// <summary>
    /// Waits the prober's window or until <paramref name="whole"/> completes; true when it did first. Throws
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> ends the wait.
    /// </summary>
    private async Task<bool> WaitForWindowOrWholeAsync(Task whole, CancellationToken cancellationToken)
    {
        using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task delay = Task.Delay(_prober.Window, _time, window.Token);
        if (await Task.WhenAny(delay, whole).ConfigureAwait(false) == whole)
        {
            await window.CancelAsync().ConfigureAwait(false); // releases the timer now rather than at the end of the window
            return true;
        }

        cancellationToken.ThrowIfCancellationRequested();
        return false;
    }

    // After an early answer: keep collecting (the observers append to the published lists) until the last Probe's window
    // ends or the locator is disposed, then drop the Probes and record every reply.
    private async Task FinishWindowAsync(List<Batch> batches)
    {
        try
        {
            DateTimeOffset end = batches.Max(static b => b.Probe!.Deadline);
            TimeSpan rest = end - _time.GetUtcNow();
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest, _time, _stopToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed: record what came so far.
        }
        finally
        {
            foreach (Batch batch in batches)
            {
                _prober.Complete(batch.Probe!);
            }
        }

        foreach (Batch batch in batches)
        {
            for (int i = 0; i < batch.Ids.Length; i++)
            {
                Record(batch.Ids[i].Span, batch.Probe!.GetPeers(i), batch.BlockCounts[i]);
            }
        }
    }

    private async ValueTask<UdpMulticastChannel?> OpenAsync(CancellationToken cancellationToken)
    {
        UdpMulticastChannel? channel = Volatile.Read(ref _channel);
        if (channel is not null)
        {
            return channel;
        }

        await _openGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (_channel is null)
            {
                try
                {
                    channel = UdpMulticastChannel.Open(_options.Channel);
                }
                catch (SocketException)
                {
                    Interlocked.Increment(ref _networkErrors);
                    return null;
                }

                _pump = Task.Run(() => PumpAsync(channel, _stop.Token), CancellationToken.None);
                Volatile.Write(ref _channel, channel);
            }

            return _channel;
        }
        finally
        {
            _openGate.Release();
        }
    }

    private async Task PumpAsync(UdpMulticastChannel channel, CancellationToken cancellationToken)
    {
        try
        {
            while (await channel.Datagrams.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (channel.Datagrams.TryRead(out UdpDatagram datagram))
                {
                    _prober.Accept(datagram.Payload, datagram.RemoteEndPoint); // never throws for bad data
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    /// <summary>One Probe's worth of distinct segments: identifiers, the input positions of each, and its block count.</summary>
    private sealed class Batch(ReadOnlyMemory<byte>[] ids, List<int>[] owners, uint[] blockCounts)
    {
        private readonly Lock _gate = new();
        private WholeSegmentWatch? _watch;
        private int[]? _covered; // 1 once the segment has a whole holder (or no longer counts)
        private GrowingPeerList[]? _published; // the lists handed out by an early answer, per segment; under _gate

        public ReadOnlyMemory<byte>[] Ids { get; } = ids;

        public List<int>[] Owners { get; } = owners;

        public uint[] BlockCounts { get; } = blockCounts;

        public PccrdOutstandingProbe? Probe { get; set; }

        /// <summary>
        /// Counts this batch's segments in <paramref name="watch"/> and returns the observer of its Probe, which tells the watch
        /// the first time each segment gets a peer with all of it (a peer in <paramref name="excluded"/> does not count).
        /// </summary>
        public Action<int, PccrdDiscoveredPeer> ObserveFor(WholeSegmentWatch watch, IReadOnlyList<EndPoint> excluded)
        {
            _watch = watch;
            _covered = new int[Ids.Length];
            watch.Expect(Ids.Length);
            return (index, peer) =>
            {
                if (excluded.Contains(peer.EndPoint))
                {
                    return;
                }

                if (IsWhole(peer, BlockCounts[index]))
                {
                    Cover(index);
                }

                lock (_gate)
                {
                    _published?[index].Add(peer.EndPoint);
                }
            };
        }

        /// <summary>
        /// Fills <paramref name="result"/> for this batch's segments with lists that later replies extend. A peer recorded
        /// before this is in the snapshot taken here; one recorded after is appended by the observer (the gate orders them).
        /// </summary>
        public void Publish(DiscoveryPeerLocator locator, IReadOnlyList<EndPoint>[] result)
        {
            lock (_gate)
            {
                var lists = new GrowingPeerList[Ids.Length];
                for (int i = 0; i < lists.Length; i++)
                {
                    lists[i] = new GrowingPeerList(locator.Collect(Probe!.GetPeers(i), BlockCounts[i]));
                    foreach (int owner in Owners[i])
                    {
                        result[owner] = lists[i];
                    }
                }

                _published = lists;
            }
        }

        /// <summary>Stops waiting for this batch's segments (its Probe could not be sent).</summary>
        public void Withdraw()
        {
            for (int i = 0; _covered is not null && i < _covered.Length; i++)
            {
                Cover(i);
            }
        }

        private void Cover(int index)
        {
            if (Interlocked.Exchange(ref _covered![index], 1) == 0)
            {
                _watch!.Covered();
            }
        }
    }

    /// <summary>
    /// The peers of one segment after an early answer: a snapshot at answer time, then every new peer that answers before
    /// the window ends, appended. Readers see an immutable array (copy on append), so an index below a
    /// <see cref="Count"/> once read stays valid; one writer at a time (the batch's gate).
    /// </summary>
    private sealed class GrowingPeerList(List<EndPoint> initial) : IReadOnlyList<EndPoint>
    {
        private EndPoint[] _items = [.. initial];

        public int Count => Volatile.Read(ref _items).Length;

        public EndPoint this[int index] => Volatile.Read(ref _items)[index];

        public IEnumerator<EndPoint> GetEnumerator() => ((IEnumerable<EndPoint>)Volatile.Read(ref _items)).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public void Add(EndPoint endPoint)
        {
            EndPoint[] items = _items;
            if (Array.IndexOf(items, endPoint) < 0)
            {
                Volatile.Write(ref _items, [.. items, endPoint]);
            }
        }
    }

    /// <summary>
    /// Counts the segments asked that have no peer with all of it yet; <see cref="Done"/> completes when none is left. Its
    /// continuations run asynchronously, so the prober's receive loop never runs the caller's code.
    /// </summary>
    private sealed class WholeSegmentWatch
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _missing;

        public Task Done => _done.Task;

        public void Expect(int count) => Interlocked.Add(ref _missing, count);

        public void Covered()
        {
            if (Interlocked.Decrement(ref _missing) == 0)
            {
                _done.TrySetResult();
            }
        }
    }
}
