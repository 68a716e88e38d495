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
    /// pulls offered blocks from it (MS-PCHC 1.3), and offers every segment it completes to the hosted cache (MS-PCHC 3.2;
    /// <see cref="PeerDistNodeOptions.HostedCacheOfferUri"/>, <see cref="PeerDistNodeOptions.OfferToHostedCache"/>).
    /// </summary>
    HostedCacheClient = 1,

    /// <summary>Local only: the cache and the origin; no server, no discovery, no peers.</summary>
    LocalOnly = 2,

    /// <summary>
    /// The node is the hosted cache of a branch office: it answers MS-PCHC offers (version 2.0 on the plain HTTP server of
    /// <see cref="PeerDistNodeOptions.ListenEndPoints"/>; version 1.0 over TLS on <see cref="PeerDistNodeOptions.TlsListenEndPoints"/>
    /// when a <see cref="PeerDistNodeOptions.Certificate"/> is set), pulls the offered segments from the offering clients
    /// into its cache, and serves the cache over MS-PCCRR (busy threshold <see cref="PeerDistNodeOptions.HostedCacheBusyThreshold"/>).
    /// No discovery.
    /// </summary>
    HostedCache = 3,
}
