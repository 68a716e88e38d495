namespace PeerDist.Caching;

/// <summary>The outcome of a block read from a <see cref="ContentCache"/>.</summary>
public enum BlockReadStatus
{
    /// <summary>The block was written to the destination.</summary>
    Success = 0,

    /// <summary>The cache holds no such block (unknown or expired segment, block not held, or damaged and discarded).</summary>
    NotFound,

    /// <summary>The destination is shorter than the block; <see cref="BlockReadResult.BytesWritten"/> holds the length needed.</summary>
    DestinationTooSmall,
}
