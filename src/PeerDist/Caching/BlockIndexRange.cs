namespace PeerDist.Caching;

/// <summary>A run of consecutive block indices inside a segment (the shape of an MS-PCCRR 2.2.4.3 <c>BLOCK_RANGE</c>).</summary>
/// <param name="Index">The first block index.</param>
/// <param name="Count">How many blocks; at least 1.</param>
public readonly record struct BlockIndexRange(int Index, int Count)
{
    /// <summary>One past the last block index.</summary>
    public int End => Index + Count;
}
