namespace PeerDist.Transport.Udp;

/// <summary>Counters of a <see cref="UdpMulticastChannel"/> since it was opened (a snapshot).</summary>
/// <param name="Received">Datagrams queued for the reader.</param>
/// <param name="Oversized">Datagrams dropped because they exceeded <see cref="UdpMulticastChannelOptions.MaxDatagramSize"/>.</param>
/// <param name="QueueFull">Datagrams dropped because the reader had <see cref="UdpMulticastChannelOptions.ReceiveQueueCapacity"/> waiting.</param>
/// <param name="ForeignInterface">Datagrams dropped because they arrived on an interface that was not named.</param>
/// <param name="ReceiveErrors">Socket errors of the receive loops (the loops continue).</param>
/// <param name="Sent">Datagrams sent (one per interface for a multicast).</param>
/// <param name="SendErrors">Sends that failed.</param>
public readonly record struct UdpMulticastChannelStatistics(
    long Received,
    long Oversized,
    long QueueFull,
    long ForeignInterface,
    long ReceiveErrors,
    long Sent,
    long SendErrors);
