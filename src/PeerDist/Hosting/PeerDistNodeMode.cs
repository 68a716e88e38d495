namespace PeerDist.Hosting;

/// <summary>What a <see cref="PeerDistNode"/> runs besides its cache and download client (the BranchCache modes).</summary>
public enum PeerDistNodeMode
{
    /// <summary>
    /// Distributed cache mode: the node serves its cache to peers over MS-PCCRR, answers MS-PCCRD Probes for what it holds,
    /// and finds peers by discovery.
    /// </summary>
    Distributed = 0,

    /// <summary>
    /// Hosted cache client mode: the node asks only the hosted cache (<see cref="PeerDistNodeOptions.HostedCacheEndPoint"/>,
    /// over MS-PCCRR), runs no discovery, and runs the MS-PCCRR server on its listen endpoints because the hosted cache
    /// pulls offered blocks from it (MS-PCHC 1.3). Offering blocks (MS-PCHC) is not wired into the node yet.
    /// </summary>
    HostedCacheClient = 1,

    /// <summary>Local only: the cache and the origin; no server, no discovery, no peers.</summary>
    LocalOnly = 2,
}
