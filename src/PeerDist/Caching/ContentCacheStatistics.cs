namespace PeerDist.Caching;

/// <summary>An immutable snapshot of a <see cref="ContentCache"/>'s contents and counters.</summary>
public sealed record ContentCacheStatistics
{
    /// <summary>Registered segments.</summary>
    public long SegmentCount { get; init; }

    /// <summary>Held (verified) blocks over all segments.</summary>
    public long BlockCount { get; init; }

    /// <summary>Bytes of the held blocks (plaintext lengths; metadata files are not counted).</summary>
    public long Bytes { get; init; }

    /// <summary>The size cap in bytes the cache enforces.</summary>
    public long CapacityBytes { get; init; }

    /// <summary>Block reads that were served.</summary>
    public long Hits { get; init; }

    /// <summary>Block reads that found no block (unknown segment, block not held, expired or damaged).</summary>
    public long Misses { get; init; }

    /// <summary>Segments removed to get under the size cap (least recently used first).</summary>
    public long Evictions { get; init; }

    /// <summary>Segments removed because they were not accessed for longer than the maximum age.</summary>
    public long Expirations { get; init; }

    /// <summary>Blocks refused by a put because they did not match their hash.</summary>
    public long RejectedBlocks { get; init; }

    /// <summary>Stored blocks found damaged (hash mismatch or wrong length) and discarded.</summary>
    public long DamagedBlocks { get; init; }
}
