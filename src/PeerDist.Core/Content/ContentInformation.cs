using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace PeerDist.Content;

/// <summary>
/// A parsed or generated content information (MS-PCCRC 2.3 V1, 2.4 V2): the segments of a content range with their
/// hashes and keys. Also the entry point for parsing: <see cref="Parse"/> dispatches on the version bytes.
/// Instances are immutable and safe to share across threads.
/// </summary>
public abstract class ContentInformation
{
    private readonly ContentSegment[] _segments;

    private protected ContentInformation(ContentHashAlgorithm hashAlgorithm, ContentRange range, ContentSegment[] segments)
    {
        HashAlgorithm = hashAlgorithm;
        Range = range;
        _segments = segments;
    }

    /// <summary>The format version.</summary>
    public abstract ContentInformationVersion Version { get; }

    /// <summary>The hash algorithm of every hash, key and identifier.</summary>
    public ContentHashAlgorithm HashAlgorithm { get; }

    /// <summary>The content bytes this content information describes (pccrc.md §4.2).</summary>
    public ContentRange Range { get; }

    /// <summary>The listed segments, in content order.</summary>
    public IReadOnlyList<ContentSegment> Segments => _segments;

    /// <summary>The bytes of the listed segments, from the start of the first to the end of the last.</summary>
    public ContentRange SegmentsRange =>
        _segments.Length == 0 ? default : ContentRange.FromBounds(_segments[0].Offset, _segments[^1].Range.End);

    /// <summary>Reads the version from the first two bytes without validating the rest.</summary>
    /// <exception cref="PeerDistFormatException">Fewer than two bytes, or an unknown version.</exception>
    public static ContentInformationVersion PeekVersion(ReadOnlySpan<byte> data)
    {
        if (!TryPeekVersion(data, out ContentInformationVersion version, out PeerDistFormatError error, out long offset))
        {
            ThrowHelper.ThrowFormat(error, offset);
        }

        return version;
    }

    /// <summary>Parses a V1 or V2 content information, checking every rule of the specification.</summary>
    /// <exception cref="PeerDistFormatException">The data is not a valid content information.</exception>
    public static ContentInformation Parse(ReadOnlySpan<byte> data)
    {
        if (!TryParse(data, out ContentInformation? result, out PeerDistFormatError error, out long offset))
        {
            ThrowHelper.ThrowFormat(error, offset);
        }

        return result;
    }

    /// <summary>Parses a V1 or V2 content information; false for bad data (never throws for it).</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out ContentInformation? result) =>
        TryParse(data, out result, out _, out _);

    /// <summary>Parses a V1 or V2 content information; false for bad data, with the reason and where it was found.</summary>
    public static bool TryParse(
        ReadOnlySpan<byte> data,
        [NotNullWhen(true)] out ContentInformation? result,
        out PeerDistFormatError error,
        out long errorOffset)
    {
        result = null;
        errorOffset = 0;
        if (!TryPeekVersion(data, out ContentInformationVersion version, out error, out errorOffset))
        {
            return false;
        }

        if (version == ContentInformationVersion.V1)
        {
            if (!ContentInformationV1Reader.TryCreate(data, out ContentInformationV1Reader reader, out error, out errorOffset))
            {
                return false;
            }

            result = ContentInformationV1.FromReader(ref reader, data);
        }
        else
        {
            if (!ContentInformationV2Reader.TryCreate(data, out ContentInformationV2Reader reader, out error, out errorOffset))
            {
                return false;
            }

            result = ContentInformationV2.FromReader(ref reader, data);
        }

        return true;
    }

    /// <summary>The exact number of bytes <see cref="Write"/> produces.</summary>
    public abstract int GetEncodedLength();

    /// <summary>Writes the wire form into <paramref name="destination"/>; false (nothing written) when it is too small.</summary>
    public abstract bool TryWrite(Span<byte> destination, out int bytesWritten);

    /// <summary>Writes the wire form to <paramref name="writer"/>.</summary>
    public void Write(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int length = GetEncodedLength();
        Span<byte> span = writer.GetSpan(length);
        if (!TryWrite(span, out _))
        {
            ThrowHelper.ThrowInvalidOperation("The buffer writer returned a span shorter than the length it was asked for.");
        }

        writer.Advance(length);
    }

    /// <summary>The wire form as a new array.</summary>
    public byte[] ToArray()
    {
        byte[] bytes = new byte[GetEncodedLength()];
        TryWrite(bytes, out _);
        return bytes;
    }

    /// <summary>The position in <see cref="Segments"/> of the segment holding content offset <paramref name="offset"/>, or -1.</summary>
    public int FindSegment(long offset)
    {
        int low = 0;
        int high = _segments.Length - 1;
        while (low <= high)
        {
            int middle = low + ((high - low) / 2);
            ContentRange range = _segments[middle].Range;
            if (offset < range.Start)
            {
                high = middle - 1;
            }
            else if (offset >= range.End)
            {
                low = middle + 1;
            }
            else
            {
                return middle;
            }
        }

        return -1;
    }

    /// <summary>
    /// The blocks that hold the bytes of <paramref name="range"/> (clipped to <see cref="Range"/>), in content order, each
    /// with the part of it inside the range. A client fetches whole blocks and keeps only the trimmed bytes.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range starts before 0 or ends past <see cref="long.MaxValue"/>.</exception>
    public IEnumerable<BlockLocation> GetBlocks(ContentRange range)
    {
        // Checked here, not in the iterator, so a bad range fails at the call rather than at the first MoveNext.
        if (range.Start < 0 || range.Length < 0 || range.Start > long.MaxValue - range.Length)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(range), "The range must not start before 0 or end past long.MaxValue.");
        }

        return EnumerateBlocks(range.Intersect(Range));
    }

    private IEnumerable<BlockLocation> EnumerateBlocks(ContentRange wanted)
    {
        if (wanted.IsEmpty)
        {
            yield break;
        }

        for (int s = FindSegment(wanted.Start); s >= 0 && s < _segments.Length && _segments[s].Offset < wanted.End; s++)
        {
            ContentSegment segment = _segments[s];
            int first = segment.GetBlockIndex(Math.Max(wanted.Start, segment.Offset));
            int last = segment.GetBlockIndex(Math.Min(wanted.End, segment.Range.End) - 1);
            for (int b = first; b <= last; b++)
            {
                ContentRange blockRange = segment.GetBlockRange(b);
                yield return new BlockLocation(segment, s, b, blockRange, blockRange.Intersect(wanted));
            }
        }
    }

    /// <summary>
    /// A content information for <paramref name="range"/> only (MS-PCCRC 2.3 and 2.4 range semantics). Segment hashes and
    /// keys cover whole segments, so the result needs the hashes of every listed block of this instance.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is empty or not inside <see cref="Range"/>.</exception>
    /// <exception cref="InvalidOperationException">This instance lacks block hashes the restricted one must list.</exception>
    public abstract ContentInformation Restrict(ContentRange range);

    /// <summary>A one-line summary: version, algorithm, range, segment count. Never shows a key.</summary>
    public override string ToString() =>
        $"ContentInformation {Version} {HashAlgorithm} range {Range}, {_segments.Length} segment(s)";

    private protected ContentSegment[] SegmentArray => _segments;

    private protected (int First, int Last) CheckRestrictRange(ContentRange range)
    {
        // Compare lengths, not ends: a caller's range.End may wrap past 2^63 - 1 and look smaller than Range.End.
        if (range.Length <= 0 || range.Start < Range.Start || range.Length > Range.End - range.Start)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(range), "The range must be non-empty and inside the described content range.");
        }

        return (FindSegment(range.Start), FindSegment(range.End - 1));
    }

    private static bool TryPeekVersion(ReadOnlySpan<byte> data, out ContentInformationVersion version, out PeerDistFormatError error, out long errorOffset)
    {
        version = default;
        errorOffset = 0;
        if (data.Length < 2)
        {
            error = PeerDistFormatError.Truncated;
            return false;
        }

        // pccrc.md P5: V1 is the WORD 0x0100 (bytes 00 01), V2 is minor 0x00 then major 0x02.
        if (data[0] == 0x00 && data[1] is 0x01 or 0x02)
        {
            version = (ContentInformationVersion)data[1];
            error = PeerDistFormatError.Unknown;
            return true;
        }

        error = PeerDistFormatError.UnsupportedVersion;
        errorOffset = data[0] != 0x00 ? 0 : 1;
        return false;
    }
}
