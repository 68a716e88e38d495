namespace PeerDist.Retrieval.Server;

/// <summary>What <see cref="IBlockSource.TryGetBlock"/> reports about one held block, before the server asks for its bytes.</summary>
/// <param name="Format">Whether the block is plaintext (to encrypt) or a stored encrypted record (to replay).</param>
/// <param name="Length">
/// <see cref="BlockSourceFormat.Plaintext"/>: the plaintext length (at most 64 KiB for V1, 128 KiB for a V2 segment).
/// <see cref="BlockSourceFormat.Encrypted"/>: the stored ciphertext length (<c>SizeOfBlock</c>).
/// </param>
/// <param name="CryptoAlgorithm">For <see cref="BlockSourceFormat.Encrypted"/>: the stored <c>CryptoAlgoId</c>; ignored for plaintext.</param>
public readonly record struct BlockSourceBlock(BlockSourceFormat Format, int Length, PccrrCryptoAlgorithm CryptoAlgorithm = PccrrCryptoAlgorithm.None);
