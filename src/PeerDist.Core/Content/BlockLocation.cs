namespace PeerDist.Content;

/// <summary>A block of a content information and the part of it a content range needs.</summary>
/// <param name="Segment">The segment holding the block.</param>
/// <param name="SegmentListIndex">The position of <paramref name="Segment"/> in <see cref="ContentInformation.Segments"/>.</param>
/// <param name="BlockIndex">The block's index inside its segment (PCCRR block index).</param>
/// <param name="BlockRange">All the bytes of the block.</param>
/// <param name="Trimmed">The bytes of the block inside the requested range.</param>
public readonly record struct BlockLocation(
    ContentSegment Segment,
    int SegmentListIndex,
    int BlockIndex,
    ContentRange BlockRange,
    ContentRange Trimmed);
