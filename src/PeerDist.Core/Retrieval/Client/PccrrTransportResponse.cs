using System.Buffers;

namespace PeerDist.Retrieval.Client;

/// <summary>
/// What <see cref="IPccrrTransport.SendAsync"/> returns: a response body in an owned (typically pooled) buffer, or a typed
/// failure. The receiver disposes it, which returns the buffer.
/// </summary>
public sealed class PccrrTransportResponse : IDisposable
{
    private IMemoryOwner<byte>? _owner;
    private readonly int _length;

    private PccrrTransportResponse(PccrrTransportStatus status, IMemoryOwner<byte>? owner, int length)
    {
        Status = status;
        _owner = owner;
        _length = length;
    }

    /// <summary>How the exchange ended.</summary>
    public PccrrTransportStatus Status { get; }

    /// <summary>The response body (TRANSPORT_RESPONSE_HEADER + message) when <see cref="Status"/> is <see cref="PccrrTransportStatus.Success"/>; empty otherwise or after <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<byte> Body => _owner is { } owner ? owner.Memory[.._length] : ReadOnlyMemory<byte>.Empty;

    /// <summary>A successful exchange whose body is the first <paramref name="length"/> bytes of <paramref name="owner"/>; the response takes ownership.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative or longer than the buffer.</exception>
    public static PccrrTransportResponse FromBody(IMemoryOwner<byte> owner, int length)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, owner.Memory.Length);
        return new PccrrTransportResponse(PccrrTransportStatus.Success, owner, length);
    }

    /// <summary>A failed exchange.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="status"/> is <see cref="PccrrTransportStatus.Success"/> or undefined.</exception>
    public static PccrrTransportResponse Failure(PccrrTransportStatus status)
    {
        if (status is <= PccrrTransportStatus.Success or > PccrrTransportStatus.ConnectionClosed)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(status), "A failure needs a failure status.");
        }

        return new PccrrTransportResponse(status, null, 0);
    }

    /// <summary>Returns the buffer to its owner.</summary>
    public void Dispose()
    {
        IMemoryOwner<byte>? owner = Interlocked.Exchange(ref _owner, null);
        owner?.Dispose();
    }
}
