using System.Net;

namespace PeerDist.Transport.Udp;

/// <summary>One received datagram of a <see cref="UdpMulticastChannel"/>. The payload is the datagram's own copy.</summary>
/// <param name="Payload">The UDP payload.</param>
/// <param name="RemoteEndPoint">Where it came from (a reply goes there, MS-PCCRD 2.1).</param>
/// <param name="InterfaceIndex">The index of the local interface it arrived on.</param>
public readonly record struct UdpDatagram(ReadOnlyMemory<byte> Payload, IPEndPoint RemoteEndPoint, int InterfaceIndex);
