namespace PeerDist.Retrieval;

/// <summary>
/// MS-PCCRR 2.2.1.1 <c>BLOCK_RANGE</c>: <see cref="Count"/> consecutive blocks of a segment starting at <see cref="Index"/>.
/// A V1 segment has at most 512 blocks, so a valid range has Index 0..511, Count &gt; 0 and Index + Count &lt;= 512.
/// </summary>
/// <param name="Index">The first block (<c>Index</c>).</param>
/// <param name="Count">How many blocks (<c>Count</c>).</param>
public readonly record struct PccrrBlockRange(uint Index, uint Count)
{
    /// <summary>The encoded length of one range (two DWORDs).</summary>
    public const int Size = 8;

    /// <summary>Whether the range satisfies MS-PCCRR 2.2.1.1 (Count &gt; 0, inside blocks 0..511).</summary>
    public bool IsValid => Count > 0 && Index < PeerDistConstants.MaxBlocksPerSegment && Count <= PeerDistConstants.MaxBlocksPerSegment - Index;
}
