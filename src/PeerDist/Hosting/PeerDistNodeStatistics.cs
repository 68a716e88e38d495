using PeerDist.Caching;
using PeerDist.HostedCache;

namespace PeerDist.Hosting;

/// <summary>A snapshot of what a <see cref="PeerDistNode"/> holds and has done since it was created.</summary>
public sealed record PeerDistNodeStatistics
{
    /// <summary>The cache: segments, blocks, bytes, cap, hits, misses, evictions.</summary>
    public required ContentCacheStatistics Cache { get; init; }

    /// <summary>Blocks served to peers over MS-PCCRR.</summary>
    public long BlocksServed { get; init; }

    /// <summary>Bytes of the MS-PCCRR responses that carried served blocks.</summary>
    public long BytesServed { get; init; }

    /// <summary>MS-PCCRR requests dropped as malformed or unsupported (answered with a plain HTTP error).</summary>
    public long RequestsRejected { get; init; }

    /// <summary>PCCRR connections accepted.</summary>
    public long ConnectionsAccepted { get; init; }

    /// <summary>MS-PCCRD ProbeMatches sent.</summary>
    public long ProbesAnswered { get; init; }

    /// <summary>
    /// <see cref="PeerDistNodeMode.HostedCache"/> mode: offers answered and dropped, pulls, bytes pulled; null in the
    /// other modes.
    /// </summary>
    public HostedCacheStatistics? HostedCache { get; init; }

    /// <summary>
    /// <see cref="PeerDistNodeMode.HostedCacheClient"/> mode, once started with offering on: segments offered, requests,
    /// INTERESTED answers, segments given up; null otherwise.
    /// </summary>
    public HostedCacheOffererStatistics? Offers { get; init; }
}
