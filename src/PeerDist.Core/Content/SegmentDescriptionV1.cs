namespace PeerDist.Content;

/// <summary>
/// A zero-copy view of one V1 segment: its <c>SegmentDescription</c> (MS-PCCRC 2.3.1.1) joined with its
/// <c>SegmentContentBlocks</c> (2.3.1.2). The spans point into the reader's input and live as long as it does.
/// </summary>
public readonly ref struct SegmentDescriptionV1
{
    internal SegmentDescriptionV1(
        long offsetInContent,
        int segmentLength,
        int blockSize,
        ReadOnlySpan<byte> hashOfData,
        ReadOnlySpan<byte> segmentSecret,
        int firstBlockIndex,
        ReadOnlySpan<byte> blockHashes,
        int digestLength)
    {
        OffsetInContent = offsetInContent;
        SegmentLength = segmentLength;
        BlockSize = blockSize;
        HashOfData = hashOfData;
        SegmentSecret = segmentSecret;
        FirstBlockIndex = firstBlockIndex;
        BlockHashes = blockHashes;
        DigestLength = digestLength;
    }

    /// <summary>The index of the segment in the whole content (its offset divided by 32 MiB).</summary>
    public long Index => OffsetInContent / PeerDistConstants.SegmentSize;

    /// <summary><c>ullOffsetInContent</c>.</summary>
    public long OffsetInContent { get; }

    /// <summary><c>cbSegment</c>.</summary>
    public int SegmentLength { get; }

    /// <summary><c>cbBlockSize</c> (always 65536).</summary>
    public int BlockSize { get; }

    /// <summary><c>SegmentHashOfData</c> (HoD).</summary>
    public ReadOnlySpan<byte> HashOfData { get; }

    /// <summary><c>SegmentSecret</c> (Kp).</summary>
    public ReadOnlySpan<byte> SegmentSecret { get; }

    /// <summary>The index inside the segment of the first listed block hash (see pccrc.md P7).</summary>
    public int FirstBlockIndex { get; }

    /// <summary><c>cBlocks</c>: how many block hashes are listed.</summary>
    public int BlockCount => DigestLength == 0 ? 0 : BlockHashes.Length / DigestLength; // 0 for default (after the last segment)

    /// <summary><c>BlockHashes</c>, concatenated.</summary>
    public ReadOnlySpan<byte> BlockHashes { get; }

    /// <summary>The length of each hash.</summary>
    public int DigestLength { get; }

    /// <summary>The hash of listed block <paramref name="listIndex"/> (0 is block <see cref="FirstBlockIndex"/>).</summary>
    public ReadOnlySpan<byte> GetBlockHash(int listIndex) => BlockHashes.Slice(listIndex * DigestLength, DigestLength);
}
