using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using PeerDist.Caching;
using PeerDist.Content;
using PeerDist.Cryptography;
using PeerDist.Retrieval.Client;

namespace PeerDist.Client;

/// <summary>The fetch engine of a content: local cache, then peers, then the origin, with one fetch per block at a time.</summary>
public sealed partial class PeerDistContent
{
    /// <summary>The most segment identifiers in one locate call (MS-PCCRD: 255 per probe).</summary>
    private const int MaxLocateBatch = 255;

    private const int MaxReadAttempts = 3;

    private readonly IReadOnlyList<EndPoint>?[] _segmentPeers;
    private readonly SemaphoreSlim _locateGate = new(1, 1);
    private readonly ConcurrentDictionary<EndPoint, int> _strikes = new();
    private readonly ConcurrentDictionary<BlockKey, Task<bool>> _fetches = new();
    private readonly ConcurrentDictionary<BlockKey, BlockData> _ready = new();
    private readonly ConcurrentDictionary<BlockKey, byte> _fetched = new();
    private readonly ConcurrentDictionary<(EndPoint Peer, int Segment), byte> _missing = new();
    private readonly ConcurrentDictionary<int, byte> _offered = new();
    private readonly int _maxReadyBlocks;
    private EndPoint? _lastGoodPeer;

    /// <summary>Fills <paramref name="destination"/> with the content bytes at <paramref name="offset"/>.</summary>
    private async Task FillAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        List<BlockLocation>? missing = null;
        foreach (BlockLocation block in Information.GetBlocks(new ContentRange(offset, destination.Length)))
        {
            if (!TryCopyLocal(block, Target(destination, offset, block)))
            {
                (missing ??= []).Add(block);
            }
        }

        for (int attempt = 0; missing is not null; attempt++)
        {
            if (attempt == MaxReadAttempts)
            {
                throw new PeerDistContentUnavailableException(missing[0].BlockRange, "the blocks were fetched but left the cache before they could be read; the cache is too small");
            }

            Dictionary<BlockKey, BlockData> owned = await EnsureAsync(missing, keepOwned: true, cancellationToken).ConfigureAwait(false);
            List<BlockLocation>? still = null;
            try
            {
                foreach (BlockLocation block in missing)
                {
                    Span<byte> target = Target(destination, offset, block);
                    if (owned.TryGetValue(Key(block), out BlockData? data))
                    {
                        data.Memory.Span.Slice((int)(block.Trimmed.Start - block.BlockRange.Start), target.Length).CopyTo(target);
                    }
                    else if (!TryCopyLocal(block, target))
                    {
                        (still ??= []).Add(block);
                    }
                }
            }
            finally
            {
                foreach (BlockData data in owned.Values)
                {
                    data.Release();
                }
            }

            missing = still;
        }
    }

    /// <summary>Fetches the blocks of <paramref name="range"/> that are neither cached nor ready, keeping them ready for a reader.</summary>
    internal async Task PrefetchAsync(ContentRange range, CancellationToken cancellationToken)
    {
        List<BlockLocation>? missing = null;
        foreach (BlockLocation block in Information.GetBlocks(range.Intersect(Range)))
        {
            if (!_ready.ContainsKey(Key(block)) && !_cache.ContainsBlock(block.Segment.SegmentId.Span, block.BlockIndex))
            {
                (missing ??= []).Add(block);
            }
        }

        if (missing is not null)
        {
            await EnsureAsync(missing, keepOwned: false, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Content bytes for a reader that may be about to fetch over the network (a stream's read-ahead hint).</summary>
    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    private static BlockKey Key(in BlockLocation block) => new(block.SegmentListIndex, block.BlockIndex);

    private static Span<byte> Target(Memory<byte> destination, long offset, in BlockLocation block) =>
        destination.Span.Slice((int)(block.Trimmed.Start - offset), (int)block.Trimmed.Length);

    /// <summary>Copies the wanted part of a block from the ready set or the cache; false when neither holds it.</summary>
    private bool TryCopyLocal(in BlockLocation block, Span<byte> target)
    {
        BlockKey key = Key(block);
        int within = (int)(block.Trimmed.Start - block.BlockRange.Start);
        if (_ready.TryRemove(key, out BlockData? data))
        {
            data.Memory.Span.Slice(within, target.Length).CopyTo(target);
            data.Release();
            return true;
        }

        int length = (int)block.BlockRange.Length;
        ReadOnlySpan<byte> segmentId = block.Segment.SegmentId.Span;
        bool read;
        if (within == 0 && target.Length == length)
        {
            BlockReadResult result = _cache.ReadBlock(segmentId, block.BlockIndex, target);
            read = result.IsSuccess && result.BytesWritten == length;
        }
        else
        {
            byte[] scratch = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                BlockReadResult result = _cache.ReadBlock(segmentId, block.BlockIndex, scratch.AsSpan(0, length));
                read = result.IsSuccess && result.BytesWritten == length;
                if (read)
                {
                    scratch.AsSpan(within, target.Length).CopyTo(target);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }

        if (read && !_fetched.ContainsKey(key))
        {
            Count(BlockDataSource.LocalCache, null, target.Length);
            _client.Options.Metrics?.CacheHit();
        }

        return read;
    }

    /// <summary>
    /// Makes sure each block is fetched once: blocks nobody is fetching are fetched here (and, with
    /// <paramref name="keepOwned"/>, returned with a reference the caller must release); blocks another call is fetching
    /// are waited for. Afterwards a block is ready, cached, returned, or failed (the failing fetch threw).
    /// </summary>
    private async Task<Dictionary<BlockKey, BlockData>> EnsureAsync(List<BlockLocation> blocks, bool keepOwned, CancellationToken cancellationToken)
    {
        var owned = new List<(BlockLocation Block, TaskCompletionSource<bool> Done)>();
        List<Task<bool>>? waits = null;
        foreach (BlockLocation block in blocks)
        {
            var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            BlockKey key = Key(block);
            Task<bool> task = _fetches.GetOrAdd(key, done.Task);
            if (task == done.Task)
            {
                if (_ready.ContainsKey(key) || _cache.ContainsBlock(block.Segment.SegmentId.Span, block.BlockIndex))
                {
                    // Another call's fetch published the block between the caller's look and this claim (Publish stores it
                    // before its claim goes): fetching it again would spend a peer request and count its bytes twice.
                    _fetches.TryRemove(new KeyValuePair<BlockKey, Task<bool>>(key, done.Task));
                    done.TrySetResult(true);
                    continue;
                }

                owned.Add((block, done));
                _client.Options.Metrics?.CacheMiss();
            }
            else
            {
                (waits ??= []).Add(task);
            }
        }

        var result = new Dictionary<BlockKey, BlockData>();
        if (owned.Count != 0)
        {
            try
            {
                await FetchOwnedAsync(owned, keepOwned ? result : null, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                foreach (BlockData data in result.Values)
                {
                    data.Release();
                }

                throw;
            }
            finally
            {
                foreach ((BlockLocation block, TaskCompletionSource<bool> done) in owned)
                {
                    _fetches.TryRemove(new KeyValuePair<BlockKey, Task<bool>>(Key(block), done.Task));
                    done.TrySetResult(false);
                }
            }
        }

        if (waits is not null)
        {
            // Another call's fetch never throws into this one: its failure shows here as a block still missing, which the
            // reader then fetches itself (and sees the real error).
            await Task.WhenAll(waits).WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    private async Task FetchOwnedAsync(
        List<(BlockLocation Block, TaskCompletionSource<bool> Done)> owned,
        Dictionary<BlockKey, BlockData>? result,
        CancellationToken cancellationToken)
    {
        await LocateAsync(owned, cancellationToken).ConfigureAwait(false);
        var fromPeers = new Task<(BlockData? Data, EndPoint? Peer)>[owned.Count];
        for (int i = 0; i < owned.Count; i++)
        {
            fromPeers[i] = FetchFromPeersAsync(owned[i].Block, cancellationToken);
        }

        List<(BlockLocation Block, TaskCompletionSource<bool> Done)>? failed = null;
        Exception? error = null;
        for (int i = 0; i < owned.Count; i++)
        {
            (BlockData? Data, EndPoint? Peer) found;
            try
            {
                found = await fromPeers[i].ConfigureAwait(false);
            }
            catch (Exception e)
            {
                error ??= e;
                continue;
            }

            if (found.Data is null)
            {
                (failed ??= []).Add(owned[i]);
                continue;
            }

            Count(BlockDataSource.Peer, found.Peer, found.Data.Length);
            Publish(owned[i].Block, found.Data, owned[i].Done, result);
        }

        if (error is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }

        if (failed is null)
        {
            return;
        }

        if (_origin is null)
        {
            throw new PeerDistContentUnavailableException(failed[0].Block.BlockRange, "no peer delivered it and there is no origin");
        }

        await FetchFromOriginAsync(failed, result, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>MS-PCCRR simple download from the peers known for the block's segment, last good peer first; null when none delivered.</summary>
    private async Task<(BlockData? Data, EndPoint? Peer)> FetchFromPeersAsync(BlockLocation block, CancellationToken cancellationToken)
    {
        IReadOnlyList<EndPoint>? peers = _segmentPeers[block.SegmentListIndex];
        if (peers is null || peers.Count == 0)
        {
            return (null, null);
        }

        int length = (int)block.BlockRange.Length;
        BlockData data = BlockData.Rent(_client.BlockPool, length);
        bool attempted = false;
        try
        {
            foreach (EndPoint peer in Order(peers, block))
            {
                if (IsExcluded(peer))
                {
                    continue;
                }

                if (attempted)
                {
                    Interlocked.Increment(ref _blocksRetried);
                }

                attempted = true;
                BlockOutcome outcome;
                await _client.PeerSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (IsExcluded(peer))
                {
                    // Excluded while this block waited for a slot: do not spend a request (or a timeout) on it.
                    _client.PeerSlots.Release();
                    continue;
                }

                try
                {
                    outcome = await _client.Retrieval.GetBlockAsync(peer, block.Segment, block.BlockIndex, data.Memory, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    _client.PeerSlots.Release();
                }

                switch (outcome)
                {
                    case BlockOutcome.Delivered:
                        _lastGoodPeer = peer;
                        return (data, peer);
                    case BlockOutcome.Missing:
                        _missing.TryAdd((peer, block.SegmentListIndex), 0);
                        break;
                    case BlockOutcome.Busy:
                        break;
                    case BlockOutcome.BadData:
                        Interlocked.Increment(ref _blocksRejected);
                        _client.Options.Metrics?.BlockRejected();
                        Strike(peer, 1);
                        break;
                    case BlockOutcome.IncompatibleVersion:
                        Strike(peer, _client.Options.PeerFailureLimit);
                        break;
                    default:
                        Strike(peer, 1);
                        break;
                }
            }
        }
        catch
        {
            data.Release();
            throw;
        }

        data.Release();
        if (attempted)
        {
            Interlocked.Increment(ref _blocksRetried); // the origin gets it now
        }

        return (null, null);
    }

    private async Task FetchFromOriginAsync(
        List<(BlockLocation Block, TaskCompletionSource<bool> Done)> failed,
        Dictionary<BlockKey, BlockData>? result,
        CancellationToken cancellationToken)
    {
        failed.Sort(static (a, b) => a.Block.BlockRange.Start.CompareTo(b.Block.BlockRange.Start));
        var runs = new List<List<(BlockLocation Block, TaskCompletionSource<bool> Done)>>();
        long runBytes = 0;
        foreach ((BlockLocation Block, TaskCompletionSource<bool> Done) item in failed)
        {
            List<(BlockLocation Block, TaskCompletionSource<bool> Done)>? run = runs.Count == 0 ? null : runs[^1];
            long length = item.Block.BlockRange.Length;
            if (run is null || run[^1].Block.BlockRange.End != item.Block.BlockRange.Start || runBytes + length > _client.Options.MaxOriginRequestBytes)
            {
                runs.Add([item]);
                runBytes = length;
            }
            else
            {
                run.Add(item);
                runBytes += length;
            }
        }

        await Task.WhenAll(runs.Select(run => FetchOriginRunAsync(run, result, cancellationToken))).ConfigureAwait(false);
        OfferCompletedSegments(failed);
    }

    private async Task LocateBatchAsync(IPeerLocator? locator, int[] indices, CancellationToken cancellationToken)
    {
        IReadOnlyList<IReadOnlyList<EndPoint>>? found = null;
        if (locator is not null)
        {
            try
            {
                found = await locator.LocateAsync([.. indices.Select(i => Information.Segments[i])], cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                found = null; // a locator failure is no peers, not a failed download
            }
        }

        for (int i = 0; i < indices.Length; i++)
        {
            IReadOnlyList<EndPoint> peers = found is not null && i < found.Count && found[i] is { } list ? list : [];
            Volatile.Write(ref _segmentPeers[indices[i]], peers);
        }
    }

    /// <summary>
    /// MS-PCHC 3.2: a segment this download completed with origin bytes goes to the offerer (hosted-cache mode), once per
    /// content handle; the offerer only queues, so the reader is never delayed.
    /// </summary>
    private void OfferCompletedSegments(List<(BlockLocation Block, TaskCompletionSource<bool> Done)> fetched)
    {
        if (_client.Options.Offerer is not IContentOfferer offerer)
        {
            return;
        }

        int last = -1;
        foreach ((BlockLocation block, _) in fetched)
        {
            int index = block.SegmentListIndex;
            if (index == last)
            {
                continue;
            }

            last = index;
            ContentSegment segment = block.Segment;
            if (!_offered.ContainsKey(index) && HoldsWholeSegment(segment) && _offered.TryAdd(index, 0))
            {
                offerer.OfferSegment(Information, segment);
            }
        }
    }

    private bool HoldsWholeSegment(ContentSegment segment)
    {
        for (int i = 0; i < segment.BlockCount; i++)
        {
            if (!_cache.ContainsBlock(segment.SegmentId.Span, i))
            {
                return false;
            }
        }

        return true;
    }

    private async Task FetchOriginRunAsync(
        List<(BlockLocation Block, TaskCompletionSource<bool> Done)> run,
        Dictionary<BlockKey, BlockData>? result,
        CancellationToken cancellationToken)
    {
        long start = run[0].Block.BlockRange.Start;
        int length = (int)(run[^1].Block.BlockRange.End - start);
        await _client.OriginSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        byte[] buffer = _client.OriginPool.Rent(length);
        try
        {
            int read;
            try
            {
                read = await _origin!.ReadAsync(start, buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw new PeerDistOriginException($"The origin could not be read at {new ContentRange(start, length)}: {e.Message}", e);
            }

            if (read != length)
            {
                throw new PeerDistOriginException($"The origin returned {read} bytes for {new ContentRange(start, length)}; the content information describes {length}.");
            }

            foreach ((BlockLocation block, TaskCompletionSource<bool> done) in run)
            {
                ReadOnlySpan<byte> bytes = buffer.AsSpan((int)(block.BlockRange.Start - start), (int)block.BlockRange.Length);
                if (!Verify(block, bytes))
                {
                    Interlocked.Increment(ref _blocksRejected);
                    _client.Options.Metrics?.BlockRejected();
                    throw new PeerDistOriginException(
                        $"The origin's bytes for block {block.BlockIndex} of segment {block.SegmentListIndex} ({block.BlockRange}) do not match the content information.");
                }

                BlockData data = BlockData.Rent(_client.BlockPool, bytes.Length);
                bytes.CopyTo(data.Memory.Span);
                Count(BlockDataSource.Origin, null, bytes.Length);
                Publish(block, data, done, result);
            }
        }
        finally
        {
            _client.OriginPool.Return(buffer);
            _client.OriginSlots.Release();
        }
    }

    /// <summary>Caches a verified block, hands it to the waiting reader or the ready set, and completes its fetch.</summary>
    private void Publish(in BlockLocation block, BlockData data, TaskCompletionSource<bool> done, Dictionary<BlockKey, BlockData>? result)
    {
        BlockKey key = Key(block);
        Store(block, data.Memory.Span);
        _fetched.TryAdd(key, 0);
        if (result is not null)
        {
            lock (result)
            {
                result[key] = data; // the caller releases it
            }
        }
        else if (_ready.Count < _maxReadyBlocks && !IsDisposed && _ready.TryAdd(key, data))
        {
            // The ready set now holds the fetch's reference.
        }
        else
        {
            data.Release();
        }

        done.TrySetResult(true);
    }

    /// <summary>Stores a verified block in the cache; a cache that cannot take it costs only the serving of that block.</summary>
    private void Store(in BlockLocation block, ReadOnlySpan<byte> bytes)
    {
        ReadOnlySpan<byte> segmentId = block.Segment.SegmentId.Span;
        try
        {
            if (_cache.PutBlockCore(segmentId, block.BlockIndex, bytes, verified: true) == BlockPutResult.UnknownSegment &&
                _cache.RegisterSegment(block.Segment))
            {
                _cache.PutBlockCore(segmentId, block.BlockIndex, bytes, verified: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // The bytes are still delivered; only this node's serving of the block is lost.
        }
    }

    /// <summary>Checks a block against its hash in the content information (V2: the segment's HoD, block 0).</summary>
    private static bool Verify(in BlockLocation block, ReadOnlySpan<byte> bytes)
    {
        ContentSegment segment = block.Segment;
        if (!segment.HasBlockHash(block.BlockIndex) || bytes.Length != block.BlockRange.Length)
        {
            return false;
        }

        ReadOnlySpan<byte> expected = segment.GetBlockHash(block.BlockIndex);
        Span<byte> actual = stackalloc byte[PeerDistConstants.MaxDigestLength];
        actual = actual[..expected.Length];
        PeerDistKeyDerivation.ComputeHash(segment.HashAlgorithm, bytes, actual);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Learns the peers of the wanted segments (and a few following ones), in locator calls of at most 255 segments.</summary>
    private async Task LocateAsync(List<(BlockLocation Block, TaskCompletionSource<bool> Done)> owned, CancellationToken cancellationToken)
    {
        if (owned.TrueForAll(o => Volatile.Read(ref _segmentPeers[o.Block.SegmentListIndex]) is not null))
        {
            return;
        }

        IPeerLocator? locator = _client.Options.PeerLocator;
        await _locateGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var wanted = new SortedSet<int>();
            foreach ((BlockLocation block, _) in owned)
            {
                if (_segmentPeers[block.SegmentListIndex] is null)
                {
                    wanted.Add(block.SegmentListIndex);
                }
            }

            if (wanted.Count == 0)
            {
                return;
            }

            // Fill the probe: the segments after the wanted ones (then those before), up to 255 identifiers. A probe costs
            // the same whatever it names, and a random-access reader must not pay a discovery wait per new segment
            // (V1: a 1 GiB content is 32 segments, one probe; V2 segments average 64 to 128 KiB).
            for (int i = wanted.Max + 1; i < _segmentPeers.Length && wanted.Count < MaxLocateBatch; i++)
            {
                if (_segmentPeers[i] is null)
                {
                    wanted.Add(i);
                }
            }

            for (int i = wanted.Min - 1; i >= 0 && wanted.Count < MaxLocateBatch; i--)
            {
                if (_segmentPeers[i] is null)
                {
                    wanted.Add(i);
                }
            }

            // At most 255 segments per locate call (one MS-PCCRD probe); a large read needs several, asked at once.
            int[][] batches = [.. wanted.Chunk(MaxLocateBatch)];
            await Task.WhenAll(batches.Select(batch => LocateBatchAsync(locator, batch, cancellationToken))).ConfigureAwait(false);
        }
        finally
        {
            _locateGate.Release();
        }
    }

    /// <summary>
    /// The order in which the peers of a segment are asked for one block: peers without failures before peers with some,
    /// peers that have not said "missing" for this segment before those that have, the last peer that delivered anything
    /// before the rest, and otherwise rotated by block index so that consecutive blocks go to different peers in
    /// parallel (spreading the load is what makes several peers faster than one).
    /// </summary>
    private List<EndPoint> Order(IReadOnlyList<EndPoint> peers, in BlockLocation block)
    {
        EndPoint? last = _lastGoodPeer;
        int count = peers.Count;
        int rotation = (int)((block.BlockRange.Start / PeerDistConstants.BlockSize) % count);
        var ordered = new List<(EndPoint Peer, int Strikes, bool Missing, int Position)>(count);
        for (int i = 0; i < count; i++)
        {
            EndPoint peer = peers[i];
            int strikes = _strikes.TryGetValue(peer, out int s) ? s : 0;
            bool missing = _missing.ContainsKey((peer, block.SegmentListIndex));
            ordered.Add((peer, strikes, missing, (i - rotation + count) % count));
        }

        ordered.Sort((a, b) =>
        {
            int byStrikes = a.Strikes.CompareTo(b.Strikes);
            if (byStrikes != 0)
            {
                return byStrikes;
            }

            int byMissing = a.Missing.CompareTo(b.Missing);
            if (byMissing != 0 || a.Strikes == 0)
            {
                return byMissing != 0 ? byMissing : a.Position.CompareTo(b.Position);
            }

            // Among peers that have failed before, the last one that delivered goes first.
            bool aLast = a.Peer.Equals(last);
            bool bLast = b.Peer.Equals(last);
            return aLast != bLast ? (aLast ? -1 : 1) : a.Position.CompareTo(b.Position);
        });
        return ordered.ConvertAll(static o => o.Peer);
    }

    private bool IsExcluded(EndPoint peer) => _strikes.TryGetValue(peer, out int strikes) && strikes >= _client.Options.PeerFailureLimit;

    private void Strike(EndPoint peer, int amount)
    {
        int limit = _client.Options.PeerFailureLimit;
        int strikes = _strikes.AddOrUpdate(peer, amount, (_, strikes) => strikes + amount);
        if (strikes >= limit && strikes - amount < limit)
        {
            // This strike crossed the limit: the peer is excluded for the rest of this content (counted once).
            _client.Options.Metrics?.PeerExcluded();
        }
    }
}
