namespace PeerDist.Content;

/// <summary>
/// The hash function of a content information. V1 uses the CryptoAPI <c>ALG_ID</c> values of MS-PCCRC 2.3
/// <c>dwHashAlgo</c>; V2 has one value, MS-PCCRC 2.4 <c>bHashAlgo</c> = 0x04.
/// </summary>
public enum ContentHashAlgorithm
{
    /// <summary>SHA-256 (<c>CALG_SHA_256</c>, V1). The default, and the only one Windows 7 peers accept.</summary>
    Sha256 = 0x800C,

    /// <summary>SHA-384 (<c>CALG_SHA_384</c>, V1).</summary>
    Sha384 = 0x800D,

    /// <summary>SHA-512 (<c>CALG_SHA_512</c>, V1).</summary>
    Sha512 = 0x800E,

    /// <summary>SHA-512 truncated to its first 32 bytes (V2 only).</summary>
    Sha512Truncated = 0x04,
}
