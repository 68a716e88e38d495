using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;

namespace PeerDist.Content;

/// <summary>Writes a <see cref="ContentInformationV2"/> byte for byte as MS-PCCRC 2.4 lays it out (big-endian).</summary>
public static class ContentInformationV2Writer
{
    /// <summary>The exact encoded length of <paramref name="info"/>.</summary>
    public static int GetEncodedLength(ContentInformationV2 info)
    {
        ArgumentNullException.ThrowIfNull(info);
        long length = ContentInformationV2Reader.HeaderLength
            + ((long)info.ChunkSegmentCounts.Count * ContentInformationV2Reader.ChunkHeaderLength)
            + ((long)info.Segments.Count * ContentInformationV2Reader.SegmentDescriptionLength);
        if (length > Array.MaxLength)
        {
            ThrowHelper.ThrowInvalidOperation("The content information is too large to encode in one buffer.");
        }

        return (int)length;
    }

    /// <summary>Writes <paramref name="info"/> to <paramref name="writer"/>.</summary>
    public static void Write(ContentInformationV2 info, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(info);
        info.Write(writer);
    }

    /// <summary>Writes <paramref name="info"/> into <paramref name="destination"/>; false (nothing written) when it is too small.</summary>
    public static bool TryWrite(ContentInformationV2 info, Span<byte> destination, out int bytesWritten)
    {
        int length = GetEncodedLength(info);
        bytesWritten = 0;
        if (destination.Length < length)
        {
            return false;
        }

        destination[0] = 0x00; // MS-PCCRC 2.4: bMinorVersion
        destination[1] = 0x02; // bMajorVersion
        destination[2] = (byte)ContentHashAlgorithm.Sha512Truncated; // bHashAlgo
        BinaryPrimitives.WriteUInt64BigEndian(destination[3..], (ulong)info.StartInContent); // ullStartInContent
        BinaryPrimitives.WriteUInt64BigEndian(destination[11..], (ulong)info.IndexOfFirstSegment); // ullIndexOfFirstSegment
        BinaryPrimitives.WriteUInt32BigEndian(destination[19..], info.OffsetInFirstSegment); // dwOffsetInFirstSegment
        BinaryPrimitives.WriteUInt64BigEndian(destination[23..], (ulong)info.LengthOfRange); // ullLengthOfRange

        int at = ContentInformationV2Reader.HeaderLength;
        int segmentIndex = 0;
        IReadOnlyList<ContentSegment> segments = info.Segments;
        foreach (int count in info.ChunkSegmentCounts)
        {
            destination[at] = 0x00; // MS-PCCRC 2.4.1.1: bChunkType
            BinaryPrimitives.WriteUInt32BigEndian(destination[(at + 1)..], (uint)(count * ContentInformationV2Reader.SegmentDescriptionLength)); // dwChunkDataLength
            at += ContentInformationV2Reader.ChunkHeaderLength;
            for (int i = 0; i < count; i++)
            {
                ContentSegment segment = segments[segmentIndex++];
                BinaryPrimitives.WriteUInt32BigEndian(destination[at..], (uint)segment.Length); // MS-PCCRC 2.4.1.2: cbSegment
                segment.HashOfData.Span.CopyTo(destination[(at + 4)..]); // SegmentHashOfData
                segment.SegmentSecret.Span.CopyTo(destination[(at + 4 + PeerDistConstants.DigestLengthV2)..]); // SegmentSecret
                at += ContentInformationV2Reader.SegmentDescriptionLength;
            }
        }

        Debug.Assert(at == length && segmentIndex == segments.Count, "Encoded length mismatch.");
        bytesWritten = length;
        return true;
    }
}
