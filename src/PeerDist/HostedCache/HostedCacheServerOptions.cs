namespace PeerDist.HostedCache;

/// <summary>How a <see cref="HostedCacheServer"/> accepts offers and pulls what it is offered.</summary>
public sealed class HostedCacheServerOptions
{
    /// <summary>Segments pulled from offering clients at once (default 8).</summary>
    public int MaxConcurrentPulls { get; init; } = 8;

    /// <summary>
    /// Offered segments waiting for a pull slot, beyond which new offers are still answered (OK / INTERESTED) but not
    /// pulled, so an offer storm costs bounded memory (default 4096).
    /// </summary>
    public int MaxPendingPulls { get; init; } = 4096;

    /// <summary>The longest one segment's pull may take before it is abandoned (default 60 s).</summary>
    public TimeSpan PullTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The largest offer body accepted (default 64 KiB; a SEGMENT_INFO for a 32 MiB SHA-512 segment is about 33 KB).</summary>
    public int MaxMessageLength { get; init; } = PeerDist.HostedCache.PchcConstants.DefaultMaxMessageLength;

    /// <summary>Blocks fetched per PCCRR call while pulling a V1 segment whose hashes are known (default 16: 1 MiB of buffer).</summary>
    public int PullBatchBlocks { get; init; } = 16;

    internal HostedCacheServerOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentPulls, 1, nameof(MaxConcurrentPulls));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingPulls, 1, nameof(MaxPendingPulls));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PullTimeout, TimeSpan.Zero, nameof(PullTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageLength, PeerDist.HostedCache.PchcConstants.HeaderLength, nameof(MaxMessageLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(PullBatchBlocks, 1, nameof(PullBatchBlocks));
        return this;
    }
}
