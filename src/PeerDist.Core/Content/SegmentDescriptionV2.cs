namespace PeerDist.Content;

/// <summary>
/// A zero-copy view of one V2 <c>SegmentDescription</c> (MS-PCCRC 2.4.1.2) with its implicit position in the content.
/// The spans point into the reader's input and live as long as it does.
/// </summary>
public readonly ref struct SegmentDescriptionV2
{
    internal SegmentDescriptionV2(long index, long offsetInContent, int segmentLength, ReadOnlySpan<byte> hashOfData, ReadOnlySpan<byte> segmentSecret, int chunkIndex)
    {
        Index = index;
        OffsetInContent = offsetInContent;
        SegmentLength = segmentLength;
        HashOfData = hashOfData;
        SegmentSecret = segmentSecret;
        ChunkIndex = chunkIndex;
    }

    /// <summary>The index of the segment in the whole content (<c>ullIndexOfFirstSegment</c> plus its position).</summary>
    public long Index { get; }

    /// <summary>Where the segment starts: <c>ullStartInContent</c> plus the lengths of the segments before it.</summary>
    public long OffsetInContent { get; }

    /// <summary><c>cbSegment</c>.</summary>
    public int SegmentLength { get; }

    /// <summary><c>SegmentHashOfData</c> (HoD): truncated SHA-512 of the segment's bytes.</summary>
    public ReadOnlySpan<byte> HashOfData { get; }

    /// <summary><c>SegmentSecret</c> (Kp).</summary>
    public ReadOnlySpan<byte> SegmentSecret { get; }

    /// <summary>The position of the chunk that holds this segment.</summary>
    public int ChunkIndex { get; }
}
