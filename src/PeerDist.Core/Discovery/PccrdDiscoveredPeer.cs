using System.Net;

namespace PeerDist.Discovery;

/// <summary>A responder that said it holds a segment (one entry of <see cref="PccrdOutstandingProbe.GetPeers"/>).</summary>
/// <param name="EndPoint">
/// The PCCRR endpoint to use: the first <c>XAddrs</c> entry of the source's address family, else the first entry.
/// </param>
/// <param name="EndPoints">Every <c>XAddrs</c> entry inside the local subnets (a link-local IPv6 entry gets the source's scope).</param>
/// <param name="Source">Where the ProbeMatch came from.</param>
/// <param name="EndpointAddress">The responder's <c>EndpointReference/Address</c> (its identity).</param>
/// <param name="Availability">What it holds of the segment (version 1.0: <see cref="PccrdSegmentAvailability.SomeBlocks"/>).</param>
/// <param name="BlockCount">Version 1.0: the number of blocks held; null for version 2.0.</param>
/// <param name="Age">Version 2.0: the segment age when sent; else null.</param>
public sealed record PccrdDiscoveredPeer(
    IPEndPoint EndPoint,
    IReadOnlyList<IPEndPoint> EndPoints,
    IPEndPoint Source,
    string EndpointAddress,
    PccrdSegmentAvailability Availability,
    uint? BlockCount,
    TimeSpan? Age);
