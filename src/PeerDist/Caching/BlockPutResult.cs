namespace PeerDist.Caching;

/// <summary>The outcome of <see cref="ContentCache.PutBlock"/>. Only <see cref="Stored"/> and <see cref="AlreadyHeld"/> mean the block is held.</summary>
public enum BlockPutResult
{
    /// <summary>The block matched its hash and is now stored.</summary>
    Stored = 0,

    /// <summary>The block was already held; nothing changed except its segment's last-access time.</summary>
    AlreadyHeld,

    /// <summary>The block did not match its hash and was not stored.</summary>
    VerificationFailed,

    /// <summary>No segment with that identifier is registered (or it expired).</summary>
    UnknownSegment,

    /// <summary>The segment has no block with that index.</summary>
    BlockIndexOutOfRange,

    /// <summary>The block's length is not the length its position in the segment implies.</summary>
    WrongLength,

    /// <summary>The segment's metadata does not list this block's hash, so it cannot be verified and is not stored.</summary>
    HashNotListed,
}
