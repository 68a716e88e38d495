using System.IO.Pipelines;
using System.Security.Cryptography;
using PeerDist.Content.Segmentation;
using PeerDist.Cryptography;

namespace PeerDist.Content;

/// <summary>
/// Hashes content into a content information, in one pass with bounded memory, spreading the hashing over the
/// processors. Use it in pieces — <see cref="Append(ReadOnlySpan{byte})"/> as data arrives, then <see cref="Complete"/> (the shape of
/// Windows' PublishStream / AddToStream / CompleteStream) — or through <see cref="CreateAsync(Stream, ServerSecret, ContentInformationBuilderOptions?, IProgress{long}?, CancellationToken)"/>
/// and its file and pipe siblings.
/// </summary>
/// <remarks>
/// Content is gathered into one of two 4 MiB buffers. When a buffer is full it is cut into units (64 KiB blocks for V1,
/// content-defined segments for V2) and the units are hashed in parallel while the next buffer fills. Memory stays at
/// the two buffers plus the hashes, whatever the content length. Not thread-safe: one caller appends at a time.
/// </remarks>
public sealed partial class ContentInformationBuilder : IDisposable
{
    /// <summary>The size of each of the two gathering buffers (a multiple of the block size that divides the segment size).</summary>
    internal const int BufferLength = 4 * 1024 * 1024;

    private const int MaxUnitsPerBuffer = (BufferLength / ContentDefinedSegmenter.MinLength) + 2;

    private readonly ContentInformationBuilderOptions _options;
    private readonly ContentHashAlgorithm _algorithm;
    private readonly int _digestLength;
    private readonly int _parallelism;
    private readonly int _minimumInPlaceLength;
    private readonly byte[] _serverKey;
    private readonly byte[]?[] _buffers = new byte[2][];
    private readonly UnitBatch[] _batches;
    private readonly List<ContentSegment> _segments = [];
    private readonly SegmentAccumulatorV1? _v1;
    private int _current;
    private int _filled;
    private long _dispatchedBytes;
    private long _committedBytes;
    private Task? _pending;
    private int _pendingBatch = -1;
    private bool _completed;
    private bool _disposed;

    /// <summary>Creates a builder keyed by <paramref name="secret"/> (only Ks is kept; the secret may be disposed afterwards).</summary>
    public ContentInformationBuilder(ServerSecret secret, ContentInformationBuilderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(secret);
        _options = options ?? ContentInformationBuilderOptions.Default;
        _options.Validate();
        _algorithm = _options.EffectiveHashAlgorithm;
        _digestLength = _algorithm.GetDigestLength();
        _parallelism = _options.EffectiveParallelism;

        // In-place hashing needs enough bytes to cut at least one unit without waiting for more data.
        _minimumInPlaceLength = _options.Version == ContentInformationVersion.V1 ? PeerDistConstants.BlockSize : ContentDefinedSegmenter.MaxLength;
        _serverKey = GC.AllocateUninitializedArray<byte>(_digestLength, pinned: true);
        secret.DeriveServerKey(_algorithm, _serverKey);
        _batches = [new UnitBatch(MaxUnitsPerBuffer, _digestLength), new UnitBatch(MaxUnitsPerBuffer, _digestLength)];
        if (_options.Version == ContentInformationVersion.V1)
        {
            _v1 = new SegmentAccumulatorV1(_algorithm, _serverKey);
        }
    }

    /// <summary>How many content bytes have been appended.</summary>
    public long BytesAppended => _dispatchedBytes + _filled;

    /// <summary>Hashes the next bytes of the content.</summary>
    /// <remarks>Single-threaded builders hash whole blocks straight from <paramref name="data"/>; others copy it into their buffers.</remarks>
    public void Append(ReadOnlySpan<byte> data)
    {
        ThrowIfUnusable();
        while (!data.IsEmpty)
        {
            if (_parallelism == 1 && _filled == 0 && data.Length >= _minimumInPlaceLength)
            {
                UnitBatch batch = _batches[_current];
                ReadOnlySpan<byte> slice = data[..Math.Min(data.Length, BufferLength)];
                int used = Cut(slice, isFinal: false, batch);
                HashBatch(slice, batch, 0, batch.Count);
                Commit(batch);
                _dispatchedBytes += used;
                data = data[used..];
                continue;
            }

            data = data[CopyIntoBuffer(data)..];
        }
    }

    /// <summary>
    /// Hashes the next bytes of the content in place, spread over the processors, without copying them; returns when
    /// they are hashed, so <paramref name="data"/> may be reused afterwards.
    /// </summary>
    public void Append(ReadOnlyMemory<byte> data)
    {
        ThrowIfUnusable();
        while (!data.IsEmpty)
        {
            if (_filled == 0 && data.Length >= _minimumInPlaceLength)
            {
                // Cut this slice while the previous one is still being hashed, then hash it in the background.
                UnitBatch batch = _batches[_current];
                ReadOnlyMemory<byte> slice = data[..Math.Min(data.Length, BufferLength)];
                int used = Cut(slice.Span, isFinal: false, batch);
                WaitForPending();
                if (_parallelism == 1)
                {
                    HashBatch(slice.Span, batch, 0, batch.Count);
                    Commit(batch);
                }
                else
                {
                    _pendingBatch = _current;
                    _pending = Task.Run(() => HashBatchParallel(slice, batch));
                    _current ^= 1;
                }

                _dispatchedBytes += used;
                data = data[used..];
                continue;
            }

            data = data[CopyIntoBuffer(data.Span)..];
        }

        // The caller may reuse its memory once this returns.
        WaitForPending();
    }

    /// <summary>
    /// Finishes hashing and returns the content information (restricted to <see cref="ContentInformationBuilderOptions.Range"/>
    /// when set). The builder cannot be used afterwards.
    /// </summary>
    /// <exception cref="InvalidOperationException">No content was appended (MS-PCCRC 2.3: content has at least one byte), or the range reaches past the content.</exception>
    public ContentInformation Complete()
    {
        ThrowIfUnusable();
        if (BytesAppended == 0)
        {
            ThrowHelper.ThrowInvalidOperation("Content information cannot describe empty content (MS-PCCRC 2.3: the content has at least one byte).");
        }

        Dispatch(isFinal: true);
        WaitForPending();
        _completed = true;
        ReturnBuffers();
        _v1?.Finish(_segments);

        ContentSegment[] segments = [.. _segments];
        var whole = new ContentRange(0, _committedBytes);
        ContentInformation info = _options.Version == ContentInformationVersion.V1
            ? new ContentInformationV1(_algorithm, 0, 0, whole, segments)
            : new ContentInformationV2(0, 0, 0, 0, whole, segments, ContentInformationV2.GroupIntoChunks(segments.Length));

        if (_options.Range is { } range)
        {
            if (range.End > whole.End)
            {
                ThrowHelper.ThrowInvalidOperation($"The requested range {range} reaches past the end of the content ({whole.End} bytes).");
            }

            return info.Restrict(range);
        }

        return info;
    }

    /// <summary>Wipes Ks. Waits for any hashing still running.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            _pending?.Wait();
        }
        catch (AggregateException)
        {
            // The failure was or will be reported by the call that started the work.
        }

        ReturnBuffers();
        CryptographicOperations.ZeroMemory(_serverKey);
        _disposed = true;
    }

    /// <summary>Hashes <paramref name="content"/> (copying it when hashing on several threads).</summary>
    public static ContentInformation Create(ReadOnlySpan<byte> content, ServerSecret secret, ContentInformationBuilderOptions? options = null)
    {
        using var builder = new ContentInformationBuilder(secret, options);
        builder.Append(content);
        return builder.Complete();
    }

    /// <summary>Hashes <paramref name="content"/> in place, spread over the processors.</summary>
    public static ContentInformation Create(ReadOnlyMemory<byte> content, ServerSecret secret, ContentInformationBuilderOptions? options = null)
    {
        using var builder = new ContentInformationBuilder(secret, options);
        builder.Append(content);
        return builder.Complete();
    }

    /// <summary>Hashes everything <paramref name="stream"/> yields, reading straight into the hashing buffers.</summary>
    public static async Task<ContentInformation> CreateAsync(
        Stream stream,
        ServerSecret secret,
        ContentInformationBuilderOptions? options = null,
        IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var builder = new ContentInformationBuilder(secret, options);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (builder._filled == BufferLength)
            {
                await builder.WaitForPendingAsync().ConfigureAwait(false);
                builder.Dispatch(isFinal: false);
            }

            int read = await stream.ReadAsync(builder.GetBuffer(builder._current).AsMemory(builder._filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            builder._filled += read;
            progress?.Report(builder.BytesAppended);
        }

        await builder.WaitForPendingAsync().ConfigureAwait(false);
        return builder.Complete();
    }

    /// <summary>Hashes the file at <paramref name="path"/>.</summary>
    public static async Task<ContentInformation> CreateFromFileAsync(
        string path,
        ServerSecret secret,
        ContentInformationBuilderOptions? options = null,
        IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (file.ConfigureAwait(false))
        {
            return await CreateAsync(file, secret, options, progress, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Hashes everything <paramref name="reader"/> yields until it completes. The reader is not completed by this method.</summary>
    public static async Task<ContentInformation> CreateAsync(
        PipeReader reader,
        ServerSecret secret,
        ContentInformationBuilderOptions? options = null,
        IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        using var builder = new ContentInformationBuilder(secret, options);
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
            {
                builder.Append(segment.Span);
            }

            reader.AdvanceTo(result.Buffer.End);
            progress?.Report(builder.BytesAppended);
            if (result.IsCompleted || result.IsCanceled)
            {
                if (result.IsCanceled)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    throw new OperationCanceledException("The pipe read was canceled.");
                }

                break;
            }
        }

        return builder.Complete();
    }

    /// <summary>Copies as much of <paramref name="data"/> as fits into the current buffer, dispatching it when full.</summary>
    private int CopyIntoBuffer(ReadOnlySpan<byte> data)
    {
        int count = Math.Min(data.Length, BufferLength - _filled);
        data[..count].CopyTo(GetBuffer(_current).AsSpan(_filled));
        _filled += count;
        if (_filled == BufferLength)
        {
            Dispatch(isFinal: false);
        }

        return count;
    }

    /// <summary>Cuts <paramref name="data"/> into units (V1 blocks, V2 segments) and returns how many bytes they cover.</summary>
    private int Cut(ReadOnlySpan<byte> data, bool isFinal, UnitBatch batch)
    {
        batch.Clear();
        int used = 0;
        if (_options.Version == ContentInformationVersion.V1)
        {
            int blockSize = PeerDistConstants.BlockSize;
            int end = isFinal ? data.Length : data.Length - (data.Length % blockSize);
            while (used < end)
            {
                // MS-PCCRC 2.1: the last block of the content is hashed over its real bytes only, so advance by the
                // unit's own length; stepping a whole block would report more bytes used than the data holds.
                int unit = Math.Min(blockSize, end - used);
                batch.Add(used, unit);
                used += unit;
            }
        }
        else
        {
            while (used < data.Length)
            {
                int segment = ContentDefinedSegmenter.NextSegmentLength(data[used..], isFinal);
                if (segment == 0)
                {
                    break;
                }

                batch.Add(used, segment);
                used += segment;
            }
        }

        return used;
    }

    /// <summary>Cuts the current buffer into units, starts hashing them, and carries the undecided tail into the other buffer.</summary>
    private void Dispatch(bool isFinal)
    {
        byte[] buffer = GetBuffer(_current);
        int length = _filled;
        UnitBatch batch = _batches[_current];
        int used = Cut(buffer.AsSpan(0, length), isFinal, batch);

        WaitForPending();

        // The other buffer is free now: the tail that could not be cut yet starts it.
        int next = _current ^ 1;
        buffer.AsSpan(used, length - used).CopyTo(GetBuffer(next));
        _dispatchedBytes += used;
        _filled = length - used;

        if (batch.Count > 0)
        {
            if (_parallelism == 1)
            {
                HashBatch(buffer, batch, 0, batch.Count);
                Commit(batch);
            }
            else
            {
                // Hash this buffer on the pool while the caller fills the other one.
                _pendingBatch = _current;
                _pending = Task.Run(() => HashBatchParallel(buffer, batch));
            }
        }

        _current = next;
    }

    private void HashBatchParallel(ReadOnlyMemory<byte> source, UnitBatch batch)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = _parallelism };
        int workers = Math.Min(_parallelism, batch.Count);
        Parallel.For(0, workers, options, worker =>
        {
            // Contiguous slices keep each worker streaming through its own part of the buffer.
            int from = (int)((long)batch.Count * worker / workers);
            int to = (int)((long)batch.Count * (worker + 1) / workers);
            HashBatch(source.Span, batch, from, to);
        });
    }

    private void HashBatch(ReadOnlySpan<byte> source, UnitBatch batch, int from, int to)
    {
        for (int i = from; i < to; i++)
        {
            ReadOnlySpan<byte> unit = source.Slice(batch.Offsets[i], batch.Lengths[i]);
            Span<byte> hash = batch.Hashes.AsSpan(i * _digestLength, _digestLength);
            PeerDistKeyDerivation.ComputeHash(_algorithm, unit, hash);
            if (_v1 is null)
            {
                // V2: the unit is a segment; its secret is keyed by Ks right away (MS-PCCRC 2.2).
                PeerDistKeyDerivation.ComputeSegmentSecret(_algorithm, _serverKey, hash, batch.Secrets.AsSpan(i * _digestLength, _digestLength));
            }
        }
    }

    private void WaitForPending()
    {
        if (_pending is null)
        {
            return;
        }

        Task pending = _pending;
        int batch = _pendingBatch;
        _pending = null;
        _pendingBatch = -1;
        pending.GetAwaiter().GetResult();
        Commit(_batches[batch]);
    }

    private async ValueTask WaitForPendingAsync()
    {
        if (_pending is { } pending)
        {
            await pending.ConfigureAwait(false);
        }

        WaitForPending();
    }
}
