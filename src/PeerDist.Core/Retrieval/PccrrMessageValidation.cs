namespace PeerDist.Retrieval;

/// <summary>Argument checks shared by the message constructors (caller misuse, not bad wire data).</summary>
internal static class PccrrMessageValidation
{
    public static void ValidateBlockRanges(PccrrBlockRangeList ranges, string paramName)
    {
        foreach (PccrrBlockRange range in ranges)
        {
            if (!range.IsValid)
            {
                ThrowHelper.ThrowArgument("A block range must have Count > 0 and lie inside blocks 0..511.", paramName);
            }
        }
    }

    public static void ValidateSegmentRanges(ReadOnlySpan<PccrrSegmentRange> ranges, string paramName)
    {
        foreach (PccrrSegmentRange range in ranges)
        {
            if (!range.IsValid)
            {
                ThrowHelper.ThrowArgument("A segment range must have Count > 0 and end within 32 bits.", paramName);
            }
        }
    }

    public static void ValidateBlockIndex(uint index, string paramName)
    {
        if (index >= PeerDistConstants.MaxBlocksPerSegment)
        {
            ThrowHelper.ThrowArgumentOutOfRange(paramName, "A block index is 0..511.");
        }
    }

    public static void ValidateRequestId(ReadOnlySpan<byte> requestId, string paramName)
    {
        if (requestId.Length != PccrrGetSegmentListRequest.RequestIdLength)
        {
            ThrowHelper.ThrowArgument("A request identifier is 16 bytes.", paramName);
        }
    }
}
