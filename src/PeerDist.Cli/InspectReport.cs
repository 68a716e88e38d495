using PeerDist.Content;

namespace PeerDist.Cli;

/// <summary>What <c>inspect</c> prints: the content information, whether to show Kp, and the verification if one ran.</summary>
internal sealed record InspectReport(ContentInformation Info, bool ShowSecrets, Verification? Verification)
{
    /// <summary>The CI hash algorithm as the spec-vectors JSON names it.</summary>
    public static string GetAlgorithmName(ContentHashAlgorithm algorithm) => algorithm switch
    {
        ContentHashAlgorithm.Sha256 => "sha256",
        ContentHashAlgorithm.Sha384 => "sha384",
        ContentHashAlgorithm.Sha512 => "sha512",
        ContentHashAlgorithm.Sha512Truncated => "sha512-truncated",
        _ => "unknown",
    };
}
