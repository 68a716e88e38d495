using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;

namespace PeerDist.Content;

/// <summary>Writes a <see cref="ContentInformationV1"/> byte for byte as MS-PCCRC 2.3 lays it out (little-endian).</summary>
public static class ContentInformationV1Writer
{
    /// <summary>The exact encoded length of <paramref name="info"/>.</summary>
    public static int GetEncodedLength(ContentInformationV1 info)
    {
        ArgumentNullException.ThrowIfNull(info);
        int digest = info.HashAlgorithm.GetDigestLength();
        long length = ContentInformationV1Reader.HeaderLength;
        foreach (ContentSegment segment in info.Segments)
        {
            length += ContentInformationV1Reader.GetDescriptionLength(digest) + 4 + segment.BlockHashes.Length;
        }

        if (length > Array.MaxLength)
        {
            ThrowHelper.ThrowInvalidOperation("The content information is too large to encode in one buffer.");
        }

        return (int)length;
    }

    /// <summary>Writes <paramref name="info"/> to <paramref name="writer"/>.</summary>
    public static void Write(ContentInformationV1 info, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(info);
        info.Write(writer);
    }

    /// <summary>Writes <paramref name="info"/> into <paramref name="destination"/>; false (nothing written) when it is too small.</summary>
    public static bool TryWrite(ContentInformationV1 info, Span<byte> destination, out int bytesWritten)
    {
        int length = GetEncodedLength(info);
        bytesWritten = 0;
        if (destination.Length < length)
        {
            return false;
        }

        IReadOnlyList<ContentSegment> segments = info.Segments;
        int digest = info.HashAlgorithm.GetDigestLength();
        destination[0] = 0x00; // MS-PCCRC 2.3: Version 0x0100, low byte (minor) first
        destination[1] = 0x01;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[2..], (uint)info.HashAlgorithm); // dwHashAlgo
        BinaryPrimitives.WriteUInt32LittleEndian(destination[6..], info.OffsetInFirstSegment); // dwOffsetInFirstSegment
        BinaryPrimitives.WriteUInt32LittleEndian(destination[10..], info.ReadBytesInLastSegment); // dwReadBytesInLastSegment
        BinaryPrimitives.WriteUInt32LittleEndian(destination[14..], (uint)segments.Count); // cSegments

        int at = ContentInformationV1Reader.HeaderLength;
        foreach (ContentSegment segment in segments)
        {
            // MS-PCCRC 2.3.1.1 SegmentDescription
            BinaryPrimitives.WriteUInt64LittleEndian(destination[at..], (ulong)segment.Offset); // ullOffsetInContent
            BinaryPrimitives.WriteUInt32LittleEndian(destination[(at + 8)..], (uint)segment.Length); // cbSegment
            BinaryPrimitives.WriteUInt32LittleEndian(destination[(at + 12)..], (uint)segment.BlockSize); // cbBlockSize
            segment.HashOfData.Span.CopyTo(destination[(at + 16)..]); // SegmentHashOfData
            segment.SegmentSecret.Span.CopyTo(destination[(at + 16 + digest)..]); // SegmentSecret
            at += ContentInformationV1Reader.GetDescriptionLength(digest);
        }

        foreach (ContentSegment segment in segments)
        {
            // MS-PCCRC 2.3.1.2 SegmentContentBlocks
            BinaryPrimitives.WriteUInt32LittleEndian(destination[at..], (uint)segment.ListedBlockCount); // cBlocks
            segment.BlockHashes.Span.CopyTo(destination[(at + 4)..]); // BlockHashes
            at += 4 + segment.BlockHashes.Length;
        }

        Debug.Assert(at == length, "Encoded length mismatch.");
        bytesWritten = length;
        return true;
    }
}
