using System.Net;
using PeerDist.Diagnostics;
using PeerDist.Transport.Udp;

namespace PeerDist.Discovery;

/// <summary>Settings of a <see cref="DiscoveryResponderService"/>.</summary>
public sealed class DiscoveryResponderServiceOptions
{
    /// <summary>The default bound on replies waiting out their back-off.</summary>
    public const int DefaultMaxPendingReplies = 1024;

    /// <summary>The UDP channel: interfaces (named explicitly), port, families. <see cref="UdpMulticastChannelOptions.JoinGroups"/> must be true.</summary>
    public required UdpMulticastChannelOptions Channel { get; init; }

    /// <summary>The responder: the PCCRR endpoints advertised, back-off, suppression, clock and random source.</summary>
    public required PccrdResponderOptions Responder { get; init; }

    /// <summary>The most replies waiting out their back-off at once; Probes beyond that are not answered (counted).</summary>
    public int MaxPendingReplies { get; init; } = DefaultMaxPendingReplies;

    /// <summary>
    /// Called for every well-formed Probe received, whether answered or not, with its source: a node downloading the same
    /// content learns its co-downloaders before they hold anything (they probe for it). Must be quick and not throw.
    /// </summary>
    public Action<PccrdProbe, IPEndPoint>? ProbeObserver { get; init; }

    /// <summary>Where the count of ProbeMatches sent goes; null records none. Not disposed by the service.</summary>
    public PeerDistMetrics? Metrics { get; init; }

    /// <summary>
    /// The replies this node saw when it downloaded segments itself (recorded by a <see cref="DiscoveryPeerLocator"/>
    /// sharing the instance), for the reply-suppression rule (wire.md §2.5). Null: always answer for held segments.
    /// Used only by the <see cref="DiscoveryResponderService(PeerDist.Caching.ContentCache, DiscoveryResponderServiceOptions)"/> constructor.
    /// </summary>
    public DiscoveryReplyHistory? ReplyHistory { get; init; }
}
