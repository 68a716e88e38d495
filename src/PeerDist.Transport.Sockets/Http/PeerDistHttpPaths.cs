namespace PeerDist.Transport.Http;

/// <summary>The URL paths the Peer Distribution protocols use inside their HTTP POST envelope.</summary>
/// <remarks>
/// Paths are compared ASCII case-insensitively and the trailing <c>/</c> is optional, because Windows
/// registers them with mixed case and clients post both with and without the slash.
/// </remarks>
public static class PeerDistHttpPaths
{
    /// <summary>MS-PCCRR 2.1: the retrieval protocol URL root, as Windows registers it.</summary>
    public const string Retrieval = "/116B50EB-ECE2-41ac-8429-9F9E963361B7/";

    /// <summary>MS-PCHC 2.1 (version 2.0, plain HTTP): the hosted cache offer URL.</summary>
    public const string HostedCacheV2 = "/0131501b-d67f-491b-9a40-c4bf27bcb4d4/";

    /// <summary>MS-PCHC 2.1 (version 1.0, HTTPS): the hosted cache offer URL.</summary>
    public const string HostedCacheV1 = "/C574AC30-5794-4AEE-B1BB-6651C5315029/";
}
