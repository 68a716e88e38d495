namespace PeerDist.Transport.Http;

/// <summary>Immutable settings of a <see cref="PeerDistHttpClient"/>; checked once by <see cref="Validate"/> at construction.</summary>
public sealed record PeerDistHttpClientOptions
{
    /// <summary>
    /// Time to get a connection: waiting for a free slot of the per-peer pool plus the TCP connect.
    /// </summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Time from sending the request to the last byte of the response (MS-PCCRR note 9: 2 s).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Largest response body accepted: by default the largest MS-PCCRR response, a MSG_BLK with a 64 KiB
    /// block in the worst layout (393,216 bytes) plus the 4-byte TRANSPORT_RESPONSE_HEADER.
    /// </summary>
    public long MaxResponseBodyBytes { get; init; } = 393_216 + 4;

    /// <summary>Largest status line plus headers accepted.</summary>
    public int MaxResponseHeaderBytes { get; init; } = 8 * 1024;

    /// <summary>Connections open to one peer at once (busy plus idle); further requests wait for a slot.</summary>
    public int MaxConnectionsPerEndPoint { get; init; } = 8;

    /// <summary>
    /// An idle pooled connection older than this is closed instead of reused. Keep it below the peer's idle
    /// timeout (15 s on Windows and on <see cref="PeerDistHttpServer"/>) so reuse rarely races the peer's close.
    /// </summary>
    public TimeSpan PooledConnectionIdleTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The clock behind every timeout.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws <see cref="ArgumentException"/> when a setting is out of range.</summary>
    public void Validate()
    {
        PeerDistHttpServerOptions.ThrowIfNotPositive(ConnectTimeout, nameof(ConnectTimeout));
        PeerDistHttpServerOptions.ThrowIfNotPositive(RequestTimeout, nameof(RequestTimeout));
        PeerDistHttpServerOptions.ThrowIfNotPositive(PooledConnectionIdleTimeout, nameof(PooledConnectionIdleTimeout));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxResponseBodyBytes, nameof(MaxResponseBodyBytes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxResponseBodyBytes, Array.MaxLength, nameof(MaxResponseBodyBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxResponseHeaderBytes, 64, nameof(MaxResponseHeaderBytes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxResponseHeaderBytes, 1024 * 1024, nameof(MaxResponseHeaderBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConnectionsPerEndPoint, 1, nameof(MaxConnectionsPerEndPoint));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }
}
