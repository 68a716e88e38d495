namespace PeerDist.Retrieval;

/// <summary>MS-PCCRR 2.2.3 <c>CryptoAlgoId</c>: how an <c>MSG_BLK</c> block is encrypted (AES-CBC, key = the first bytes of Kp).</summary>
public enum PccrrCryptoAlgorithm : uint
{
    /// <summary>No encryption (<c>0x00000000</c>): the block travels as plaintext.</summary>
    None = 0,

    /// <summary><c>AES_128</c> (<c>0x00000001</c>), the Windows default.</summary>
    Aes128 = 1,

    /// <summary><c>AES_192</c> (<c>0x00000002</c>).</summary>
    Aes192 = 2,

    /// <summary><c>AES_256</c> (<c>0x00000003</c>).</summary>
    Aes256 = 3,
}
