namespace PeerDist.Discovery;

/// <summary>Fixed values of the PCCRD transport and messages (MS-PCCRD 2.1, 2.2.3.3).</summary>
public static class PccrdConstants
{
    /// <summary>The WS-Discovery UDP port (MS-PCCRD 2.1 by way of WS-Discovery).</summary>
    public const int Port = 3702;

    /// <summary>The IPv4 multicast group a Probe is sent to.</summary>
    public const string IPv4MulticastAddress = "239.255.255.250";

    /// <summary>The IPv6 (link-local scope) multicast group a Probe is sent to.</summary>
    public const string IPv6MulticastAddress = "FF02::C";

    /// <summary>
    /// The most segment identifiers one Probe carries: the version 2.0 <c>Segment Hash Count</c> is one byte (MS-PCCRD
    /// 2.2.3.3); version 1.0 Probes are held to the same limit.
    /// </summary>
    public const int MaxSegmentIdsPerProbe = byte.MaxValue;
}
