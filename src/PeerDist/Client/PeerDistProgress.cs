namespace PeerDist.Client;

/// <summary>A progress report of a content handle: one block obtained.</summary>
/// <param name="Source">Where the block came from.</param>
/// <param name="Bytes">The block's length.</param>
/// <param name="TotalBytesObtained">Bytes obtained so far from every source (cache reads included).</param>
public readonly record struct PeerDistProgress(BlockDataSource Source, int Bytes, long TotalBytesObtained);
