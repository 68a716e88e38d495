namespace PeerDist.Content;

/// <summary>One difference between content and its content information, found by <see cref="ContentInformationVerifier"/>.</summary>
/// <param name="Kind">What differs.</param>
/// <param name="SegmentListIndex">The position of the segment in <see cref="ContentInformation.Segments"/>.</param>
/// <param name="SegmentIndex">The index of the segment in the whole content (<see cref="ContentSegment.Index"/>).</param>
/// <param name="BlockIndex">The block inside the segment, or -1 when the mismatch concerns the whole segment.</param>
/// <param name="Range">
/// The content bytes concerned: the block, the segment, the missing bytes (<see cref="ContentMismatchKind.ContentTooShort"/>)
/// or the surplus bytes (<see cref="ContentMismatchKind.ContentTooLong"/>; length 0 when the stream could not tell).
/// </param>
/// <remarks>Carries positions only: never a hash, a key or a content byte.</remarks>
public readonly record struct ContentMismatch(
    ContentMismatchKind Kind,
    int SegmentListIndex,
    long SegmentIndex,
    int BlockIndex,
    ContentRange Range)
{
    /// <summary>A one-line description, for example <c>BlockHash: segment 0 (listed 0), block 1, bytes [65536, 128000)</c>.</summary>
    public override string ToString() => BlockIndex < 0
        ? $"{Kind}: segment {SegmentIndex} (listed {SegmentListIndex}), bytes {Range}"
        : $"{Kind}: segment {SegmentIndex} (listed {SegmentListIndex}), block {BlockIndex}, bytes {Range}";
}
