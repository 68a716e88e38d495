namespace PeerDist.Discovery;

/// <summary>Counters of a <see cref="PccrdProber"/> since it was created (a snapshot), one per <see cref="PccrdReplyOutcome"/>.</summary>
/// <param name="Probes">Probes created.</param>
/// <param name="Accepted">Replies recorded.</param>
/// <param name="Malformed">Datagrams that were not valid ProbeMatches.</param>
/// <param name="UnknownProbe">Replies to no outstanding Probe.</param>
/// <param name="Expired">Replies after the window.</param>
/// <param name="OutsideLocalNetwork">Replies from outside the local subnets.</param>
/// <param name="NoRequestedSegment">Replies naming no requested segment.</param>
/// <param name="Duplicate">Repeated replies of one responder to one Probe.</param>
public readonly record struct PccrdProberStatistics(
    long Probes,
    long Accepted,
    long Malformed,
    long UnknownProbe,
    long Expired,
    long OutsideLocalNetwork,
    long NoRequestedSegment,
    long Duplicate);
