using System.Security.Cryptography;

namespace PeerDist.Tests.Peer;

/// <summary>
/// The MS-PCCRC key math and the MS-PCCRR block cipher written straight on the BCL primitives (pccrc.md §3.1/§3.2,
/// wire.md §1.8), not through the library, so an over-sockets test can derive Kp and the segment ID from the server
/// secret and HoD itself and decrypt a served block without taking the library's word for the key or the mode.
/// </summary>
internal static class IndependentBlockCrypto
{
    /// <summary>UTF-16LE "MS_P2P_CACHING" with its UTF-16 NUL: the HoHoDk label (30 bytes).</summary>
    private static readonly byte[] s_label = [.. System.Text.Encoding.Unicode.GetBytes("MS_P2P_CACHING"), 0, 0];

    /// <summary>V1 with SHA-256: HoD = SHA-256 of the concatenated SHA-256 hashes of the segment's 64 KiB blocks.</summary>
    public static byte[] HashOfDataV1(ReadOnlySpan<byte> segment)
    {
        var blockHashes = new List<byte>();
        for (int offset = 0; offset < segment.Length; offset += PeerDistConstants.BlockSize)
        {
            blockHashes.AddRange(SHA256.HashData(segment.Slice(offset, Math.Min(PeerDistConstants.BlockSize, segment.Length - offset))));
        }

        return SHA256.HashData([.. blockHashes]);
    }

    /// <summary>V2: HoD = SHA-512(segment)[..32].</summary>
    public static byte[] HashOfDataV2(ReadOnlySpan<byte> segment) => SHA512.HashData(segment)[..32];

    /// <summary>V1 with SHA-256: Ks = SHA-256(key), Kp = HMAC-SHA-256(Ks, HoD).</summary>
    public static byte[] SegmentSecretV1(ReadOnlySpan<byte> serverKey, ReadOnlySpan<byte> hashOfData) =>
        HMACSHA256.HashData(SHA256.HashData(serverKey), hashOfData);

    /// <summary>V1 with SHA-256: HoHoDk = HMAC-SHA-256(Kp, HoD ‖ label).</summary>
    public static byte[] SegmentIdV1(ReadOnlySpan<byte> segmentSecret, ReadOnlySpan<byte> hashOfData) =>
        HMACSHA256.HashData(segmentSecret, [.. hashOfData, .. s_label]);

    /// <summary>V2: Ks = SHA-512(key)[..32], Kp = HMAC-SHA-512(Ks, HoD)[..32].</summary>
    public static byte[] SegmentSecretV2(ReadOnlySpan<byte> serverKey, ReadOnlySpan<byte> hashOfData) =>
        HMACSHA512.HashData(SHA512.HashData(serverKey).AsSpan(0, 32), hashOfData)[..32];

    /// <summary>V2: HoHoDk = HMAC-SHA-512(Kp, HoD ‖ label)[..32].</summary>
    public static byte[] SegmentIdV2(ReadOnlySpan<byte> segmentSecret, ReadOnlySpan<byte> hashOfData) =>
        HMACSHA512.HashData(segmentSecret, [.. hashOfData, .. s_label])[..32];

    /// <summary>The AES key length of CryptoAlgoId 1/2/3 (AES-128/192/256); 0 for no encryption.</summary>
    public static int KeyLength(uint cryptoAlgoId) => cryptoAlgoId switch
    {
        0 => 0,
        1 => 16,
        2 => 24,
        3 => 32,
        _ => throw new ArgumentOutOfRangeException(nameof(cryptoAlgoId)),
    };

    /// <summary>The ciphertext length of <paramref name="plaintextLength"/> bytes under CBC with PKCS#7 padding.</summary>
    public static int PaddedLength(int plaintextLength) => (plaintextLength / 16 * 16) + 16;

    /// <summary>AES-CBC with PKCS#7 under the first 16/24/32 bytes of Kp, as an offering peer would have sent the block.</summary>
    public static byte[] Encrypt(uint cryptoAlgoId, ReadOnlySpan<byte> segmentSecret, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> plaintext)
    {
        using var aes = Aes.Create();
        aes.Key = segmentSecret[..KeyLength(cryptoAlgoId)].ToArray();
        return aes.EncryptCbc(plaintext, iv, PaddingMode.PKCS7);
    }

    /// <summary>
    /// AES-CBC under the first 16/24/32 bytes of Kp with the IV from the message, PKCS#7 padding removed strictly (the
    /// server rule of wire.md §1.8 is "emit PKCS#7", so a bad pad is a failure here).
    /// </summary>
    public static byte[] Decrypt(uint cryptoAlgoId, ReadOnlySpan<byte> segmentSecret, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> ciphertext)
    {
        using var aes = Aes.Create();
        aes.Key = segmentSecret[..KeyLength(cryptoAlgoId)].ToArray();
        return aes.DecryptCbc(ciphertext, iv, PaddingMode.PKCS7);
    }
}
