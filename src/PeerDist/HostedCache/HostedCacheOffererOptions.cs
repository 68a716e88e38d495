using System.Text;

namespace PeerDist.HostedCache;

/// <summary>Where and how a <see cref="HostedCacheOfferer"/> offers segments.</summary>
public sealed class HostedCacheOffererOptions
{
    /// <summary>The default content tag: the 16 ASCII bytes <c>PeerDist.Managed</c> (Windows uses e.g. <c>WinINet</c>, <c>BITS-4.0</c>).</summary>
    public static ReadOnlyMemory<byte> DefaultContentTag { get; } = Encoding.ASCII.GetBytes("PeerDist.Managed");

    /// <summary>
    /// The hosted cache, as <c>http://host:port/</c> for version 2.0 or <c>https://host:port/</c> for version 1.0; the
    /// MS-PCHC path is appended. Required.
    /// </summary>
    public Uri? HostedCache { get; init; }

    /// <summary>The protocol version (default 2.0, as every Windows client since Windows 8).</summary>
    public HostedCacheProtocolVersion Version { get; init; } = HostedCacheProtocolVersion.V2;

    /// <summary>The port of this node's PCCRR server, which the hosted cache connects back to. Required.</summary>
    public int PccrrPort { get; init; }

    /// <summary>The 16-byte content tag sent with every offer.</summary>
    public ReadOnlyMemory<byte> ContentTag { get; init; } = DefaultContentTag;

    /// <summary>How long the first queued segment waits for others to join its BATCHED_OFFER (default 100 ms).</summary>
    public TimeSpan BatchDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The timeout of one offer request (default 15 s: MS-PCHC 3.2 expires requests after 10 to 15 s).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The wait before the first retry of an offer the hosted cache did not take; doubled per attempt (default 1 s).</summary>
    public TimeSpan InitialRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between retries (default 60 s).</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Attempts per offer before its segments are given up (default 6).</summary>
    public int MaxAttempts { get; init; } = 6;

    /// <summary>Segments waiting to be offered beyond which new ones are dropped (default 10 000).</summary>
    public int MaxQueuedSegments { get; init; } = 10_000;

    /// <summary>
    /// The HTTP handler offers go through (for example one that validates the hosted cache's certificate for version
    /// 1.0); a <see cref="SocketsHttpHandler"/> without proxy by default. The offerer disposes it.
    /// </summary>
    public HttpMessageHandler? Handler { get; init; }

    /// <summary>The clock (injectable for tests).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal HostedCacheOffererOptions Validate()
    {
        if (HostedCache is null || !HostedCache.IsAbsoluteUri || (HostedCache.Scheme != Uri.UriSchemeHttp && HostedCache.Scheme != Uri.UriSchemeHttps))
        {
            ThrowHelper.ThrowArgument("The hosted cache must be an absolute http:// or https:// address.", nameof(HostedCache));
        }

        if (Version == HostedCacheProtocolVersion.V1 && HostedCache.Scheme != Uri.UriSchemeHttps)
        {
            ThrowHelper.ThrowArgument("MS-PCHC version 1.0 runs over HTTPS: the offers carry segment secrets.", nameof(HostedCache));
        }

        if (PccrrPort is <= 0 or > ushort.MaxValue)
        {
            ThrowHelper.ThrowArgument("The PCCRR port must be 1 to 65535.", nameof(PccrrPort));
        }

        if (ContentTag.Length != PchcConstants.ContentTagLength)
        {
            ThrowHelper.ThrowArgument("A content tag is 16 bytes.", nameof(ContentTag));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(BatchDelay, TimeSpan.Zero, nameof(BatchDelay));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RequestTimeout, TimeSpan.Zero, nameof(RequestTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(InitialRetryDelay, TimeSpan.Zero, nameof(InitialRetryDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRetryDelay, InitialRetryDelay, nameof(MaxRetryDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1, nameof(MaxAttempts));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueuedSegments, 1, nameof(MaxQueuedSegments));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        return this;
    }
}
