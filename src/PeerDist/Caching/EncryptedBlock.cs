namespace PeerDist.Caching;

/// <summary>
/// A block kept in the encrypted form it arrived in: what a hosted cache that does not know the segment secret (Kp)
/// stores and replays (the MS-PCCRR 2.2.4.4 <c>MSG_BLK</c> fields). The cache cannot verify it: it can only be checked
/// by a client that holds Kp, after decrypting. Instances are immutable copies.
/// </summary>
public sealed class EncryptedBlock
{
    /// <summary>Creates a record from copies of <paramref name="initializationVector"/> and <paramref name="ciphertext"/>.</summary>
    /// <param name="cryptoAlgorithmId">The MS-PCCRR <c>CryptoAlgoId</c> the block was encrypted with, as sent.</param>
    /// <param name="initializationVector">The IV sent with the block (at most 255 bytes; 16 for AES).</param>
    /// <param name="ciphertext">The encrypted block, as sent.</param>
    public EncryptedBlock(int cryptoAlgorithmId, ReadOnlySpan<byte> initializationVector, ReadOnlySpan<byte> ciphertext)
    {
        if (initializationVector.Length > MaxInitializationVectorLength)
        {
            ThrowHelper.ThrowArgument("The initialization vector is longer than 255 bytes.", nameof(initializationVector));
        }

        CryptoAlgorithmId = cryptoAlgorithmId;
        InitializationVector = initializationVector.ToArray();
        Ciphertext = ciphertext.ToArray();
    }

    /// <summary>The longest initialization vector a record may carry.</summary>
    public const int MaxInitializationVectorLength = 255;

    /// <summary>The MS-PCCRR <c>CryptoAlgoId</c> value the block was encrypted with.</summary>
    public int CryptoAlgorithmId { get; }

    /// <summary>The initialization vector sent with the block.</summary>
    public ReadOnlyMemory<byte> InitializationVector { get; }

    /// <summary>The encrypted block.</summary>
    public ReadOnlyMemory<byte> Ciphertext { get; }
}
