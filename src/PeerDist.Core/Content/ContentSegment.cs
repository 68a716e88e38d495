using PeerDist.Cryptography;

namespace PeerDist.Content;

/// <summary>
/// One segment of a content information: where it sits in the content, its hash of data (HoD), its segment secret (Kp),
/// its identifier (HoHoDk) and the hashes of the blocks the content information lists.
/// </summary>
/// <remarks>
/// A V1 segment (MS-PCCRC 2.3.1.1) has 64 KiB blocks. A V2 segment (MS-PCCRC 2.4.1.2) has no blocks on the wire; it is
/// modelled as one block covering the segment whose hash is the HoD, which is how it is fetched (PCCRR block index 0).
/// The segment secret is the key that decrypts the segment's blocks: it never appears in <see cref="ToString"/>.
/// </remarks>
public sealed class ContentSegment
{
    private readonly ReadOnlyMemory<byte> _blockHashes;
    private byte[]? _segmentId;

    internal ContentSegment(
        ContentHashAlgorithm hashAlgorithm,
        long index,
        long offset,
        int length,
        int blockSize,
        ReadOnlyMemory<byte> hashOfData,
        ReadOnlyMemory<byte> segmentSecret,
        int firstListedBlockIndex,
        ReadOnlyMemory<byte> blockHashes)
    {
        HashAlgorithm = hashAlgorithm;
        Index = index;
        Offset = offset;
        Length = length;
        BlockSize = blockSize;
        HashOfData = hashOfData;
        SegmentSecret = segmentSecret;
        FirstListedBlockIndex = firstListedBlockIndex;
        _blockHashes = blockHashes;
    }

    /// <summary>
    /// A segment from its parts, outside any content information (index 0): for a node that keeps segments on their own,
    /// such as a hosted cache that learned a segment from an MS-PCHC SEGMENT_INFO and pulls it later. The shape is checked
    /// (digest lengths, a V1 segment of 1 byte to 32 MiB with 64 KiB blocks, a V2 segment of 1 byte to 128 KiB that is its
    /// own block, listed hashes inside the segment); the hashes themselves are the caller's to trust.
    /// </summary>
    /// <exception cref="ArgumentException">A part is out of shape; the message says which.</exception>
    public static ContentSegment Create(
        ContentHashAlgorithm hashAlgorithm,
        long offset,
        int length,
        ReadOnlyMemory<byte> hashOfData,
        ReadOnlyMemory<byte> segmentSecret,
        int firstListedBlockIndex,
        ReadOnlyMemory<byte> blockHashes)
    {
        if (!hashAlgorithm.IsDefined())
        {
            ThrowHelper.ThrowArgument("The hash algorithm is not one MS-PCCRC defines.", nameof(hashAlgorithm));
        }

        int digest = hashAlgorithm.GetDigestLength();
        bool v2 = hashAlgorithm.GetVersion() == ContentInformationVersion.V2;
        int blockSize = v2 ? length : PeerDistConstants.BlockSize;
        int maxLength = v2 ? PeerDistConstants.MaxSegmentLengthV2 : PeerDistConstants.SegmentSize;
        if (hashOfData.Length != digest || segmentSecret.Length != digest)
        {
            ThrowHelper.ThrowArgument("The hash of data and the segment secret are one digest long each.", nameof(hashOfData));
        }

        if (length <= 0 || length > maxLength || offset < 0)
        {
            ThrowHelper.ThrowArgument("The segment length or offset is out of range.", nameof(length));
        }

        int blockCount = (int)(((long)length + blockSize - 1) / blockSize);
        if (blockHashes.Length % digest != 0 || firstListedBlockIndex < 0 || (long)firstListedBlockIndex + (blockHashes.Length / digest) > blockCount)
        {
            ThrowHelper.ThrowArgument("The listed block hashes must be whole digests inside the segment.", nameof(blockHashes));
        }

        return new ContentSegment(hashAlgorithm, 0, offset, length, blockSize, hashOfData, segmentSecret, firstListedBlockIndex, blockHashes);
    }

    /// <summary>The hash algorithm of every value of this segment.</summary>
    public ContentHashAlgorithm HashAlgorithm { get; }

    /// <summary>The zero-based index of this segment among all segments of the whole content.</summary>
    public long Index { get; }

    /// <summary>The offset of the segment's first byte in the content (MS-PCCRC 2.3.1.1 <c>ullOffsetInContent</c>).</summary>
    public long Offset { get; }

    /// <summary>The length of the whole segment, even when only part of it is in the range (<c>cbSegment</c>).</summary>
    public int Length { get; }

    /// <summary>The bytes of the content this segment covers.</summary>
    public ContentRange Range => new(Offset, Length);

    /// <summary>The block size: 65536 for V1 (<c>cbBlockSize</c>); the segment length for V2.</summary>
    public int BlockSize { get; }

    /// <summary>The number of blocks in the whole segment.</summary>
    public int BlockCount => (int)(((long)Length + BlockSize - 1) / BlockSize);

    /// <summary>MS-PCCRC 2.3.1.1 <c>SegmentHashOfData</c> (HoD).</summary>
    public ReadOnlyMemory<byte> HashOfData { get; }

    /// <summary>MS-PCCRC 2.3.1.1 <c>SegmentSecret</c> (Kp). Whoever holds it can decrypt the segment's blocks.</summary>
    public ReadOnlyMemory<byte> SegmentSecret { get; }

    /// <summary>The segment identifier HoHoDk (MS-PCCRC 2.2), computed on first use.</summary>
    public ReadOnlyMemory<byte> SegmentId
    {
        get
        {
            // A reference write is atomic, so racing first readers at worst compute the same value twice.
            byte[]? id = Volatile.Read(ref _segmentId);
            if (id is null)
            {
                id = new byte[HashAlgorithm.GetDigestLength()];
                PeerDistKeyDerivation.ComputeSegmentId(HashAlgorithm, SegmentSecret.Span, HashOfData.Span, id);
                Volatile.Write(ref _segmentId, id);
            }

            return id;
        }
    }

    /// <summary>The index inside the segment of the first block whose hash is listed.</summary>
    public int FirstListedBlockIndex { get; }

    /// <summary>How many block hashes are listed (MS-PCCRC 2.3.1.2 <c>cBlocks</c>).</summary>
    public int ListedBlockCount => _blockHashes.Length / HashAlgorithm.GetDigestLength();

    /// <summary>The listed block hashes, concatenated, starting with block <see cref="FirstListedBlockIndex"/>.</summary>
    public ReadOnlyMemory<byte> BlockHashes => _blockHashes;

    /// <summary>Whether the hash of block <paramref name="blockIndex"/> is listed.</summary>
    public bool HasBlockHash(int blockIndex) =>
        (uint)(blockIndex - FirstListedBlockIndex) < (uint)ListedBlockCount;

    /// <summary>The hash of block <paramref name="blockIndex"/> (an index inside the segment).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The block's hash is not listed.</exception>
    public ReadOnlySpan<byte> GetBlockHash(int blockIndex)
    {
        if (!HasBlockHash(blockIndex))
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(blockIndex), "This content information does not list the hash of that block.");
        }

        int length = HashAlgorithm.GetDigestLength();
        return _blockHashes.Span.Slice((blockIndex - FirstListedBlockIndex) * length, length);
    }

    /// <summary>The bytes of the content that block <paramref name="blockIndex"/> covers (the last block may be short).</summary>
    public ContentRange GetBlockRange(int blockIndex)
    {
        if ((uint)blockIndex >= (uint)BlockCount)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(blockIndex), "The segment has no block with that index.");
        }

        long start = (long)blockIndex * BlockSize;
        return ContentRange.FromBounds(Offset + start, Offset + Math.Min(start + BlockSize, Length));
    }

    /// <summary>The index inside the segment of the block holding content offset <paramref name="offset"/>.</summary>
    public int GetBlockIndex(long offset)
    {
        if (!Range.Contains(offset))
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(offset), "The offset is outside the segment.");
        }

        return (int)((offset - Offset) / BlockSize);
    }

    /// <summary>Shows the position and the identifier, never the segment secret.</summary>
    public override string ToString() =>
        $"Segment {Index} {Range} ({BlockCount} blocks) id {Convert.ToHexStringLower(SegmentId.Span)}";
}
