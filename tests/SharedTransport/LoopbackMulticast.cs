using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using PeerDist.Transport.Udp;

namespace PeerDist.Tests.Shared;

/// <summary>
/// Multicast on the loopback interface only (the network rule: never a real interface). Each test gets a free port, and
/// a one-off self-test decides whether loopback multicast works here; when it does not, the test is Ignored (so the CI
/// summary counts it as skipped) with the reason, instead of failing or hanging.
/// </summary>
internal static class LoopbackMulticast
{
    private static readonly Lazy<string?> s_ipv4Problem = new(() => SelfTest(AddressFamily.InterNetwork));
    private static readonly Lazy<string?> s_ipv6Problem = new(() => SelfTest(AddressFamily.InterNetworkV6));

    /// <summary>The loopback interface, named explicitly (index and 127.0.0.1 for IP_MULTICAST_IF).</summary>
    public static UdpMulticastInterface Interface
    {
        get
        {
            NetworkInterface? loopback = UdpMulticastInterface.FindLoopback();
            if (loopback is null)
            {
                Assert.Ignore("No loopback interface is reported on this host.");
            }

            UdpMulticastInterface found = UdpMulticastInterface.FromNetworkInterface(loopback!);
            return found with { IPv4Address = IPAddress.Loopback };
        }
    }

    /// <summary>A UDP port free on 127.0.0.1 right now (never 3702).</summary>
    public static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public static UdpMulticastChannelOptions Listener(int port, bool ipv6 = false, int maxDatagramSize = UdpMulticastChannelOptions.DefaultMaxDatagramSize, int capacity = 64) => new()
    {
        Port = port,
        Interfaces = [Interface],
        JoinGroups = true,
        UseIPv4 = !ipv6,
        UseIPv6 = ipv6,
        MaxDatagramSize = maxDatagramSize,
        ReceiveQueueCapacity = capacity,
    };

    /// <summary>A prober's channel; with <paramref name="source"/>, its Probes leave from that loopback address (as a node's leave from its own).</summary>
    public static UdpMulticastChannelOptions Prober(int port, bool ipv6 = false, IPAddress? source = null) => new()
    {
        Port = port,
        Interfaces = [Interface],
        JoinGroups = false,
        UseIPv4 = !ipv6,
        UseIPv6 = ipv6,
        SourceAddress = source,
    };

    /// <summary>Ignores the test, with the reason, when multicast of this family over loopback does not work here.</summary>
    public static void Require(bool ipv6 = false)
    {
        string? problem = ipv6 ? s_ipv6Problem.Value : s_ipv4Problem.Value;
        if (problem is not null)
        {
            Assert.Ignore(problem);
        }
    }

    /// <summary>Reads one datagram or fails after <paramref name="timeout"/>.</summary>
    public static async Task<UdpDatagram> ReadAsync(UdpMulticastChannel channel, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        return await channel.Datagrams.ReadAsync(cts.Token);
    }

    /// <summary>True when nothing arrives within <paramref name="quiet"/>.</summary>
    public static async Task<bool> StaysQuietAsync(UdpMulticastChannel channel, TimeSpan quiet, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(quiet);
        try
        {
            await channel.Datagrams.ReadAsync(cts.Token);
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return true;
        }
    }

    private static string? SelfTest(AddressFamily family)
    {
        bool ipv6 = family == AddressFamily.InterNetworkV6;
        string name = ipv6 ? "IPv6 (FF02::C)" : "IPv4 (239.255.255.250)";
        if (ipv6 && !Socket.OSSupportsIPv6)
        {
            return "IPv6 is not supported on this host.";
        }

        try
        {
            return SelfTestAsync(ipv6).GetAwaiter().GetResult() ? null
                : $"{name} multicast over the loopback interface delivered nothing within 2 s here (Linux: lo needs to be up; IPv6 on lo also needs a multicast route and is not delivered by current kernels).";
        }
        catch (Exception e) when (e is SocketException or ArgumentException or NetworkInformationException or InvalidOperationException)
        {
            return $"{name} multicast over the loopback interface is not available here: {e.GetType().Name}: {e.Message}";
        }
    }

    private static async Task<bool> SelfTestAsync(bool ipv6)
    {
        int port = FreePort();
        await using UdpMulticastChannel listener = UdpMulticastChannel.Open(Listener(port, ipv6));
        await using UdpMulticastChannel sender = UdpMulticastChannel.Open(Prober(port, ipv6));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        for (int attempt = 0; attempt < 4; attempt++)
        {
            await sender.SendMulticastAsync("self-test"u8.ToArray(), cts.Token);
            try
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
                wait.CancelAfter(TimeSpan.FromMilliseconds(400));
                await listener.Datagrams.ReadAsync(wait.Token);
                return true;
            }
            catch (OperationCanceledException) when (!cts.IsCancellationRequested)
            {
                // Try again.
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return false;
    }
}
