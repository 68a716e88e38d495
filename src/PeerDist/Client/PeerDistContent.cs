using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using PeerDist.Caching;
using PeerDist.Content;

namespace PeerDist.Client;

/// <summary>
/// One content being read through a <see cref="PeerDistClient"/>: random-access reads at an offset, a sequential
/// <see cref="Stream"/>, local-only reads, data the caller fetched itself, and statistics. Every byte handed out has been
/// verified against the content information, whatever its source.
/// </summary>
/// <remarks>
/// Offsets are content offsets, inside <see cref="Range"/> (the part of the content the content information covers;
/// all of it unless it was range-restricted). Several reads and streams may run at once; a block wanted by two of them is
/// fetched once.
/// </remarks>
public sealed partial class PeerDistContent : IAsyncDisposable, IDisposable
{
    private readonly PeerDistClient _client;
    private readonly ContentCache _cache;
    private readonly IOriginSource? _origin;
    private readonly IProgress<PeerDistProgress>? _progress;
    private readonly CancellationTokenSource _closed;
    private readonly long _openedAt;
    private readonly ConcurrentDictionary<EndPoint, long> _bytesByPeer = new();
    private long _bytesFromCache;
    private long _bytesFromPeers;
    private long _bytesFromOrigin;
    private long _bytesFromCaller;
    private long _blocksRetried;
    private long _blocksRejected;
    private long _obtained;
    private int _disposed;

    internal PeerDistContent(PeerDistClient client, ContentInformation information, IOriginSource? origin, Guid? tag, IProgress<PeerDistProgress>? progress)
    {
        _client = client;
        _cache = client.Cache;
        _origin = origin;
        _progress = progress;
        Information = information;
        Tag = tag;
        _closed = CancellationTokenSource.CreateLinkedTokenSource(client.ShutdownToken);
        _openedAt = client.Options.TimeProvider.GetTimestamp();
        _segmentPeers = new IReadOnlyList<EndPoint>?[information.Segments.Count];
        _maxReadyBlocks = Math.Max(client.Options.ReadAheadBytes / PeerDistConstants.BlockSize, 0) + (2 * client.Options.MaxBlocksInFlight);
    }

    /// <summary>The content information read.</summary>
    public ContentInformation Information { get; }

    /// <summary>The content bytes this handle can read (the content information's range).</summary>
    public ContentRange Range => Information.Range;

    /// <summary>The application tag given at open, if any.</summary>
    public Guid? Tag { get; }

    /// <summary>
    /// Reads content bytes from <paramref name="offset"/> into <paramref name="buffer"/>: everything up to the end of
    /// <see cref="Range"/> or of the buffer, whichever comes first; returns the count (0 at or after the end). Blocks come
    /// from the cache, then peers, then the origin.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is before <see cref="Range"/>.</exception>
    /// <exception cref="PeerDistContentUnavailableException">Some bytes could be obtained from nowhere (no peer had them and there is no origin).</exception>
    /// <exception cref="PeerDistOriginException">The origin failed or returned bytes that do not match the content information.</exception>
    /// <exception cref="OperationCanceledException">Cancelled, or the handle or client was disposed.</exception>
    public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(offset, Range.Start);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        int length = (int)Math.Min(buffer.Length, Math.Max(0, Range.End - offset));
        if (length == 0)
        {
            return 0;
        }

        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
        await FillAsync(offset, buffer[..length], linked.Token).ConfigureAwait(false);
        return length;
    }

    /// <summary>
    /// <see cref="ReadAsync(long, Memory{byte}, CancellationToken)"/> bounded in time, in the shape of the Windows
    /// <c>PeerDistClientBlockRead</c> timeout: <see cref="TimeSpan.Zero"/> reads only the local cache (as
    /// <see cref="ReadLocal"/>, returning what it holds), <see cref="Timeout.InfiniteTimeSpan"/> waits as long as it takes,
    /// anything else throws <see cref="TimeoutException"/> when the bytes are not all there in time.
    /// </summary>
    /// <exception cref="TimeoutException">The timeout passed before every byte was obtained and verified.</exception>
    public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (timeout == TimeSpan.Zero)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return ReadLocal(offset, buffer.Span);
        }

        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return await ReadAsync(offset, buffer, cancellationToken).ConfigureAwait(false);
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        using var deadline = new CancellationTokenSource(timeout, _client.Options.TimeProvider);
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await ReadAsync(offset, buffer, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Reading {buffer.Length} bytes at {offset} did not complete within {timeout}.");
        }
    }

    /// <summary>
    /// Copies what the local cache holds from <paramref name="offset"/> on, without any network access
    /// (<c>PEERDIST_READ_TIMEOUT_LOCAL_CACHE_ONLY</c>); returns how many consecutive bytes were copied (0 when the first
    /// block is not held).
    /// </summary>
    public int ReadLocal(long offset, Span<byte> buffer)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(offset, Range.Start);
        int length = (int)Math.Min(buffer.Length, Math.Max(0, Range.End - offset));
        int copied = 0;
        foreach (BlockLocation block in Information.GetBlocks(new ContentRange(offset, length)))
        {
            Span<byte> target = buffer.Slice((int)(block.Trimmed.Start - offset), (int)block.Trimmed.Length);
            if (!TryCopyLocal(block, target))
            {
                break;
            }

            copied += target.Length;
        }

        return copied;
    }

    /// <summary>How many consecutive bytes from <paramref name="offset"/> the local cache holds (a zero-length <c>BlockRead</c>).</summary>
    public long GetLocallyAvailableLength(long offset)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(offset, Range.Start);
        long available = 0;
        foreach (BlockLocation block in Information.GetBlocks(ContentRange.FromBounds(offset, Math.Max(offset, Range.End))))
        {
            if (!_cache.ContainsBlock(block.Segment.SegmentId.Span, block.BlockIndex))
            {
                break;
            }

            available += block.Trimmed.Length;
        }

        return available;
    }

    /// <summary>
    /// A read-only, seekable stream over <see cref="Range"/> (position 0 = <see cref="ContentRange.Start"/>) that reads
    /// ahead while it is read sequentially. Several streams may be open at once.
    /// </summary>
    public Stream OpenRead()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return new PeerDistContentStream(this, _client.Options.ReadAheadBytes);
    }

    /// <summary>
    /// Fetches every block of <see cref="Range"/> that the local cache lacks (the whole content is then cached), with the
    /// default <see cref="PeerDistDownloadOptions"/> (cooperating with other nodes downloading it at the same time).
    /// </summary>
    /// <exception cref="PeerDistContentUnavailableException">Some blocks could be obtained from nowhere.</exception>
    /// <exception cref="PeerDistOriginException">The origin failed.</exception>
    public Task DownloadAsync(CancellationToken cancellationToken = default) =>
        DownloadAsync(PeerDistDownloadOptions.Default, cancellationToken);

    /// <summary>The non-cooperative download: chunks of 64 blocks in content order, four at a time, as a stream reads.</summary>
    private async Task DownloadInOrderAsync(CancellationToken cancellationToken)
    {
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
        const long Chunk = 64L * PeerDistConstants.BlockSize;
        var chunks = new List<ContentRange>();
        for (long start = Range.Start; start < Range.End; start += Chunk)
        {
            chunks.Add(ContentRange.FromBounds(start, Math.Min(Range.End, start + Chunk)));
        }

        await Parallel.ForEachAsync(
            chunks,
            new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = linked.Token },
            async (chunk, token) => await PrefetchAsync(chunk, token).ConfigureAwait(false)).ConfigureAwait(false);
    }

    /// <summary>Writes the whole <see cref="Range"/> to <paramref name="destination"/> in order.</summary>
    public async Task CopyToAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        Stream source = OpenRead();
        await using (source.ConfigureAwait(false))
        {
            await source.CopyToAsync(destination, 1024 * 1024, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Supplies content bytes the caller obtained itself (<c>PeerDistClientAddData</c>), from <paramref name="offset"/>:
    /// each whole block inside the data is verified and cached (and so served to peers); partial blocks at the edges are
    /// ignored. Returns the bytes of the blocks accepted.
    /// </summary>
    /// <exception cref="InvalidDataException">A whole block does not match the content information (the blocks before it were accepted).</exception>
    public ValueTask<long> AddDataAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(offset, Range.Start);
        cancellationToken.ThrowIfCancellationRequested();
        long accepted = 0;
        foreach (BlockLocation block in Information.GetBlocks(new ContentRange(offset, Math.Min(data.Length, Math.Max(0, Range.End - offset)))))
        {
            if (block.Trimmed != block.BlockRange)
            {
                continue;
            }

            ReadOnlySpan<byte> bytes = data.Span.Slice((int)(block.BlockRange.Start - offset), (int)block.BlockRange.Length);
            if (!Verify(block, bytes))
            {
                Interlocked.Increment(ref _blocksRejected);
                _client.Options.Metrics?.BlockRejected();
                throw new InvalidDataException($"The data for block {block.BlockIndex} of segment {block.SegmentListIndex} does not match the content information.");
            }

            Store(block, bytes);
            accepted += bytes.Length;
            Count(BlockDataSource.Caller, null, bytes.Length);
        }

        return ValueTask.FromResult(accepted);
    }

    /// <summary>What has been delivered so far, by source.</summary>
    public PeerDistContentStatistics GetStatistics() => new()
    {
        BytesFromCache = Interlocked.Read(ref _bytesFromCache),
        BytesFromPeers = Interlocked.Read(ref _bytesFromPeers),
        BytesByPeer = new Dictionary<EndPoint, long>(_bytesByPeer),
        BytesFromOrigin = Interlocked.Read(ref _bytesFromOrigin),
        BytesFromCaller = Interlocked.Read(ref _bytesFromCaller),
        BlocksRetried = Interlocked.Read(ref _blocksRetried),
        BlocksRejected = Interlocked.Read(ref _blocksRejected),
        PeersExcluded = _strikes.Count(pair => pair.Value >= _client.Options.PeerFailureLimit),
        Elapsed = _client.Options.TimeProvider.GetElapsedTime(_openedAt),
    };

    /// <summary>Stops the handle's in-flight work and frees its buffers; the cached blocks stay.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _closed.Cancel();
        foreach (BlockKey key in _ready.Keys)
        {
            if (_ready.TryRemove(key, out BlockData? data))
            {
                data.Release();
            }
        }

        _closed.Dispose();
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void Count(BlockDataSource source, EndPoint? peer, int bytes)
    {
        switch (source)
        {
            case BlockDataSource.LocalCache:
                Interlocked.Add(ref _bytesFromCache, bytes);
                break;
            case BlockDataSource.Peer:
                Interlocked.Add(ref _bytesFromPeers, bytes);
                Debug.Assert(peer is not null, "a peer block names its peer");
                _bytesByPeer.AddOrUpdate(peer, bytes, (_, total) => total + bytes);
                break;
            case BlockDataSource.Origin:
                Interlocked.Add(ref _bytesFromOrigin, bytes);
                break;
            default:
                Interlocked.Add(ref _bytesFromCaller, bytes);
                break;
        }

        _client.Options.Metrics?.BlockObtained(source, peer, bytes);
        long total = Interlocked.Add(ref _obtained, bytes);
        _progress?.Report(new PeerDistProgress(source, bytes, total));
    }
}
