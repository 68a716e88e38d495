using System.Buffers.Binary;
using System.Security.Cryptography;
using PeerDist.Content;

namespace PeerDist.Caching;

/// <summary>
/// The <c>meta</c> file of a <see cref="FileContentCache"/> segment directory. Big-endian, one fixed header, the
/// variable fields, and a SHA-256 of everything before it so a torn or altered file is detected when loaded.
/// </summary>
/// <remarks>
/// <code>
/// offset  size  field
///      0     4  magic "PDCS"
///      4     2  format version (1)
///      6     2  hash algorithm (ContentHashAlgorithm value)
///      8     4  segment length
///     12     4  block size
///     16     4  index of the first listed block hash
///     20     4  number of listed block hashes (n)
///     24     1  digest length (d)
///     25     1  segment secret length (0 or d)
///     26     1  flags: 1 = the hash of data is not known (a replay-only segment), else 0
///     27     1  reserved, 0
///     28     d  segment identifier (HoHoDk)
///       0 or d  hash of data (HoD)
///       0 or d  segment secret (Kp)
///         n*d  block hashes
///          32  SHA-256 of all the bytes above
/// </code>
/// </remarks>
internal static class SegmentMetadataFile
{
    /// <summary>Larger than any valid file (512 SHA-512 block hashes plus the header), so reads are bounded.</summary>
    public const int MaxLength = HeaderLength + (3 * PeerDistConstants.MaxDigestLength) + (PeerDistConstants.MaxBlocksPerSegment * PeerDistConstants.MaxDigestLength) + ChecksumLength;

    private const int HeaderLength = 28;
    private const int ChecksumLength = 32;
    private const ushort FormatVersion = 1;
    private const byte HashOfDataUnknown = 1;

    private static ReadOnlySpan<byte> Magic => "PDCS"u8;

    public static byte[] Serialize(SegmentMetadata metadata)
    {
        int digest = metadata.HashAlgorithm.GetDigestLength();
        int secretLength = metadata.SegmentSecret.Length;
        int hodLength = metadata.HashOfData.Length;
        int length = HeaderLength + digest + hodLength + secretLength + metadata.BlockHashes.Length + ChecksumLength;
        byte[] bytes = new byte[length];
        Span<byte> span = bytes;
        Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt16BigEndian(span[4..], FormatVersion);
        BinaryPrimitives.WriteUInt16BigEndian(span[6..], (ushort)metadata.HashAlgorithm);
        BinaryPrimitives.WriteInt32BigEndian(span[8..], metadata.SegmentLength);
        BinaryPrimitives.WriteInt32BigEndian(span[12..], metadata.BlockSize);
        BinaryPrimitives.WriteInt32BigEndian(span[16..], metadata.FirstListedBlockIndex);
        BinaryPrimitives.WriteInt32BigEndian(span[20..], metadata.ListedBlockCount);
        span[24] = (byte)digest;
        span[25] = (byte)secretLength;
        span[26] = metadata.HasHashOfData ? (byte)0 : HashOfDataUnknown;
        int offset = HeaderLength;
        metadata.SegmentId.Span.CopyTo(span[offset..]);
        offset += digest;
        metadata.HashOfData.Span.CopyTo(span[offset..]);
        offset += hodLength;
        metadata.SegmentSecret.Span.CopyTo(span[offset..]);
        offset += secretLength;
        metadata.BlockHashes.Span.CopyTo(span[offset..]);
        offset += metadata.BlockHashes.Length;
        SHA256.HashData(span[..offset], span[offset..]);
        return bytes;
    }

    /// <summary>Parses and checks a metadata file; null when it is damaged or inconsistent in any way.</summary>
    public static SegmentMetadata? TryParse(ReadOnlySpan<byte> data)
    {
        if (data.Length < HeaderLength + ChecksumLength || !data.StartsWith(Magic))
        {
            return null;
        }

        int bodyLength = data.Length - ChecksumLength;
        Span<byte> checksum = stackalloc byte[ChecksumLength];
        SHA256.HashData(data[..bodyLength], checksum);
        if (!checksum.SequenceEqual(data[bodyLength..]))
        {
            return null;
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(data[4..]) != FormatVersion || data[26] > HashOfDataUnknown || data[27] != 0)
        {
            return null;
        }

        var algorithm = (ContentHashAlgorithm)BinaryPrimitives.ReadUInt16BigEndian(data[6..]);
        if (!algorithm.IsDefined())
        {
            return null;
        }

        int segmentLength = BinaryPrimitives.ReadInt32BigEndian(data[8..]);
        int blockSize = BinaryPrimitives.ReadInt32BigEndian(data[12..]);
        int firstListed = BinaryPrimitives.ReadInt32BigEndian(data[16..]);
        int listed = BinaryPrimitives.ReadInt32BigEndian(data[20..]);
        int digest = data[24];
        int secretLength = data[25];
        int hodLength = data[26] == HashOfDataUnknown ? 0 : digest;
        if (digest != algorithm.GetDigestLength() || (secretLength != 0 && secretLength != digest)
            || (uint)listed > PeerDistConstants.MaxBlocksPerSegment
            || bodyLength != HeaderLength + digest + hodLength + secretLength + (listed * digest))
        {
            return null;
        }

        ReadOnlySpan<byte> body = data[HeaderLength..bodyLength];
        return SegmentMetadata.TryCreate(
            algorithm,
            body[..digest],
            body.Slice(digest, hodLength),
            body.Slice(digest + hodLength, secretLength),
            segmentLength,
            blockSize,
            firstListed,
            body[(digest + hodLength + secretLength)..],
            out _);
    }
}
