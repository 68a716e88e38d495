namespace PeerDist.Discovery;

/// <summary>What <see cref="PccrdProber.Accept"/> did with one received datagram (MS-PCCRD 3.1.4.1).</summary>
public enum PccrdReplyOutcome
{
    /// <summary>A ProbeMatch for an outstanding Probe from the local subnet: its peer was recorded.</summary>
    Accepted,

    /// <summary>Not a valid PeerDist ProbeMatch: dropped.</summary>
    Malformed,

    /// <summary><c>RelatesTo</c> names no outstanding Probe (never sent, or already completed): dropped.</summary>
    UnknownProbe,

    /// <summary>The Probe's collection window had passed: dropped (MS-PCCRD 3.1.5: the Probe was dropped when its timer expired).</summary>
    Expired,

    /// <summary>The source address, or every <c>XAddrs</c> entry, is outside the local subnets (MS-PCCRD 5.1): dropped.</summary>
    OutsideLocalNetwork,

    /// <summary>The reply names none of the segments the Probe asked for (or a different version): dropped.</summary>
    NoRequestedSegment,

    /// <summary>The same responder (by <c>EndpointReference/Address</c>) had already answered this Probe: the first answer stays.</summary>
    Duplicate,
}
