using System.Buffers;

namespace PeerDist.Transport.Http;

/// <summary>
/// A successful (200) response body in a pooled buffer. Dispose it once the body has been read; the
/// memory must not be used afterwards.
/// </summary>
public sealed class PeerDistHttpResponse : IDisposable
{
    private byte[]? _buffer;
    private readonly int _length;

    internal PeerDistHttpResponse(int statusCode, byte[] buffer, int length)
    {
        StatusCode = statusCode;
        _buffer = buffer;
        _length = length;
    }

    /// <summary>The HTTP status (always 200: other statuses throw <see cref="PeerDistHttpException"/>).</summary>
    public int StatusCode { get; }

    /// <summary>The response body; valid until <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<byte> Body
    {
        get
        {
            ObjectDisposedException.ThrowIf(_buffer is null, this);
            return _buffer.AsMemory(0, _length);
        }
    }

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        byte[]? buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null && buffer.Length != 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
