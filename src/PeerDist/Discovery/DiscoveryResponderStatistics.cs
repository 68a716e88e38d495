using PeerDist.Transport.Udp;

namespace PeerDist.Discovery;

/// <summary>Counters of a <see cref="DiscoveryResponderService"/> (a snapshot).</summary>
/// <param name="Responder">The decisions: Probes seen, malformed, not held, suppressed, replies produced.</param>
/// <param name="Channel">The transport: datagrams received and dropped, sent, errors.</param>
/// <param name="RepliesSent">ProbeMatches sent.</param>
/// <param name="ReplyErrors">ProbeMatches that could not be sent.</param>
/// <param name="RepliesDropped">ProbeMatches not sent because <see cref="DiscoveryResponderServiceOptions.MaxPendingReplies"/> were waiting.</param>
public readonly record struct DiscoveryResponderStatistics(
    PccrdResponderStatistics Responder,
    UdpMulticastChannelStatistics Channel,
    long RepliesSent,
    long ReplyErrors,
    long RepliesDropped);
