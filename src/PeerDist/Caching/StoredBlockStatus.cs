namespace PeerDist.Caching;

/// <summary>What a concrete cache found when it loaded a stored block.</summary>
internal enum StoredBlockStatus
{
    Loaded,
    Missing,
    Damaged,
}
