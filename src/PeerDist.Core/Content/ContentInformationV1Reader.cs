using System.Buffers.Binary;

namespace PeerDist.Content;

/// <summary>
/// A forward-only, zero-copy reader of a V1 content information (MS-PCCRC 2.3, little-endian). The whole input is
/// validated when the reader is created, so reading segments afterwards cannot fail and allocates nothing; a caller that
/// needs one segment of a 64 MB content information skips to it without copying any block hash.
/// </summary>
public ref struct ContentInformationV1Reader
{
    /// <summary>The length of the fixed header (Version, dwHashAlgo, dwOffsetInFirstSegment, dwReadBytesInLastSegment, cSegments).</summary>
    public const int HeaderLength = 18;

    private readonly ReadOnlySpan<byte> _data;
    private readonly int _digestLength;
    private int _descriptionOffset;
    private int _blocksOffset;
    private int _segmentsRead;

    private ContentInformationV1Reader(ReadOnlySpan<byte> data, HeaderV1 header)
    {
        _data = data;
        HashAlgorithm = header.HashAlgorithm;
        OffsetInFirstSegment = header.OffsetInFirstSegment;
        ReadBytesInLastSegment = header.ReadBytesInLastSegment;
        SegmentCount = header.SegmentCount;
        Range = header.Range;
        _digestLength = HashAlgorithm.GetDigestLength();
        _descriptionOffset = HeaderLength;
        _blocksOffset = HeaderLength + (SegmentCount * GetDescriptionLength(_digestLength));
        _segmentsRead = 0;
    }

    /// <summary>Validates <paramref name="data"/> and creates a reader over it.</summary>
    /// <exception cref="PeerDistFormatException">The data is not a valid V1 content information.</exception>
    public ContentInformationV1Reader(ReadOnlySpan<byte> data)
    {
        PeerDistFormatError error = Validate(data, out HeaderV1 header, out long offset);
        if (error != PeerDistFormatError.Unknown)
        {
            ThrowHelper.ThrowFormat(error, offset);
        }

        this = new ContentInformationV1Reader(data, header);
    }

    /// <summary><c>dwHashAlgo</c>.</summary>
    public ContentHashAlgorithm HashAlgorithm { get; }

    /// <summary><c>dwOffsetInFirstSegment</c>.</summary>
    public uint OffsetInFirstSegment { get; }

    /// <summary><c>dwReadBytesInLastSegment</c> as written (0 means the whole last segment).</summary>
    public uint ReadBytesInLastSegment { get; }

    /// <summary><c>cSegments</c>.</summary>
    public int SegmentCount { get; }

    /// <summary>The content range described (pccrc.md §4.2).</summary>
    public ContentRange Range { get; }

    /// <summary>How many segments have been read so far.</summary>
    public readonly int SegmentsRead => _segmentsRead;

    /// <summary>Validates <paramref name="data"/> and creates a reader, without throwing for bad data.</summary>
    public static bool TryCreate(ReadOnlySpan<byte> data, out ContentInformationV1Reader reader, out PeerDistFormatError error, out long errorOffset)
    {
        error = Validate(data, out HeaderV1 header, out errorOffset);
        reader = error == PeerDistFormatError.Unknown ? new ContentInformationV1Reader(data, header) : default;
        return error == PeerDistFormatError.Unknown;
    }

    /// <summary>Reads the next segment; false after the last one.</summary>
    public bool TryReadSegment(out SegmentDescriptionV1 segment)
    {
        if (_segmentsRead >= SegmentCount)
        {
            segment = default;
            return false;
        }

        ReadOnlySpan<byte> description = _data.Slice(_descriptionOffset, GetDescriptionLength(_digestLength));
        long offsetInContent = (long)BinaryPrimitives.ReadUInt64LittleEndian(description); // MS-PCCRC 2.3.1.1: ullOffsetInContent
        int segmentLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(description[8..]); // cbSegment
        int blockCount = (int)BinaryPrimitives.ReadUInt32LittleEndian(_data[_blocksOffset..]); // MS-PCCRC 2.3.1.2: cBlocks
        ReadOnlySpan<byte> blockHashes = _data.Slice(_blocksOffset + 4, blockCount * _digestLength);
        V1BlockListRule.TryGetFirstListedBlock(offsetInContent, segmentLength, Range, (uint)blockCount, out int firstBlock);

        segment = new SegmentDescriptionV1(
            offsetInContent,
            segmentLength,
            PeerDistConstants.BlockSize,
            description.Slice(16, _digestLength),
            description.Slice(16 + _digestLength, _digestLength),
            firstBlock,
            blockHashes,
            _digestLength);
        _descriptionOffset += description.Length;
        _blocksOffset += 4 + blockHashes.Length;
        _segmentsRead++;
        return true;
    }

    /// <summary>Skips forward to the segment at position <paramref name="listIndex"/> and reads it.</summary>
    public bool TrySkipTo(int listIndex, out SegmentDescriptionV1 segment)
    {
        segment = default;

        // A failed Try* leaves the reader where it was: reject an index behind it or past the last segment up front.
        if (listIndex < _segmentsRead || listIndex >= SegmentCount)
        {
            return false;
        }

        while (TryReadSegment(out segment))
        {
            if (_segmentsRead - 1 == listIndex)
            {
                return true;
            }
        }

        return false;
    }

    internal static int GetDescriptionLength(int digestLength) => 16 + (2 * digestLength);

    /// <summary>Checks every MUST of MS-PCCRC 2.3 and the pitfalls of pccrc.md §7 without allocating.</summary>
    internal static PeerDistFormatError Validate(ReadOnlySpan<byte> data, out HeaderV1 header, out long errorOffset)
    {
        // Offsets reported: the field with the bad value; for Truncated, the first field or counted array that
        // does not fit (the convention of spec-vectors/README.md).
        header = default;
        errorOffset = 0;
        if (data.Length < 2)
        {
            return PeerDistFormatError.Truncated;
        }

        // MS-PCCRC 2.3: Version is the WORD 0x0100, so the bytes are 00 01.
        if (data[0] != 0x00 || data[1] != 0x01)
        {
            errorOffset = data[0] != 0x00 ? 0 : 1;
            return PeerDistFormatError.UnsupportedVersion;
        }

        if (data.Length < 6)
        {
            errorOffset = 2;
            return PeerDistFormatError.Truncated;
        }

        var algorithm = (ContentHashAlgorithm)BinaryPrimitives.ReadUInt32LittleEndian(data[2..]); // MS-PCCRC 2.3: dwHashAlgo
        if (algorithm is not (ContentHashAlgorithm.Sha256 or ContentHashAlgorithm.Sha384 or ContentHashAlgorithm.Sha512))
        {
            errorOffset = 2;
            return PeerDistFormatError.UnsupportedHashAlgorithm;
        }

        if (data.Length < HeaderLength)
        {
            errorOffset = 6 + ((data.Length - 6) / 4 * 4);
            return PeerDistFormatError.Truncated;
        }

        uint offsetInFirst = BinaryPrimitives.ReadUInt32LittleEndian(data[6..]); // dwOffsetInFirstSegment
        uint readInLast = BinaryPrimitives.ReadUInt32LittleEndian(data[10..]); // dwReadBytesInLastSegment
        uint segmentCount = BinaryPrimitives.ReadUInt32LittleEndian(data[14..]); // cSegments
        int digest = algorithm.GetDigestLength();
        int descriptionLength = GetDescriptionLength(digest);

        // Check the declared count against the bytes present before anything else is read (no allocation happens here,
        // but later code relies on the count fitting an int).
        if ((ulong)segmentCount * (ulong)(descriptionLength + 4) > (ulong)(data.Length - HeaderLength))
        {
            errorOffset = HeaderLength;
            return PeerDistFormatError.Truncated;
        }

        int count = (int)segmentCount;
        if (count == 0)
        {
            // pccrc.md P11: empty content is undefined; accept the 18-byte header WPTS writes, describing nothing.
            if (offsetInFirst != 0 || readInLast != 0)
            {
                errorOffset = offsetInFirst != 0 ? 6 : 10;
                return offsetInFirst != 0 ? PeerDistFormatError.InvalidOffsetInFirstSegment : PeerDistFormatError.InvalidReadBytesInLastSegment;
            }

            if (data.Length != HeaderLength)
            {
                errorOffset = HeaderLength;
                return PeerDistFormatError.TrailingData;
            }

            header = new HeaderV1(algorithm, 0, 0, 0, default);
            return PeerDistFormatError.Unknown;
        }

        // Pass 1: the segment descriptions. Segments are contiguous 32 MiB slots; only the last may be shorter.
        long firstOffset = 0;
        long lastOffset = 0;
        int firstLength = 0;
        int lastLength = 0;
        for (int i = 0; i < count; i++)
        {
            int at = HeaderLength + (i * descriptionLength);
            ulong segmentOffset = BinaryPrimitives.ReadUInt64LittleEndian(data[at..]); // ullOffsetInContent
            uint segmentLength = BinaryPrimitives.ReadUInt32LittleEndian(data[(at + 8)..]); // cbSegment
            uint blockSize = BinaryPrimitives.ReadUInt32LittleEndian(data[(at + 12)..]); // cbBlockSize
            if (segmentOffset > (ulong)(long.MaxValue - segmentLength))
            {
                errorOffset = at;
                return PeerDistFormatError.Overflow;
            }

            if (i == 0 ? segmentOffset % PeerDistConstants.SegmentSize != 0 : (long)segmentOffset != lastOffset + lastLength)
            {
                errorOffset = at;
                return PeerDistFormatError.InvalidSegmentOffset;
            }

            if (segmentLength == 0 || segmentLength > PeerDistConstants.SegmentSize ||
                (i < count - 1 && segmentLength != PeerDistConstants.SegmentSize))
            {
                errorOffset = at + 8;
                return PeerDistFormatError.InvalidSegmentLength;
            }

            if (blockSize != PeerDistConstants.BlockSize)
            {
                errorOffset = at + 12;
                return PeerDistFormatError.InvalidBlockSize;
            }

            if (i == 0)
            {
                firstOffset = (long)segmentOffset;
                firstLength = (int)segmentLength;
            }

            lastOffset = (long)segmentOffset;
            lastLength = (int)segmentLength;
        }

        // MS-PCCRC 2.3 and pccrc.md §4.2: the range starts inside the first segment and ends inside the last one.
        if (offsetInFirst >= (uint)firstLength)
        {
            errorOffset = 6;
            return PeerDistFormatError.InvalidOffsetInFirstSegment;
        }

        long start = firstOffset + offsetInFirst;
        long end;
        if (readInLast == 0)
        {
            end = lastOffset + lastLength; // pccrc.md P6: 0 means the whole last segment (what Windows sends)
        }
        else
        {
            // MS-PCCRC 2.3 / pccrc.md §4.2: the range ends inside the last segment. Compare against the bytes available
            // rather than end offsets: a last segment may end at 2^63 - 1, where start + dwRead would wrap.
            long available = count == 1 ? firstLength - (long)offsetInFirst : lastLength;
            if (readInLast > available)
            {
                errorOffset = 10;
                return PeerDistFormatError.InvalidReadBytesInLastSegment;
            }

            end = (count == 1 ? start : lastOffset) + readInLast;
        }

        var range = ContentRange.FromBounds(start, end);

        // Pass 2: the block lists, each checked against the blocks of its segment that intersect the range.
        int blocksAt = HeaderLength + (count * descriptionLength);
        for (int i = 0; i < count; i++)
        {
            if (data.Length - blocksAt < 4)
            {
                errorOffset = blocksAt;
                return PeerDistFormatError.Truncated;
            }

            uint blockCount = BinaryPrimitives.ReadUInt32LittleEndian(data[blocksAt..]); // MS-PCCRC 2.3.1.2: cBlocks
            int at = HeaderLength + (i * descriptionLength);
            long segmentOffset = (long)BinaryPrimitives.ReadUInt64LittleEndian(data[at..]);
            int segmentLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(data[(at + 8)..]);
            PeerDistFormatError listError = V1BlockListRule.TryGetFirstListedBlock(segmentOffset, segmentLength, range, blockCount, out _);
            if (listError != PeerDistFormatError.Unknown)
            {
                errorOffset = blocksAt;
                return listError;
            }

            // blockCount <= 512 here, so the product cannot overflow.
            if ((long)blockCount * digest > data.Length - blocksAt - 4)
            {
                errorOffset = blocksAt + 4;
                return PeerDistFormatError.Truncated;
            }

            blocksAt += 4 + ((int)blockCount * digest);
        }

        if (blocksAt != data.Length)
        {
            errorOffset = blocksAt;
            return PeerDistFormatError.TrailingData;
        }

        header = new HeaderV1(algorithm, offsetInFirst, readInLast, count, range);
        return PeerDistFormatError.Unknown;
    }

    internal readonly record struct HeaderV1(
        ContentHashAlgorithm HashAlgorithm,
        uint OffsetInFirstSegment,
        uint ReadBytesInLastSegment,
        int SegmentCount,
        ContentRange Range);
}
