using System.Net;

namespace PeerDist.Transport.Http;

/// <summary>Immutable settings of a <see cref="PeerDistHttpServer"/>; checked once by <see cref="Validate"/> at construction.</summary>
public sealed record PeerDistHttpServerOptions
{
    /// <summary>The port Windows uses for MS-PCCRR and MS-PCHC v2 (MS-CCROD 2.3.2).</summary>
    public const int DefaultPort = 80;

    /// <summary>
    /// The addresses to listen on; at least one. There is no wildcard default: the caller chooses
    /// (for example <c>new IPEndPoint(IPAddress.IPv6Any, DefaultPort)</c>). Port 0 picks a free port;
    /// read the bound one from <see cref="PeerDistHttpServer.LocalEndPoints"/>.
    /// </summary>
    public IReadOnlyList<IPEndPoint> EndPoints { get; init; } = [];

    /// <summary>Largest request line plus headers (and chunked trailers) accepted; larger gets 431.</summary>
    public int MaxRequestHeaderBytes { get; init; } = 8 * 1024;

    /// <summary>Largest request body accepted; larger gets 413 before the body is read. Default: the MS-PCCRR request limit.</summary>
    public long MaxRequestBodyBytes { get; init; } = 98_304;

    /// <summary>How long a kept-alive connection may wait for the first byte of its next request.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a request may take from its first byte to its last body byte (MS-PCCRR note 14: 15 s).</summary>
    public TimeSpan UploadTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Connections open at once; further ones are accepted and closed at once.</summary>
    public int MaxConcurrentConnections { get; init; } = 1024;

    /// <summary>How long <see cref="PeerDistHttpServer.DisposeAsync"/> waits for in-flight responses before aborting them.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Listen backlog of each socket.</summary>
    public int ListenBacklog { get; init; } = 512;

    /// <summary>The clock behind every timeout.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// When set, every connection is TLS (HTTPS) with these options — the MS-PCHC version 1.0 hosted cache path, default
    /// port 443. The handshake is bounded by <see cref="UploadTimeout"/>; a failed handshake closes the connection.
    /// Client authentication (SPNEGO) is not implemented.
    /// </summary>
    public System.Net.Security.SslServerAuthenticationOptions? Tls { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> when a setting is out of range.</summary>
    public void Validate()
    {
        if (EndPoints is null || EndPoints.Count == 0)
        {
            HttpThrowHelper.ThrowArgument("At least one end point to listen on is required.", nameof(EndPoints));
        }

        foreach (IPEndPoint endPoint in EndPoints)
        {
            if (endPoint is null)
            {
                HttpThrowHelper.ThrowArgument("End points must not be null.", nameof(EndPoints));
            }
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRequestHeaderBytes, 64, nameof(MaxRequestHeaderBytes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxRequestHeaderBytes, 1024 * 1024, nameof(MaxRequestHeaderBytes));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRequestBodyBytes, nameof(MaxRequestBodyBytes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxRequestBodyBytes, Array.MaxLength, nameof(MaxRequestBodyBytes));
        ThrowIfNotPositive(IdleTimeout, nameof(IdleTimeout));
        ThrowIfNotPositive(UploadTimeout, nameof(UploadTimeout));
        ThrowIfNotPositive(ShutdownTimeout, nameof(ShutdownTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentConnections, 1, nameof(MaxConcurrentConnections));
        ArgumentOutOfRangeException.ThrowIfLessThan(ListenBacklog, 1, nameof(ListenBacklog));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        if (Tls is not null && Tls.ServerCertificate is null && Tls.ServerCertificateContext is null && Tls.ServerCertificateSelectionCallback is null)
        {
            HttpThrowHelper.ThrowArgument("TLS needs a server certificate.", nameof(Tls));
        }
    }

    internal static void ThrowIfNotPositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            HttpThrowHelper.ThrowArgumentOutOfRange(name, "The timeout must be positive or Timeout.InfiniteTimeSpan.");
        }
    }
}
