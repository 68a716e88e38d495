using System.Net;
using PeerDist.Transport.Udp;

namespace PeerDist.Discovery;

/// <summary>Settings of a <see cref="DiscoveryPeerLocator"/>.</summary>
public sealed class DiscoveryPeerLocatorOptions
{
    /// <summary>
    /// The UDP channel: interfaces (named explicitly), group port, families. <see cref="UdpMulticastChannelOptions.JoinGroups"/>
    /// must be false: the locator sends from an ephemeral port and receives the unicast replies there.
    /// </summary>
    public required UdpMulticastChannelOptions Channel { get; init; }

    /// <summary>The prober: collection window, local subnets, clock and random source.</summary>
    public required PccrdProberOptions Prober { get; init; }

    /// <summary>
    /// PCCRR endpoints never returned as peers: the node's own (its responder answers its own Probes for segments it
    /// holds only in part). Compared with <see cref="object.Equals(object)"/>.
    /// </summary>
    public IReadOnlyList<EndPoint> ExcludedEndPoints { get; init; } = [];

    /// <summary>
    /// Where to record how many peers answered for each segment and how many had all of it, for the reply-suppression
    /// rule of this node's responder (wire.md §2.5); share the instance with <see cref="DiscoveryResponderServiceOptions.ReplyHistory"/>.
    /// Null records nothing.
    /// </summary>
    public DiscoveryReplyHistory? ReplyHistory { get; init; }

    /// <summary>
    /// Whether <see cref="DiscoveryPeerLocator.LocateAsync"/> answers before the prober's window ends once every segment
    /// asked has a reply from a peer with the whole segment (version 2.0: the <c>AllBlocks</c> bit; version 1.0: a block
    /// count covering the segment; never a peer in <see cref="ExcludedEndPoints"/>), so that the first block can be asked
    /// for at once. While a segment has only partial holders the whole window is waited, since a complete holder may still
    /// answer. After an early answer the Probes stay open until the window ends: each list returned grows with the peers
    /// that answer later (appended in arrival order; a reader sees a consistent snapshot at each read), so blocks can still
    /// be spread over every holder, and the <see cref="ReplyHistory"/> is written when the window ends with every reply, as
    /// without this. True by default; false always waits the whole window (the MS-PCCRD 3.1.2 request timer, as Windows
    /// does) and returns fixed lists.
    /// </summary>
    public bool CompleteEarly { get; init; } = true;
}
