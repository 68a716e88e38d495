using System.Net;
using PeerDist.Discovery;

namespace PeerDist.Transport.Udp;

/// <summary>Settings of a <see cref="UdpMulticastChannel"/>; validated by <see cref="UdpMulticastChannel.Open"/>.</summary>
public sealed class UdpMulticastChannelOptions
{
    /// <summary>The default largest datagram: the largest IPv4 UDP payload.</summary>
    public const int DefaultMaxDatagramSize = 65_507;

    /// <summary>The default number of received datagrams waiting for the reader.</summary>
    public const int DefaultReceiveQueueCapacity = 256;

    /// <summary>The group port: where Probes are sent and where a listener binds. 3702 by default (MS-PCCRD 2.1); tests use a free port.</summary>
    public int Port { get; init; } = PccrdConstants.Port;

    /// <summary>The interfaces to join and send on, named explicitly. At least one.</summary>
    public IReadOnlyList<UdpMulticastInterface> Interfaces { get; init; } = [];

    /// <summary>
    /// True (a responder): bind <see cref="Port"/> with address reuse and join the groups on every interface. False (a
    /// prober): bind an ephemeral port, join nothing, and receive the unicast replies there.
    /// </summary>
    public bool JoinGroups { get; init; } = true;

    /// <summary>
    /// With <see cref="JoinGroups"/> false: the local address the sending socket of that family binds to, so datagrams
    /// carry it as their source (several nodes sharing one interface, e.g. on loopback, stay distinguishable); null binds
    /// the wildcard address.
    /// </summary>
    public IPAddress? SourceAddress { get; init; }

    /// <summary>Whether to use IPv4 (<see cref="IPv4Group"/>). At least one family is used.</summary>
    public bool UseIPv4 { get; init; } = true;

    /// <summary>Whether to use IPv6 (<see cref="IPv6Group"/>).</summary>
    public bool UseIPv6 { get; init; } = true;

    /// <summary>The IPv4 group, 239.255.255.250 by default.</summary>
    public IPAddress IPv4Group { get; init; } = IPAddress.Parse(PccrdConstants.IPv4MulticastAddress);

    /// <summary>The IPv6 group, FF02::C (link-local scope) by default.</summary>
    public IPAddress IPv6Group { get; init; } = IPAddress.Parse(PccrdConstants.IPv6MulticastAddress);

    /// <summary>The largest datagram accepted; larger ones are dropped and counted. From 1 to 65535.</summary>
    public int MaxDatagramSize { get; init; } = DefaultMaxDatagramSize;

    /// <summary>The most received datagrams waiting for the reader; more are dropped and counted.</summary>
    public int ReceiveQueueCapacity { get; init; } = DefaultReceiveQueueCapacity;

    /// <summary>
    /// The socket receive buffer in bytes (a burst of Probes must not be lost: wire.md §6 reports about 500 Probes in under
    /// a second from one client); null keeps the system default.
    /// </summary>
    public int? SocketReceiveBufferSize { get; init; } = 1024 * 1024;
}
