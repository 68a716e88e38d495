namespace PeerDist.Tests.Http;

/// <summary>What <see cref="PeerDistTestOrigin"/> received: the method, path and the headers the handler may touch.</summary>
internal sealed record SeenRequest(
    string Method,
    string Path,
    string? AcceptEncoding,
    string? PeerDist,
    string? PeerDistEx,
    string? Range,
    string? Authorization,
    string? ApiKey,
    string? IfNoneMatch)
{
    /// <summary>Lists the peerdist coding in Accept-Encoding (plain text check, independent of the code under test).</summary>
    public bool AdvertisesPeerDist => AcceptEncoding?.Contains("peerdist", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Carries <c>MissingDataRequest=true</c> (MS-PCCRTP 2.2.2).</summary>
    public bool IsMissingDataRequest => PeerDist?.Contains("MissingDataRequest=true", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Carries <c>HashRequest=true</c> in X-P2P-PeerDistEx (MS-PCCRTP 2.2.3).</summary>
    public bool IsHashRequest => PeerDistEx?.Contains("HashRequest=true", StringComparison.OrdinalIgnoreCase) == true &&
        !PeerDistEx.Contains("MakeHashRequest", StringComparison.OrdinalIgnoreCase);
}
