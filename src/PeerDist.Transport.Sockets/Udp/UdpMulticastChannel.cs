using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace PeerDist.Transport.Udp;

/// <summary>
/// The datagram transport of MS-PCCRD (2.1, SOAP-over-UDP): IPv4 239.255.255.250 and IPv6 FF02::C, port 3702 by default,
/// on interfaces the caller names explicitly. Hands every received datagram, with its source and the interface it came on,
/// to <see cref="Datagrams"/>; sends Probes by multicast through each named interface (hop limit 1) and replies by unicast.
/// Knows bytes, never XML.
/// </summary>
/// <remarks>
/// <para>
/// One socket per address family. A listener (<see cref="UdpMulticastChannelOptions.JoinGroups"/>) binds the group port
/// with address reuse, so several responders on one host all hear a Probe, and joins the group on each named interface
/// only (on Linux also with <c>IP_MULTICAST_ALL</c> off, so groups joined by other sockets are not delivered here). A
/// prober binds an ephemeral port, where the unicast ProbeMatches arrive. Datagrams that arrive on an interface that was
/// not named, or are larger than <see cref="UdpMulticastChannelOptions.MaxDatagramSize"/>, are dropped and counted; so
/// are datagrams that find the bounded queue full. Socket errors of the receive loop are counted and the loop goes on.
/// </para>
/// <para>
/// Every multicast send names its outgoing interface (<c>IP_MULTICAST_IF</c> / <c>IPV6_MULTICAST_IF</c>) with time-to-live
/// / hop limit 1 and loopback on (so responders on the same host hear it). Sends on one socket are serialised, because the
/// outgoing interface is a socket option.
/// </para>
/// </remarks>
public sealed class UdpMulticastChannel : IAsyncDisposable
{
    private const int LinuxIPMulticastAll = 49; // IP_MULTICAST_ALL, <linux/in.h>
    private const int LinuxIPv6MulticastAll = 29; // IPV6_MULTICAST_ALL, <linux/in6.h>

    private readonly UdpMulticastChannelOptions _options;
    private readonly Endpoint[] _endpoints;
    private readonly HashSet<int> _interfaceIndexes;
    private readonly Channel<UdpDatagram> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _loops;
    private long _received;
    private long _oversized;
    private long _queueFull;
    private long _foreignInterface;
    private long _receiveErrors;
    private long _sent;
    private long _sendErrors;
    private int _disposed;

    private UdpMulticastChannel(UdpMulticastChannelOptions options, Endpoint[] endpoints)
    {
        _options = options;
        _endpoints = endpoints;
        _interfaceIndexes = [.. options.Interfaces.Select(static i => i.Index)];
        _queue = Channel.CreateBounded<UdpDatagram>(new BoundedChannelOptions(options.ReceiveQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails when full, and the datagram is counted as dropped
            SingleReader = false,
            SingleWriter = false,
        });
        _loops = new Task[endpoints.Length];
        for (int i = 0; i < endpoints.Length; i++)
        {
            Endpoint endpoint = endpoints[i];
            _loops[i] = Task.Run(() => ReceiveLoopAsync(endpoint, _stop.Token));
        }
    }

    /// <summary>The received datagrams, in arrival order per socket. Completes when the channel is disposed.</summary>
    public ChannelReader<UdpDatagram> Datagrams => _queue.Reader;

    /// <summary>The bound local endpoints, one per address family in use.</summary>
    public IReadOnlyList<IPEndPoint> LocalEndPoints => [.. _endpoints.Select(static e => (IPEndPoint)e.Socket.LocalEndPoint!)];

    /// <summary>A snapshot of the counters.</summary>
    public UdpMulticastChannelStatistics Statistics => new(
        Interlocked.Read(ref _received),
        Interlocked.Read(ref _oversized),
        Interlocked.Read(ref _queueFull),
        Interlocked.Read(ref _foreignInterface),
        Interlocked.Read(ref _receiveErrors),
        Interlocked.Read(ref _sent),
        Interlocked.Read(ref _sendErrors));

    /// <summary>Opens the sockets, joins the groups (listener) and starts receiving.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <exception cref="SocketException">A socket could not be bound or a group not joined (nothing stays open).</exception>
    public static UdpMulticastChannel Open(UdpMulticastChannelOptions options)
    {
        Validate(options);
        var endpoints = new List<Endpoint>(2);
        try
        {
            if (options.UseIPv4)
            {
                endpoints.Add(CreateEndpoint(options, AddressFamily.InterNetwork));
            }

            if (options.UseIPv6)
            {
                endpoints.Add(CreateEndpoint(options, AddressFamily.InterNetworkV6));
            }
        }
        catch
        {
            foreach (Endpoint endpoint in endpoints)
            {
                endpoint.Dispose();
            }

            throw;
        }

        return new UdpMulticastChannel(options, [.. endpoints]);
    }

    /// <summary>
    /// Multicasts <paramref name="datagram"/> to the group of every family in use, once through each named interface
    /// (iPXE likewise sends on every open interface, wire.md §2.1). Returns the number of datagrams sent; failures are
    /// counted and skipped, and when nothing could be sent the last error is thrown.
    /// </summary>
    /// <exception cref="SocketException">No datagram could be sent.</exception>
    public async ValueTask<int> SendMulticastAsync(ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        CheckSize(datagram);
        int sent = 0;
        SocketException? last = null;
        foreach (Endpoint endpoint in _endpoints)
        {
            foreach (UdpMulticastInterface network in _options.Interfaces)
            {
                var group = endpoint.Family == AddressFamily.InterNetwork
                    ? new IPEndPoint(_options.IPv4Group, _options.Port)
                    : new IPEndPoint(new IPAddress(_options.IPv6Group.GetAddressBytes(), network.Index), _options.Port);
                await endpoint.SendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    SetOutgoingInterface(endpoint, network);
                    await endpoint.Socket.SendToAsync(datagram, SocketFlags.None, group, cancellationToken).ConfigureAwait(false);
                    Interlocked.Increment(ref _sent);
                    sent++;
                }
                catch (SocketException e)
                {
                    Interlocked.Increment(ref _sendErrors);
                    last = e;
                }
                finally
                {
                    endpoint.SendGate.Release();
                }
            }
        }

        if (sent == 0 && last is not null)
        {
            throw last;
        }

        return sent;
    }

    /// <summary>Sends <paramref name="datagram"/> by unicast to <paramref name="remote"/> (a ProbeMatch to the Probe's source).</summary>
    /// <exception cref="ArgumentException">No socket of the remote's address family is open.</exception>
    /// <exception cref="SocketException">The send failed (also counted).</exception>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> datagram, IPEndPoint remote, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        CheckSize(datagram);
        Endpoint? endpoint = Array.Find(_endpoints, e => e.Family == remote.AddressFamily);
        if (endpoint is null)
        {
            UdpThrowHelper.ThrowArgument("No socket of the remote endpoint's address family is open.", nameof(remote));
        }

        await endpoint.SendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await endpoint.Socket.SendToAsync(datagram, SocketFlags.None, remote, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _sent);
        }
        catch (SocketException)
        {
            Interlocked.Increment(ref _sendErrors);
            throw;
        }
        finally
        {
            endpoint.SendGate.Release();
        }
    }

    /// <summary>Stops the receive loops, closes the sockets and completes <see cref="Datagrams"/>. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (Endpoint endpoint in _endpoints)
        {
            endpoint.Socket.Dispose(); // unblocks a pending receive
        }

        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The loops end by cancellation.
        }

        _queue.Writer.TryComplete();
        foreach (Endpoint endpoint in _endpoints)
        {
            endpoint.Dispose();
        }

        _stop.Dispose();
    }

    private static void Validate(UdpMulticastChannelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Interfaces);
        if (options.Interfaces.Count == 0 || options.Interfaces.Any(static i => i is null || i.Index <= 0))
        {
            UdpThrowHelper.ThrowArgument("Name at least one interface, each with a positive index.", nameof(options));
        }

        if (!options.UseIPv4 && !options.UseIPv6)
        {
            UdpThrowHelper.ThrowArgument("Use IPv4, IPv6 or both.", nameof(options));
        }

        if (options.Port is < 1 or > IPEndPoint.MaxPort)
        {
            UdpThrowHelper.ThrowArgument("The group port is from 1 to 65535.", nameof(options));
        }

        if (options.IPv4Group is null || !IsIPv4Multicast(options.IPv4Group)
            || options.IPv6Group is null || !options.IPv6Group.IsIPv6Multicast)
        {
            UdpThrowHelper.ThrowArgument("The groups are an IPv4 and an IPv6 multicast address.", nameof(options));
        }

        if (options.MaxDatagramSize is < 1 or > 65_535 || options.ReceiveQueueCapacity < 1 || options.SocketReceiveBufferSize is < 1)
        {
            UdpThrowHelper.ThrowArgument("MaxDatagramSize is 1 to 65535, ReceiveQueueCapacity and SocketReceiveBufferSize are positive.", nameof(options));
        }
    }

    private static bool IsIPv4Multicast(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork && (address.GetAddressBytes()[0] & 0xF0) == 0xE0;

    private static Endpoint CreateEndpoint(UdpMulticastChannelOptions options, AddressFamily family)
    {
        var socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            bool v4 = family == AddressFamily.InterNetwork;
            SocketOptionLevel level = v4 ? SocketOptionLevel.IP : SocketOptionLevel.IPv6;
            if (!v4)
            {
                socket.DualMode = false;
            }

            if (options.SocketReceiveBufferSize is int size)
            {
                socket.ReceiveBufferSize = size;
            }

            // MS-PCCRD 2.1: link-local traffic; TTL / hop limit 1 keeps every Probe on the link.
            socket.SetSocketOption(level, SocketOptionName.MulticastTimeToLive, 1);
            socket.SetSocketOption(level, SocketOptionName.MulticastLoopback, true);
            socket.SetSocketOption(level, SocketOptionName.PacketInformation, true);
            if (options.JoinGroups)
            {
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                if (OperatingSystem.IsLinux())
                {
                    // Deliver only the groups this socket joined, on the interfaces it joined them on (value 0 in any byte order).
                    try
                    {
                        socket.SetRawSocketOption(v4 ? 0 : 41, v4 ? LinuxIPMulticastAll : LinuxIPv6MulticastAll, stackalloc byte[4]);
                    }
                    catch (SocketException)
                    {
                        // Older kernels lack IPV6_MULTICAST_ALL; the interface check of the receive loop still applies.
                    }
                }

                socket.Bind(new IPEndPoint(v4 ? IPAddress.Any : IPAddress.IPv6Any, options.Port));
                foreach (UdpMulticastInterface network in options.Interfaces)
                {
                    if (v4)
                    {
                        socket.SetSocketOption(level, SocketOptionName.AddMembership, new MulticastOption(options.IPv4Group, network.Index));
                    }
                    else
                    {
                        socket.SetSocketOption(level, SocketOptionName.AddMembership, new IPv6MulticastOption(options.IPv6Group, network.Index));
                    }
                }
            }
            else
            {
                IPAddress? source = options.SourceAddress is { } address && address.AddressFamily == family ? address : null;
                socket.Bind(new IPEndPoint(source ?? (v4 ? IPAddress.Any : IPAddress.IPv6Any), 0));
            }

            return new Endpoint(socket, family);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static void SetOutgoingInterface(Endpoint endpoint, UdpMulticastInterface network)
    {
        if (endpoint.Family == AddressFamily.InterNetworkV6)
        {
            endpoint.Socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastInterface, network.Index);
        }
        else if (network.IPv4Address is { } address)
        {
            endpoint.Socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, address.GetAddressBytes());
        }
        else
        {
            // An index in network byte order, the form Windows and .NET accept for IP_MULTICAST_IF.
            endpoint.Socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.HostToNetworkOrder(network.Index));
        }
    }

    private void CheckSize(ReadOnlyMemory<byte> datagram)
    {
        if (datagram.Length > _options.MaxDatagramSize)
        {
            UdpThrowHelper.ThrowArgument("The datagram is larger than MaxDatagramSize.", nameof(datagram));
        }
    }

    private async Task ReceiveLoopAsync(Endpoint endpoint, CancellationToken cancellationToken)
    {
        // One byte more than the limit, so that an oversized datagram is recognised even where it is silently truncated.
        byte[] buffer = GC.AllocateUninitializedArray<byte>(_options.MaxDatagramSize + 1);
        EndPoint any = endpoint.Family == AddressFamily.InterNetwork ? new IPEndPoint(IPAddress.Any, 0) : new IPEndPoint(IPAddress.IPv6Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveMessageFromResult result;
            try
            {
                result = await endpoint.Socket.ReceiveMessageFromAsync(buffer, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.MessageSize)
            {
                Interlocked.Increment(ref _oversized); // Windows reports a truncated datagram as an error
                continue;
            }
            catch (SocketException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                // For example an ICMP port-unreachable reported on the next receive (Windows): count it and go on, without spinning.
                Interlocked.Increment(ref _receiveErrors);
                try
                {
                    await Task.Delay(10, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            if (result.ReceivedBytes > _options.MaxDatagramSize || (result.SocketFlags & SocketFlags.Truncated) != 0)
            {
                Interlocked.Increment(ref _oversized);
                continue;
            }

            int interfaceIndex = result.PacketInformation.Interface;
            if (!_interfaceIndexes.Contains(interfaceIndex))
            {
                Interlocked.Increment(ref _foreignInterface);
                continue;
            }

            var datagram = new UdpDatagram(buffer.AsSpan(0, result.ReceivedBytes).ToArray(), (IPEndPoint)result.RemoteEndPoint, interfaceIndex);
            if (_queue.Writer.TryWrite(datagram))
            {
                Interlocked.Increment(ref _received);
            }
            else
            {
                Interlocked.Increment(ref _queueFull);
            }
        }
    }

    private sealed class Endpoint(Socket socket, AddressFamily family) : IDisposable
    {
        public Socket Socket { get; } = socket;

        public AddressFamily Family { get; } = family;

        public SemaphoreSlim SendGate { get; } = new(1, 1);

        public void Dispose()
        {
            Socket.Dispose();
            SendGate.Dispose();
        }
    }
}
