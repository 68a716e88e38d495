using System.Buffers.Binary;

namespace PeerDist.Content;

/// <summary>
/// A forward-only, zero-copy reader of a V2 content information (MS-PCCRC 2.4, big-endian). The whole input is validated
/// when the reader is created, so reading segments afterwards cannot fail and allocates nothing.
/// </summary>
public ref struct ContentInformationV2Reader
{
    /// <summary>The length of the fixed header.</summary>
    public const int HeaderLength = 31;

    /// <summary>The length of a <c>ChunkDescription</c> header (bChunkType, dwChunkDataLength).</summary>
    public const int ChunkHeaderLength = 5;

    /// <summary>The length of a <c>SegmentDescription</c> (cbSegment, HoD, Kp).</summary>
    public const int SegmentDescriptionLength = 4 + (2 * PeerDistConstants.DigestLengthV2);

    private readonly ReadOnlySpan<byte> _data;
    private int _offset;
    private int _chunkRemaining;
    private int _chunkIndex;
    private int _segmentsRead;
    private long _nextSegmentOffset;

    private ContentInformationV2Reader(ReadOnlySpan<byte> data, HeaderV2 header)
    {
        _data = data;
        StartInContent = header.StartInContent;
        IndexOfFirstSegment = header.IndexOfFirstSegment;
        OffsetInFirstSegment = header.OffsetInFirstSegment;
        LengthOfRange = header.LengthOfRange;
        SegmentCount = header.SegmentCount;
        ChunkCount = header.ChunkCount;
        Range = header.Range;
        _offset = HeaderLength;
        _chunkRemaining = 0;
        _chunkIndex = -1;
        _segmentsRead = 0;
        _nextSegmentOffset = header.StartInContent;
    }

    /// <summary>Validates <paramref name="data"/> and creates a reader over it.</summary>
    /// <exception cref="PeerDistFormatException">The data is not a valid V2 content information.</exception>
    public ContentInformationV2Reader(ReadOnlySpan<byte> data)
    {
        PeerDistFormatError error = Validate(data, out HeaderV2 header, out long offset);
        if (error != PeerDistFormatError.Unknown)
        {
            ThrowHelper.ThrowFormat(error, offset);
        }

        this = new ContentInformationV2Reader(data, header);
    }

    /// <summary>Always <see cref="ContentHashAlgorithm.Sha512Truncated"/> (<c>bHashAlgo</c> = 0x04).</summary>
    public static ContentHashAlgorithm HashAlgorithm => ContentHashAlgorithm.Sha512Truncated;

    /// <summary><c>ullStartInContent</c>.</summary>
    public long StartInContent { get; }

    /// <summary><c>ullIndexOfFirstSegment</c>.</summary>
    public long IndexOfFirstSegment { get; }

    /// <summary><c>dwOffsetInFirstSegment</c>.</summary>
    public uint OffsetInFirstSegment { get; }

    /// <summary><c>ullLengthOfRange</c> as written (0 means the whole content).</summary>
    public long LengthOfRange { get; }

    /// <summary>The number of segments in all chunks.</summary>
    public int SegmentCount { get; }

    /// <summary>The number of chunks.</summary>
    public int ChunkCount { get; }

    /// <summary>The content range described (pccrc.md §4.2).</summary>
    public ContentRange Range { get; }

    /// <summary>How many segments have been read so far.</summary>
    public readonly int SegmentsRead => _segmentsRead;

    /// <summary>Validates <paramref name="data"/> and creates a reader, without throwing for bad data.</summary>
    public static bool TryCreate(ReadOnlySpan<byte> data, out ContentInformationV2Reader reader, out PeerDistFormatError error, out long errorOffset)
    {
        error = Validate(data, out HeaderV2 header, out errorOffset);
        reader = error == PeerDistFormatError.Unknown ? new ContentInformationV2Reader(data, header) : default;
        return error == PeerDistFormatError.Unknown;
    }

    /// <summary>Reads the next segment; false after the last one.</summary>
    public bool TryReadSegment(out SegmentDescriptionV2 segment)
    {
        if (_segmentsRead >= SegmentCount)
        {
            segment = default;
            return false;
        }

        if (_chunkRemaining == 0)
        {
            _chunkRemaining = (int)BinaryPrimitives.ReadUInt32BigEndian(_data[(_offset + 1)..]); // dwChunkDataLength
            _offset += ChunkHeaderLength;
            _chunkIndex++;
        }

        ReadOnlySpan<byte> description = _data.Slice(_offset, SegmentDescriptionLength);
        int length = (int)BinaryPrimitives.ReadUInt32BigEndian(description); // MS-PCCRC 2.4.1.2: cbSegment
        segment = new SegmentDescriptionV2(
            IndexOfFirstSegment + _segmentsRead,
            _nextSegmentOffset,
            length,
            description.Slice(4, PeerDistConstants.DigestLengthV2),
            description.Slice(4 + PeerDistConstants.DigestLengthV2, PeerDistConstants.DigestLengthV2),
            _chunkIndex);
        _offset += SegmentDescriptionLength;
        _chunkRemaining -= SegmentDescriptionLength;
        _nextSegmentOffset += length;
        _segmentsRead++;
        return true;
    }

    /// <summary>Checks every MUST of MS-PCCRC 2.4 and the pitfalls of pccrc.md §7 without allocating.</summary>
    internal static PeerDistFormatError Validate(ReadOnlySpan<byte> data, out HeaderV2 header, out long errorOffset)
    {
        // Offsets reported: the field with the bad value; for Truncated, the first field or element that does not
        // fit (the convention of spec-vectors/README.md).
        header = default;
        errorOffset = 0;
        if (data.Length < 2)
        {
            return PeerDistFormatError.Truncated;
        }

        // MS-PCCRC 2.4: bMinorVersion 0x00, bMajorVersion 0x02.
        if (data[0] != 0x00 || data[1] != 0x02)
        {
            errorOffset = data[0] != 0x00 ? 0 : 1;
            return PeerDistFormatError.UnsupportedVersion;
        }

        if (data.Length < 3)
        {
            errorOffset = 2;
            return PeerDistFormatError.Truncated;
        }

        // MS-PCCRC 2.4: bHashAlgo MUST be 0x04 (truncated SHA-512); the 0x01 of example 3.7 is an erratum (pccrc.md P15).
        if (data[2] != (byte)ContentHashAlgorithm.Sha512Truncated)
        {
            errorOffset = 2;
            return PeerDistFormatError.UnsupportedHashAlgorithm;
        }

        if (data.Length < HeaderLength)
        {
            errorOffset = data.Length < 11 ? 3 : data.Length < 19 ? 11 : data.Length < 23 ? 19 : 23;
            return PeerDistFormatError.Truncated;
        }

        ulong startInContent = BinaryPrimitives.ReadUInt64BigEndian(data[3..]); // ullStartInContent
        ulong indexOfFirst = BinaryPrimitives.ReadUInt64BigEndian(data[11..]); // ullIndexOfFirstSegment
        uint offsetInFirst = BinaryPrimitives.ReadUInt32BigEndian(data[19..]); // dwOffsetInFirstSegment
        ulong lengthOfRange = BinaryPrimitives.ReadUInt64BigEndian(data[23..]); // ullLengthOfRange
        if (startInContent > long.MaxValue)
        {
            errorOffset = 3;
            return PeerDistFormatError.Overflow;
        }

        if (indexOfFirst > long.MaxValue)
        {
            errorOffset = 11;
            return PeerDistFormatError.Overflow;
        }

        if (lengthOfRange > long.MaxValue)
        {
            errorOffset = 23;
            return PeerDistFormatError.Overflow;
        }

        long end = (long)startInContent;
        long lastStart = end;
        int firstLength = 0;
        int segments = 0;
        int chunks = 0;
        int at = HeaderLength;
        while (at < data.Length)
        {
            if (data.Length - at < ChunkHeaderLength)
            {
                // No count field: bytes after a chunk start another chunk, so 1-4 of them are a cut-off chunk header.
                errorOffset = at;
                return PeerDistFormatError.Truncated;
            }

            if (data[at] != 0x00) // MS-PCCRC 2.4.1.1: bChunkType
            {
                errorOffset = at;
                return PeerDistFormatError.InvalidChunkType;
            }

            uint chunkLength = BinaryPrimitives.ReadUInt32BigEndian(data[(at + 1)..]); // dwChunkDataLength
            if (chunkLength == 0 || chunkLength % SegmentDescriptionLength != 0)
            {
                errorOffset = at + 1;
                return PeerDistFormatError.InvalidChunkLength;
            }

            if (chunkLength > (uint)(data.Length - at - ChunkHeaderLength))
            {
                errorOffset = at + ChunkHeaderLength;
                return PeerDistFormatError.Truncated;
            }

            at += ChunkHeaderLength;
            int chunkEnd = at + (int)chunkLength;
            for (; at < chunkEnd; at += SegmentDescriptionLength)
            {
                uint length = BinaryPrimitives.ReadUInt32BigEndian(data[at..]); // MS-PCCRC 2.4.1.2: cbSegment, 1..128 KiB
                if (length == 0 || length > PeerDistConstants.MaxSegmentLengthV2)
                {
                    errorOffset = at;
                    return PeerDistFormatError.InvalidSegmentLength;
                }

                if (end > long.MaxValue - length)
                {
                    errorOffset = at;
                    return PeerDistFormatError.Overflow;
                }

                if (segments == 0)
                {
                    firstLength = (int)length;
                }

                lastStart = end;
                end += length;
                segments++;
            }

            chunks++;
        }

        if (segments == 0)
        {
            // A V2 content information lists at least one chunk; without a count field, nothing else marks the end.
            errorOffset = HeaderLength;
            return PeerDistFormatError.Truncated;
        }

        if ((ulong)(segments - 1) > long.MaxValue - indexOfFirst)
        {
            errorOffset = 11;
            return PeerDistFormatError.Overflow;
        }

        if (offsetInFirst >= (uint)firstLength)
        {
            errorOffset = 19;
            return PeerDistFormatError.InvalidOffsetInFirstSegment;
        }

        long rangeStart = (long)startInContent + offsetInFirst;
        long rangeEnd = end;
        if (lengthOfRange != 0)
        {
            // The range must end inside the last listed segment: past it, bytes are missing; before it, a segment is extra.
            if ((long)lengthOfRange > end - rangeStart || rangeStart + (long)lengthOfRange <= lastStart)
            {
                errorOffset = 23;
                return PeerDistFormatError.InvalidLengthOfRange;
            }

            rangeEnd = rangeStart + (long)lengthOfRange;
        }

        header = new HeaderV2((long)startInContent, (long)indexOfFirst, offsetInFirst, (long)lengthOfRange, segments, chunks, ContentRange.FromBounds(rangeStart, rangeEnd));
        return PeerDistFormatError.Unknown;
    }

    internal readonly record struct HeaderV2(
        long StartInContent,
        long IndexOfFirstSegment,
        uint OffsetInFirstSegment,
        long LengthOfRange,
        int SegmentCount,
        int ChunkCount,
        ContentRange Range);
}
