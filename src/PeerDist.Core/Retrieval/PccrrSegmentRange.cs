namespace PeerDist.Retrieval;

/// <summary>
/// MS-PCCRR 2.2.1.2 <c>SEGMENT_RANGE</c>: <see cref="Count"/> consecutive entries of a request's segment-ID array starting
/// at <see cref="Index"/>. A valid range has Count &gt; 0 and Index + Count &lt;= 2^32.
/// </summary>
/// <param name="Index">The first segment index (<c>Index</c>).</param>
/// <param name="Count">How many segments (<c>Count</c>).</param>
public readonly record struct PccrrSegmentRange(uint Index, uint Count)
{
    /// <summary>The encoded length of one range (two DWORDs).</summary>
    public const int Size = 8;

    /// <summary>Whether the range satisfies MS-PCCRR 2.2.1.2 (Count &gt; 0 and the end fits 32 bits).</summary>
    public bool IsValid => Count > 0 && (ulong)Index + Count <= (ulong)uint.MaxValue + 1;
}
