namespace PeerDist.Retrieval.Server;

/// <summary>How an <see cref="IBlockSource"/> holds one block.</summary>
public enum BlockSourceFormat
{
    /// <summary>The plaintext and the segment secret Kp: the server encrypts with its configured algorithm.</summary>
    Plaintext = 0,

    /// <summary>
    /// A stored <c>MSG_BLK</c> payload (algorithm, IV, ciphertext) received from another peer, replayed verbatim. A
    /// version 2 hosted cache holds blocks this way: it never learns Kp (wire.md §10 item 1).
    /// </summary>
    Encrypted = 1,
}
