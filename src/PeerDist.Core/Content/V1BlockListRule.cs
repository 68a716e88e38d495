namespace PeerDist.Content;

/// <summary>
/// Which block hashes a V1 content information lists for a segment that intersects a range. The one place that holds
/// the project's decision on the unsettled point pccrc.md P7.
/// </summary>
/// <remarks>
/// MS-PCCRC 2.3.1.2 says <c>cBlocks</c> counts the blocks that intersect the range, but the examples 3.3 and 3.5 list a
/// first segment from block 0 while the range starts in block 1, and iPXE assumes every list starts at block 0. Both
/// readings agree that the list ends at the last block that intersects the range.
/// Writing: list from block 0 up to the last intersecting block (the examples, iPXE).
/// Reading: the list ends at the last intersecting block, so it starts at <c>lastIntersecting + 1 - cBlocks</c>; it must
/// start at or before the first intersecting block and not before block 0. This accepts both readings.
/// </remarks>
internal static class V1BlockListRule
{
    /// <summary>The blocks of a segment [<paramref name="segmentStart"/>, +<paramref name="segmentLength"/>) that intersect <paramref name="range"/>.</summary>
    public static (int First, int Last) IntersectingBlocks(long segmentStart, int segmentLength, ContentRange range)
    {
        long start = Math.Max(range.Start, segmentStart) - segmentStart;
        long end = Math.Min(range.End, segmentStart + segmentLength) - segmentStart;
        return ((int)(start / PeerDistConstants.BlockSize), (int)((end - 1) / PeerDistConstants.BlockSize));
    }

    /// <summary>Writing: the first listed block and the count for a segment of a range content information.</summary>
    public static (int First, int Count) ListedBlocksForWriting(long segmentStart, int segmentLength, ContentRange range)
    {
        (_, int last) = IntersectingBlocks(segmentStart, segmentLength, range);
        return (0, last + 1);
    }

    /// <summary>Reading: the first listed block for <paramref name="count"/> hashes, or a reason the count is wrong.</summary>
    public static PeerDistFormatError TryGetFirstListedBlock(long segmentStart, int segmentLength, ContentRange range, uint count, out int first)
    {
        (int firstIntersecting, int lastIntersecting) = IntersectingBlocks(segmentStart, segmentLength, range);
        first = 0;
        if (count > (uint)(lastIntersecting + 1))
        {
            return PeerDistFormatError.TooManyBlocks;
        }

        first = lastIntersecting + 1 - (int)count;
        return first > firstIntersecting ? PeerDistFormatError.InvalidBlockCount : PeerDistFormatError.Unknown;
    }
}
