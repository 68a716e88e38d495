using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PeerDist.Hosting;

/// <summary>Pins the hosted cache's certificate by thumbprint for MS-PCHC version 1.0 offers (a self-signed hosted cache).</summary>
internal static class HostedCacheThumbprint
{
    /// <summary>Upper-case hex without separators, or null when <paramref name="text"/> is not 40 or 64 hex digits.</summary>
    public static string? Normalize(string text)
    {
        string hex = text.Replace(":", string.Empty, StringComparison.Ordinal).Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
        return hex.Length is 40 or 64 && hex.All(char.IsAsciiHexDigit) ? hex : null;
    }

    /// <summary>An HTTP handler (no proxy) that accepts only the certificate whose SHA-1 or SHA-256 thumbprint is <paramref name="thumbprint"/>.</summary>
    public static SocketsHttpHandler CreateHandler(string thumbprint)
    {
        string pinned = Normalize(thumbprint)!;
        return new SocketsHttpHandler
        {
            UseProxy = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                // Pinning replaces chain and name validation: the person who configured the thumbprint vouches for it.
                RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && Matches(presented, pinned),
            },
        };
    }

    private static bool Matches(X509Certificate presented, string pinned) =>
        pinned.Length == 40
            ? string.Equals(presented.GetCertHashString(), pinned, StringComparison.OrdinalIgnoreCase)
            : string.Equals(presented.GetCertHashString(HashAlgorithmName.SHA256), pinned, StringComparison.OrdinalIgnoreCase);
}
