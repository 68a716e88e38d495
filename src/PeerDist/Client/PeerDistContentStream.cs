using PeerDist.Content;

namespace PeerDist.Client;

/// <summary>
/// A read-only, seekable stream over a <see cref="PeerDistContent"/>'s range (<c>PeerDistClientStreamRead</c>). While it is
/// read sequentially it keeps up to the read-ahead length being fetched ahead of its position, in 1 MiB pieces, so that
/// peers and the origin work in parallel with the reader. Every byte read is verified.
/// </summary>
internal sealed class PeerDistContentStream : Stream
{
    private const int PrefetchPiece = 16 * PeerDistConstants.BlockSize;

    private readonly PeerDistContent _content;
    private readonly int _readAhead;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _prefetches = [];
    private long _position;
    private long _prefetchedUpTo;
    private bool _disposed;

    public PeerDistContentStream(PeerDistContent content, int readAhead)
    {
        _content = content;
        _readAhead = readAhead;
        _prefetchedUpTo = content.Range.Start;
    }

    public override bool CanRead => !_disposed;

    public override bool CanSeek => !_disposed;

    public override bool CanWrite => false;

    public override long Length => _content.Range.Length;

    public override long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        long target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        _position = target;
        return target;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        byte[] rented = System.Buffers.ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            int read = ReadAsync(rented.AsMemory(0, buffer.Length)).AsTask().GetAwaiter().GetResult();
            rented.AsSpan(0, read).CopyTo(buffer);
            return read;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long offset = _content.Range.Start + _position;
        if (_position >= Length || buffer.IsEmpty)
        {
            return 0;
        }

        StartReadAhead(offset + buffer.Length);
        int read = await _content.ReadAsync(offset, buffer, cancellationToken).ConfigureAwait(false);
        _position += read;
        return read;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException("The stream is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("The stream is read-only.");

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _stop.Cancel();
            _stop.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Keeps [end of this read, + read-ahead) being fetched; a seek elsewhere restarts the window there.</summary>
    private void StartReadAhead(long readEnd)
    {
        if (_readAhead == 0)
        {
            return;
        }

        _prefetches.RemoveAll(static t => t.IsCompleted);
        if (_prefetchedUpTo < readEnd || _prefetchedUpTo > readEnd + _readAhead)
        {
            _prefetchedUpTo = readEnd;
        }

        long limit = Math.Min(_content.Range.End, readEnd + _readAhead);
        while (_prefetchedUpTo < limit)
        {
            var piece = ContentRange.FromBounds(_prefetchedUpTo, Math.Min(limit, _prefetchedUpTo + PrefetchPiece));
            _prefetches.Add(PrefetchQuietlyAsync(piece));
            _prefetchedUpTo = piece.End;
        }
    }

    private async Task PrefetchQuietlyAsync(ContentRange piece)
    {
        try
        {
            await _content.PrefetchAsync(piece, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or IOException)
        {
            // Read-ahead is a hint: the read that needs these bytes fetches them itself and reports any error.
        }
    }
}
