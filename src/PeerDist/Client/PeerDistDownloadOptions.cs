namespace PeerDist.Client;

/// <summary>
/// How <see cref="PeerDistContent.DownloadAsync(PeerDistDownloadOptions, CancellationToken)"/> fetches a whole content.
/// The defaults suit a branch office: several nodes may start the same download at once, and together they should pull
/// the content over the WAN about once.
/// </summary>
/// <remarks>
/// A cooperative download stays inside the protocols: discovery (MS-PCCRD) is repeated while blocks are missing, the
/// block lists of the peers found are refreshed (MS-PCCRR <c>MSG_GETBLKLIST</c>), blocks a peer holds are fetched from
/// peers, and a block no peer holds yet is fetched from the origin only by the node that "owns" it: every node ranks the
/// downloading nodes it knows (itself included) by a hash of their PCCRR endpoint and the block's unit (rendezvous
/// hashing), so nodes that see the same peers split the origin work without talking about it. The others wait for the
/// owner and copy the unit from it. A node that stops growing (finished, stalled or killed) stops owning anything after
/// <see cref="StallTimeout"/>. Windows does not promise this; docs/node.md describes it.
/// </remarks>
public sealed record PeerDistDownloadOptions
{
    /// <summary>The defaults.</summary>
    public static PeerDistDownloadOptions Default { get; } = new();

    /// <summary>
    /// Cooperate with other downloaders (the default). False: fetch in content order, asking peers found by one discovery
    /// per batch and the origin for the rest (what a stream read does).
    /// </summary>
    public bool Cooperative { get; init; } = true;

    /// <summary>
    /// The longest wait for the first discovery answer (and the block lists of the peers it names) before the first
    /// origin request; the origin is asked at once when discovery answers sooner. Default 1 s.
    /// </summary>
    public TimeSpan PeerWait { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often discovery is repeated while blocks are missing (peers advertise partly held segments, so co-downloaders
    /// appear as soon as they hold a block). Stretched by one interval per 8 peers known, to bound multicast traffic in a
    /// crowd. Default 500 ms.
    /// </summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often the block lists of known peers are refreshed. Default 250 ms.</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The most block-list requests per refresh (peers are taken round-robin when there are more). Default 32.</summary>
    public int RefreshBudget { get; init; } = 32;

    /// <summary>
    /// A peer whose block list has not grown for this long (plus the time a full round of refreshes takes) no longer owns
    /// origin work; when nothing at all has happened for this long, a node takes unowned-by-it blocks itself. Default 2 s.
    /// </summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The blocks in one unit of origin work (one range request); default 4 (256 KiB of V1 blocks).</summary>
    public int UnitBlocks { get; init; } = 4;

    /// <summary>Origin range requests this download keeps in flight (also bounded by the client's limit). Default 2.</summary>
    public int MaxOriginRequestsInFlight { get; init; } = 2;

    /// <summary>Block requests in flight to one peer (the client's limit bounds the total). Default 4.</summary>
    public int MaxRequestsPerPeer { get; init; } = 4;

    /// <summary>How many other nodes downloading the content at once make it a flash crowd (<see cref="PeerDistContent.IsFlashCrowd"/>). Default 3.</summary>
    public int FlashCrowdThreshold { get; init; } = 3;

    /// <summary>
    /// The PCCRR endpoint other nodes know this node by (its advertised <c>XAddrs</c>); null uses
    /// <see cref="PeerDistClient.AdvertisedEndPoint"/>. With neither, this node does not split origin work with others.
    /// </summary>
    public System.Net.EndPoint? LocalEndPoint { get; init; }

    /// <summary>Seeds this node's random order of origin units (tests); null draws one.</summary>
    public int? Seed { get; init; }

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(PeerWait, TimeSpan.Zero, nameof(PeerWait));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ProbeInterval, TimeSpan.Zero, nameof(ProbeInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RefreshInterval, TimeSpan.Zero, nameof(RefreshInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(RefreshBudget, 1, nameof(RefreshBudget));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(StallTimeout, TimeSpan.Zero, nameof(StallTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(UnitBlocks, 1, nameof(UnitBlocks));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOriginRequestsInFlight, 1, nameof(MaxOriginRequestsInFlight));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRequestsPerPeer, 1, nameof(MaxRequestsPerPeer));
        ArgumentOutOfRangeException.ThrowIfLessThan(FlashCrowdThreshold, 1, nameof(FlashCrowdThreshold));
    }
}
