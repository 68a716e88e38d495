namespace PeerDist.Retrieval;

/// <summary>
/// MS-PCCRR 2.2.1.5 <c>ENCODED_SEGMENT_AGE</c>: the age of one segment, by its index relative to the first segment of
/// the message. On the wire: <c>SegmentIndex</c> then the 24-bit age as AgeLow, AgeMid, AgeHigh, i.e. little-endian,
/// unlike every other PCCRR field.
/// </summary>
/// <param name="SegmentIndex"><c>SegmentIndex</c>.</param>
/// <param name="Age">Low + 256·Mid + 65536·High; below 2^24. The unit is the blob's <see cref="PccrrSegmentAgeUnit"/>.</param>
public readonly record struct PccrrSegmentAge(byte SegmentIndex, uint Age)
{
    /// <summary>The encoded length of one age.</summary>
    public const int Size = 4;

    /// <summary>The largest age 24 bits hold.</summary>
    public const uint MaxAge = 0xFF_FFFF;
}
