namespace PeerDist.Tests.Client;

/// <summary>How a <see cref="FaultyPeerHandler"/> corrupts a <c>MSG_BLK</c> that carries a block.</summary>
public enum PeerLie
{
    /// <summary>Answers as the real peer.</summary>
    None,

    /// <summary>One bit flipped in the middle of the ciphertext.</summary>
    FlipBit,

    /// <summary>The right block under another <c>BlockIndex</c> (index xor 1).</summary>
    WrongBlockIndex,

    /// <summary>The ciphertext with 32 extra bytes: longer than any padding of the block allows.</summary>
    WrongLength,
}
