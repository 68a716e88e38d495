using System.Security.Cryptography;
using PeerDist.Content;

namespace PeerDist.Cryptography;

/// <summary>
/// The hash and key arithmetic of MS-PCCRC 2.2 and 2.5, as corrected by real Windows output (see
/// <c>shared/spec-notes/pccrc.md</c> §3): Ks = H(server secret key); Kp = HMAC(Ks, HoD); HoHoDk = HMAC(Kp, HoD ‖ label);
/// V2 truncates every SHA-512 and HMAC-SHA-512 output to 32 bytes.
/// </summary>
/// <remarks>All methods write exactly <see cref="ContentHashAlgorithmExtensions.GetDigestLength"/> bytes and allocate nothing.</remarks>
public static class PeerDistKeyDerivation
{
    /// <summary>
    /// The HoHoDk label: UTF-16LE "MS_P2P_CACHING" with its 2-byte terminator (30 bytes). MS-PCCRC 2.2 calls it an ASCII
    /// string; Windows output proves it is UTF-16LE with the NUL (pccrc.md P1). Written as bytes so host endianness cannot matter.
    /// </summary>
    public static ReadOnlySpan<byte> SegmentIdLabel =>
    [
        0x4d, 0x00, 0x53, 0x00, 0x5f, 0x00, 0x50, 0x00, 0x32, 0x00, 0x50, 0x00, 0x5f, 0x00, 0x43, 0x00,
        0x41, 0x00, 0x43, 0x00, 0x48, 0x00, 0x49, 0x00, 0x4e, 0x00, 0x47, 0x00, 0x00, 0x00,
    ];

    /// <summary>H(<paramref name="data"/>): the block hash of a V1 block, or the HoD of a V2 segment.</summary>
    public static void ComputeHash(ContentHashAlgorithm algorithm, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        int length = CheckDestination(algorithm, destination);
        switch (algorithm)
        {
            case ContentHashAlgorithm.Sha256:
                SHA256.HashData(data, destination);
                break;
            case ContentHashAlgorithm.Sha384:
                SHA384.HashData(data, destination);
                break;
            case ContentHashAlgorithm.Sha512:
                SHA512.HashData(data, destination);
                break;
            default:
                Span<byte> full = stackalloc byte[SHA512.HashSizeInBytes];
                SHA512.HashData(data, full);
                full[..length].CopyTo(destination);
                break;
        }
    }

    /// <summary>HMAC_H(<paramref name="key"/>, <paramref name="message"/>), truncated to 32 bytes for V2.</summary>
    public static void ComputeHmac(ContentHashAlgorithm algorithm, ReadOnlySpan<byte> key, ReadOnlySpan<byte> message, Span<byte> destination)
    {
        int length = CheckDestination(algorithm, destination);
        switch (algorithm)
        {
            case ContentHashAlgorithm.Sha256:
                HMACSHA256.HashData(key, message, destination);
                break;
            case ContentHashAlgorithm.Sha384:
                HMACSHA384.HashData(key, message, destination);
                break;
            case ContentHashAlgorithm.Sha512:
                HMACSHA512.HashData(key, message, destination);
                break;
            default:
                // pccrc.md P3: V2 truncates the output of a full HMAC-SHA-512; it is not an HMAC over a truncated hash.
                Span<byte> full = stackalloc byte[HMACSHA512.HashSizeInBytes];
                HMACSHA512.HashData(key, message, full);
                full[..length].CopyTo(destination);
                CryptographicOperations.ZeroMemory(full);
                break;
        }
    }

    /// <summary>Ks = H(server secret key) (MS-PCCRC 2.5; glossary "server secret": same hash as the content information).</summary>
    public static void ComputeServerKey(ContentHashAlgorithm algorithm, ReadOnlySpan<byte> serverSecretKey, Span<byte> destination) =>
        ComputeHash(algorithm, serverSecretKey, destination);

    /// <summary>V1 HoD = H(BlockHash_0 ‖ … ‖ BlockHash_n-1) over every block of the segment (MS-PCCRC 2.2).</summary>
    public static void ComputeHashOfData(ContentHashAlgorithm algorithm, ReadOnlySpan<byte> concatenatedBlockHashes, Span<byte> destination) =>
        ComputeHash(algorithm, concatenatedBlockHashes, destination);

    /// <summary>Kp = HMAC(Ks, HoD) (MS-PCCRC 2.2; the "Hash(HoD + secret)" of 2.3.1.1 is an erratum, pccrc.md P2).</summary>
    public static void ComputeSegmentSecret(ContentHashAlgorithm algorithm, ReadOnlySpan<byte> serverKey, ReadOnlySpan<byte> hashOfData, Span<byte> destination) =>
        ComputeHmac(algorithm, serverKey, hashOfData, destination);

    /// <summary>HoHoDk = HMAC(Kp, HoD ‖ label): the segment identifier published on the wire (MS-PCCRC 2.2).</summary>
    public static void ComputeSegmentId(ContentHashAlgorithm algorithm, ReadOnlySpan<byte> segmentSecret, ReadOnlySpan<byte> hashOfData, Span<byte> destination)
    {
        int length = algorithm.GetDigestLength();
        if (hashOfData.Length != length)
        {
            ThrowHelper.ThrowArgument("The hash of data has the wrong length for the algorithm.", nameof(hashOfData));
        }

        Span<byte> message = stackalloc byte[PeerDistConstants.MaxDigestLength + 30];
        hashOfData.CopyTo(message);
        SegmentIdLabel.CopyTo(message[length..]);
        ComputeHmac(algorithm, segmentSecret, message[..(length + SegmentIdLabel.Length)], destination);
    }

    /// <summary>
    /// The AES key for PCCRR block encryption: the first 16, 24 or 32 bytes of Kp (MS-PCCRC 2.2 Ke = Kp). How a 128- or
    /// 192-bit key comes from Kp is not specified; this follows iPXE, which works against Windows (pccrc.md §4.1, P17).
    /// </summary>
    public static ReadOnlySpan<byte> GetBlockKey(ReadOnlySpan<byte> segmentSecret, int keyLengthInBytes)
    {
        if (keyLengthInBytes is not (16 or 24 or 32))
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(keyLengthInBytes), "AES keys are 16, 24 or 32 bytes.");
        }

        if (segmentSecret.Length < keyLengthInBytes)
        {
            ThrowHelper.ThrowArgument("The segment secret is shorter than the requested key.", nameof(segmentSecret));
        }

        return segmentSecret[..keyLengthInBytes];
    }

    private static int CheckDestination(ContentHashAlgorithm algorithm, Span<byte> destination)
    {
        int length = algorithm.GetDigestLength();
        if (destination.Length != length)
        {
            ThrowHelper.ThrowArgument("The destination must be exactly one digest long.", nameof(destination));
        }

        return length;
    }
}
