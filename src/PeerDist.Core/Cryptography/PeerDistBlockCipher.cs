using System.Security.Cryptography;
using PeerDist.Retrieval;

namespace PeerDist.Cryptography;

/// <summary>
/// PCCRR block encryption (MS-PCCRR 5.1, MS-PCCRC 2.2 Ke = Kp): AES-CBC with the first 16, 24 or 32 bytes of the segment
/// secret Kp as the key (<see cref="PeerDistKeyDerivation.GetBlockKey"/>), a per-block IV sent in <c>IVBlock</c>, and
/// PKCS#7 padding on the sending side. <see cref="PccrrCryptoAlgorithm.None"/> copies the bytes unchanged.
/// </summary>
/// <remarks>
/// <para>
/// Decryption follows the client rule of wire.md §1.8: the plaintext length comes from the content information, the
/// padding is never checked (the spec does not name a padding; iPXE also ignores it), and integrity comes from the
/// block hash the caller verifies afterwards.
/// </para>
/// <para>
/// One <see cref="Aes"/> instance is cached per thread and re-keyed with <see cref="SymmetricAlgorithm.SetKey"/> only when
/// the key changes, so encrypting or decrypting consecutive blocks of one segment allocates nothing (a key change costs
/// a few hundred bytes inside the BCL). The cached instance keeps the last key until the next call on that thread.
/// </para>
/// </remarks>
public static class PeerDistBlockCipher
{
    /// <summary>The AES block and IV length.</summary>
    public const int IVLength = 16;

    private const int AesBlockLength = 16;

    [ThreadStatic]
    private static Aes? t_aes;

    [ThreadStatic]
    private static byte[]? t_lastKey;

    [ThreadStatic]
    private static int t_lastKeyLength;

    /// <summary>The key length of <paramref name="algorithm"/> in bytes (0 for <see cref="PccrrCryptoAlgorithm.None"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The algorithm is not defined.</exception>
    public static int GetKeyLength(PccrrCryptoAlgorithm algorithm) => algorithm switch
    {
        PccrrCryptoAlgorithm.None => 0,
        PccrrCryptoAlgorithm.Aes128 => 16,
        PccrrCryptoAlgorithm.Aes192 => 24,
        PccrrCryptoAlgorithm.Aes256 => 32,
        _ => ThrowUnknownAlgorithm(algorithm),
    };

    /// <summary>The IV length <c>MSG_BLK</c> carries for <paramref name="algorithm"/>: 16 for AES, 0 for none.</summary>
    public static int GetIVLength(PccrrCryptoAlgorithm algorithm) => GetKeyLength(algorithm) == 0 ? 0 : IVLength;

    /// <summary>The ciphertext length for <paramref name="plaintextLength"/> bytes: (n / 16 + 1) * 16 with PKCS#7, n for none.</summary>
    public static int GetCiphertextLength(int plaintextLength, PccrrCryptoAlgorithm algorithm)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plaintextLength);
        return GetKeyLength(algorithm) == 0 ? plaintextLength : checked(((plaintextLength / AesBlockLength) + 1) * AesBlockLength);
    }

    /// <summary>Encrypts <paramref name="plaintext"/> into <paramref name="destination"/> and returns the bytes written.</summary>
    /// <param name="plaintext">The block.</param>
    /// <param name="segmentSecret">Kp of the segment; its first 16, 24 or 32 bytes are the key.</param>
    /// <param name="algorithm">The algorithm (<c>CryptoAlgoId</c>).</param>
    /// <param name="iv">16 bytes for AES; empty for none.</param>
    /// <param name="destination">At least <see cref="GetCiphertextLength"/> bytes; must not overlap the plaintext.</param>
    /// <exception cref="ArgumentException">The key, IV or destination has the wrong length.</exception>
    public static int Encrypt(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> segmentSecret, PccrrCryptoAlgorithm algorithm, ReadOnlySpan<byte> iv, Span<byte> destination)
    {
        int keyLength = GetKeyLength(algorithm);
        int length = GetCiphertextLength(plaintext.Length, algorithm);
        if (destination.Length < length)
        {
            ThrowHelper.ThrowArgument("The destination is shorter than the ciphertext.", nameof(destination));
        }

        if (keyLength == 0)
        {
            CheckNoIV(iv);
            plaintext.CopyTo(destination);
            return length;
        }

        Aes aes = GetAes(segmentSecret, keyLength, iv);
        int written = aes.EncryptCbc(plaintext, iv, destination, PaddingMode.PKCS7);
        System.Diagnostics.Debug.Assert(written == length, "PKCS#7 always adds 1 to 16 bytes.");
        return written;
    }

    /// <summary>
    /// Decrypts <paramref name="ciphertext"/> and writes only its first <paramref name="plaintextLength"/> bytes to
    /// <paramref name="destination"/>, without looking at the padding (wire.md §1.8 client rule). Returns
    /// <paramref name="plaintextLength"/>.
    /// </summary>
    /// <param name="ciphertext">The <c>Block</c> field of <c>MSG_BLK</c>.</param>
    /// <param name="segmentSecret">Kp of the segment; its first 16, 24 or 32 bytes are the key.</param>
    /// <param name="algorithm">The <c>CryptoAlgoId</c> of the <c>MSG_BLK</c>.</param>
    /// <param name="iv">The <c>IVBlock</c> field: 16 bytes for AES, empty for none.</param>
    /// <param name="plaintextLength">The block length from the content information.</param>
    /// <param name="destination">At least <paramref name="plaintextLength"/> bytes; must not overlap the ciphertext.</param>
    /// <exception cref="PeerDistFormatException">
    /// <see cref="PeerDistFormatError.InvalidCiphertextLength"/>: the ciphertext is not a multiple of 16 bytes or is shorter
    /// than the plaintext (for none: shorter than the plaintext).
    /// </exception>
    /// <exception cref="ArgumentException">The key, IV or destination has the wrong length.</exception>
    public static int Decrypt(
        ReadOnlySpan<byte> ciphertext,
        ReadOnlySpan<byte> segmentSecret,
        PccrrCryptoAlgorithm algorithm,
        ReadOnlySpan<byte> iv,
        int plaintextLength,
        Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plaintextLength);
        int keyLength = GetKeyLength(algorithm);
        if (destination.Length < plaintextLength)
        {
            ThrowHelper.ThrowArgument("The destination is shorter than the plaintext.", nameof(destination));
        }

        if (ciphertext.Length < plaintextLength || (keyLength != 0 && ciphertext.Length % AesBlockLength != 0))
        {
            ThrowHelper.ThrowFormat(PeerDistFormatError.InvalidCiphertextLength, 0);
        }

        if (keyLength == 0)
        {
            CheckNoIV(iv);
            ciphertext[..plaintextLength].CopyTo(destination);
            return plaintextLength;
        }

        Aes aes = GetAes(segmentSecret, keyLength, iv);

        // CBC decrypts each block from the previous ciphertext block alone, so decrypting the whole blocks that cover the
        // plaintext gives the same bytes as decrypting everything; the padding block(s) are never needed or checked.
        int whole = plaintextLength / AesBlockLength * AesBlockLength;
        if (whole > 0)
        {
            aes.DecryptCbc(ciphertext[..whole], iv, destination, PaddingMode.None);
        }

        int tail = plaintextLength - whole;
        if (tail > 0)
        {
            Span<byte> last = stackalloc byte[AesBlockLength];
            ReadOnlySpan<byte> chain = whole == 0 ? iv : ciphertext.Slice(whole - AesBlockLength, AesBlockLength);
            aes.DecryptCbc(ciphertext.Slice(whole, AesBlockLength), chain, last, PaddingMode.None);
            last[..tail].CopyTo(destination[whole..]);
            CryptographicOperations.ZeroMemory(last);
        }

        return plaintextLength;
    }

    private static Aes GetAes(ReadOnlySpan<byte> segmentSecret, int keyLength, ReadOnlySpan<byte> iv)
    {
        if (iv.Length != IVLength)
        {
            ThrowHelper.ThrowArgument("An AES-CBC IV is 16 bytes.", nameof(iv));
        }

        ReadOnlySpan<byte> key = PeerDistKeyDerivation.GetBlockKey(segmentSecret, keyLength);
        Aes aes = t_aes ??= Aes.Create();
        byte[] lastKey = t_lastKey ??= new byte[32];

        // Re-keying allocates inside the BCL, so consecutive blocks of one segment (the usual pattern) reuse the key.
        if (t_lastKeyLength != keyLength || !key.SequenceEqual(lastKey.AsSpan(0, keyLength)))
        {
            aes.SetKey(key);
            key.CopyTo(lastKey);
            t_lastKeyLength = keyLength;
        }

        return aes;
    }

    private static void CheckNoIV(ReadOnlySpan<byte> iv)
    {
        if (!iv.IsEmpty)
        {
            ThrowHelper.ThrowArgument("Unencrypted blocks carry no IV.", nameof(iv));
        }
    }

    private static int ThrowUnknownAlgorithm(PccrrCryptoAlgorithm algorithm)
    {
        ThrowHelper.ThrowArgumentOutOfRange(nameof(algorithm), $"CryptoAlgoId {(uint)algorithm} is not defined (MS-PCCRR 2.2.3).");
        return 0;
    }
}
