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
}
