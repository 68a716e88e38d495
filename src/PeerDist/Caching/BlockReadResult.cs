namespace PeerDist.Caching;

/// <summary>The outcome of a block read: a status and, on success, the block's length.</summary>
/// <param name="Status">What happened.</param>
/// <param name="BytesWritten">The block length written on success; the length needed on <see cref="BlockReadStatus.DestinationTooSmall"/>; otherwise 0.</param>
public readonly record struct BlockReadResult(BlockReadStatus Status, int BytesWritten)
{
    /// <summary>Whether the block was written.</summary>
    public bool IsSuccess => Status == BlockReadStatus.Success;
}
