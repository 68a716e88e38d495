using System.Security.Cryptography;

namespace PeerDist.Content;

/// <summary>Facts about a <see cref="ContentHashAlgorithm"/>.</summary>
public static class ContentHashAlgorithmExtensions
{
    /// <summary>The length in bytes of every hash, key and identifier made with <paramref name="algorithm"/>.</summary>
    public static int GetDigestLength(this ContentHashAlgorithm algorithm) => algorithm switch
    {
        ContentHashAlgorithm.Sha256 => 32,
        ContentHashAlgorithm.Sha384 => 48,
        ContentHashAlgorithm.Sha512 => 64,
        ContentHashAlgorithm.Sha512Truncated => PeerDistConstants.DigestLengthV2,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown content hash algorithm."),
    };

    /// <summary>Whether <paramref name="algorithm"/> is one of the defined values.</summary>
    public static bool IsDefined(this ContentHashAlgorithm algorithm) =>
        algorithm is ContentHashAlgorithm.Sha256 or ContentHashAlgorithm.Sha384 or ContentHashAlgorithm.Sha512
            or ContentHashAlgorithm.Sha512Truncated;

    /// <summary>The content information version that uses <paramref name="algorithm"/>.</summary>
    public static ContentInformationVersion GetVersion(this ContentHashAlgorithm algorithm) =>
        algorithm == ContentHashAlgorithm.Sha512Truncated ? ContentInformationVersion.V2 : ContentInformationVersion.V1;

    /// <summary>The .NET name of the underlying (untruncated) hash function.</summary>
    public static HashAlgorithmName GetHashAlgorithmName(this ContentHashAlgorithm algorithm) => algorithm switch
    {
        ContentHashAlgorithm.Sha256 => HashAlgorithmName.SHA256,
        ContentHashAlgorithm.Sha384 => HashAlgorithmName.SHA384,
        ContentHashAlgorithm.Sha512 or ContentHashAlgorithm.Sha512Truncated => HashAlgorithmName.SHA512,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown content hash algorithm."),
    };
}
