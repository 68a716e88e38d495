using System.Buffers.Binary;
using System.Security.Cryptography;

namespace PeerDist.Caching;

/// <summary>
/// The <c>&lt;nnn&gt;.enc</c> file of a <see cref="FileContentCache"/>: one encrypted record, big-endian, with a SHA-256
/// of everything before it. The checksum detects damage on disk; it says nothing about whether the sender was honest.
/// </summary>
/// <remarks>
/// <code>
/// offset  size  field
///      0     4  magic "PDCE"
///      4     2  format version (1)
///      6     1  initialization vector length (v)
///      7     1  reserved, 0
///      8     4  CryptoAlgoId
///     12     4  ciphertext length (c)
///     16     v  initialization vector
///            c  ciphertext
///           32  SHA-256 of all the bytes above
/// </code>
/// </remarks>
internal static class EncryptedBlockFile
{
    public const int HeaderLength = 16;
    private const int ChecksumLength = 32;
    private const ushort FormatVersion = 1;

    private static ReadOnlySpan<byte> Magic => "PDCE"u8;

    public static byte[] Serialize(EncryptedBlock block)
    {
        ReadOnlySpan<byte> iv = block.InitializationVector.Span;
        ReadOnlySpan<byte> ciphertext = block.Ciphertext.Span;
        byte[] bytes = new byte[HeaderLength + iv.Length + ciphertext.Length + ChecksumLength];
        Span<byte> span = bytes;
        Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt16BigEndian(span[4..], FormatVersion);
        span[6] = (byte)iv.Length;
        BinaryPrimitives.WriteInt32BigEndian(span[8..], block.CryptoAlgorithmId);
        BinaryPrimitives.WriteInt32BigEndian(span[12..], ciphertext.Length);
        iv.CopyTo(span[HeaderLength..]);
        ciphertext.CopyTo(span[(HeaderLength + iv.Length)..]);
        int body = bytes.Length - ChecksumLength;
        SHA256.HashData(span[..body], span[body..]);
        return bytes;
    }

    /// <summary>The total file length a header declares, or -1 when the header is not valid.</summary>
    public static long GetDeclaredLength(ReadOnlySpan<byte> header)
    {
        if (header.Length < HeaderLength || !header.StartsWith(Magic)
            || BinaryPrimitives.ReadUInt16BigEndian(header[4..]) != FormatVersion || header[7] != 0)
        {
            return -1;
        }

        int ciphertextLength = BinaryPrimitives.ReadInt32BigEndian(header[12..]);
        return ciphertextLength < 0 ? -1 : (long)HeaderLength + header[6] + ciphertextLength + ChecksumLength;
    }

    /// <summary>The ciphertext length of a header that <see cref="GetDeclaredLength"/> accepted.</summary>
    public static int GetCiphertextLength(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadInt32BigEndian(header[12..]);

    /// <summary>Parses and checks a whole record; null when it is damaged.</summary>
    public static EncryptedBlock? TryParse(ReadOnlySpan<byte> data)
    {
        if (GetDeclaredLength(data) != data.Length)
        {
            return null;
        }

        int body = data.Length - ChecksumLength;
        Span<byte> checksum = stackalloc byte[ChecksumLength];
        SHA256.HashData(data[..body], checksum);
        if (!checksum.SequenceEqual(data[body..]))
        {
            return null;
        }

        int ivLength = data[6];
        return new EncryptedBlock(
            BinaryPrimitives.ReadInt32BigEndian(data[8..]),
            data.Slice(HeaderLength, ivLength),
            data[(HeaderLength + ivLength)..body]);
    }
}
