namespace PeerDist.Retrieval.Client;

/// <summary>
/// The answer to <see cref="PccrrClient.GetEncryptedBlockAsync"/>: the outcome and, when it is
/// <see cref="BlockOutcome.Delivered"/>, the block as the peer sent it (algorithm, IV, ciphertext), unverified.
/// </summary>
public sealed class PccrrEncryptedBlockResult
{
    /// <summary>Creates a result without data (any outcome but <see cref="BlockOutcome.Delivered"/>).</summary>
    public PccrrEncryptedBlockResult(BlockOutcome outcome)
    {
        Outcome = outcome;
    }

    /// <summary>Creates a delivered result.</summary>
    public PccrrEncryptedBlockResult(BlockOutcome outcome, PccrrCryptoAlgorithm cryptoAlgorithm, ReadOnlyMemory<byte> initializationVector, ReadOnlyMemory<byte> ciphertext)
    {
        Outcome = outcome;
        CryptoAlgorithm = cryptoAlgorithm;
        InitializationVector = initializationVector;
        Ciphertext = ciphertext;
    }

    /// <summary>What happened.</summary>
    public BlockOutcome Outcome { get; }

    /// <summary>The algorithm the block was encrypted with.</summary>
    public PccrrCryptoAlgorithm CryptoAlgorithm { get; }

    /// <summary>The IV sent after the block (16 bytes for AES, empty without encryption).</summary>
    public ReadOnlyMemory<byte> InitializationVector { get; }

    /// <summary>The block as sent: ciphertext with its padding, or the plaintext without encryption.</summary>
    public ReadOnlyMemory<byte> Ciphertext { get; }
}
