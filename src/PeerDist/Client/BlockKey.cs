namespace PeerDist.Client;

/// <summary>A block of a content: its segment's position in the content information and its index in the segment.</summary>
internal readonly record struct BlockKey(int SegmentListIndex, int BlockIndex);
