using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace PeerDist.Transport.Udp;

/// <summary>
/// A network interface a <see cref="UdpMulticastChannel"/> joins the discovery groups on and sends Probes through, named
/// explicitly by the caller (MS-PCCRD 2.1: the groups are link-local, so every interface is its own link).
/// </summary>
/// <param name="Index">The operating system's interface index (IPv4 and IPv6 use the same index on Linux and Windows).</param>
/// <param name="IPv4Address">
/// An IPv4 address of the interface, used for <c>IP_MULTICAST_IF</c> (the portable form); when null the index is used.
/// </param>
/// <param name="Name">A name for diagnostics only.</param>
public sealed record UdpMulticastInterface(int Index, IPAddress? IPv4Address = null, string? Name = null)
{
    /// <summary>The interface's IPv4 and IPv6 prefixes (network address and length), for the prober's local-subnet check.</summary>
    public static IReadOnlyList<IPNetwork> GetLocalNetworks(NetworkInterface networkInterface)
    {
        ArgumentNullException.ThrowIfNull(networkInterface);
        var networks = new List<IPNetwork>();
        foreach (UnicastIPAddressInformation unicast in networkInterface.GetIPProperties().UnicastAddresses)
        {
            IPAddress address = unicast.Address;
            int prefix = unicast.PrefixLength;
            if (address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 && prefix >= 0)
            {
                var bare = new IPAddress(address.GetAddressBytes()); // without the IPv6 scope
                networks.Add(new IPNetwork(Mask(bare, prefix), prefix));
            }
        }

        return networks;
    }

    /// <summary>Describes <paramref name="networkInterface"/> (index and first IPv4 address).</summary>
    /// <exception cref="ArgumentException">The interface has neither an IPv4 nor an IPv6 index.</exception>
    public static UdpMulticastInterface FromNetworkInterface(NetworkInterface networkInterface)
    {
        ArgumentNullException.ThrowIfNull(networkInterface);
        IPInterfaceProperties properties = networkInterface.GetIPProperties();
        int index = -1;
        if (networkInterface.Supports(NetworkInterfaceComponent.IPv4))
        {
            index = properties.GetIPv4Properties()?.Index ?? -1;
        }

        if (index < 0 && networkInterface.Supports(NetworkInterfaceComponent.IPv6))
        {
            index = properties.GetIPv6Properties()?.Index ?? -1;
        }

        if (index < 0)
        {
            UdpThrowHelper.ThrowArgument("The interface has no IP index.", nameof(networkInterface));
        }

        IPAddress? v4 = null;
        foreach (UnicastIPAddressInformation unicast in properties.UnicastAddresses)
        {
            if (unicast.Address.AddressFamily == AddressFamily.InterNetwork)
            {
                v4 = unicast.Address;
                break;
            }
        }

        return new UdpMulticastInterface(index, v4, networkInterface.Name);
    }

    /// <summary>The loopback interface (for tests and the demo), or null when the system reports none.</summary>
    public static NetworkInterface? FindLoopback()
    {
        foreach (NetworkInterface candidate in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (candidate.NetworkInterfaceType == NetworkInterfaceType.Loopback)
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// The node's default for real use: every interface that is up, supports multicast and is not loopback. Never used by
    /// the tests, which name the loopback interface explicitly.
    /// </summary>
    public static IReadOnlyList<NetworkInterface> GetMulticastInterfaces()
    {
        var result = new List<NetworkInterface>();
        foreach (NetworkInterface candidate in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (candidate.OperationalStatus == OperationalStatus.Up
                && candidate.SupportsMulticast
                && candidate.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            {
                result.Add(candidate);
            }
        }

        return result;
    }

    private static IPAddress Mask(IPAddress address, int prefixLength)
    {
        byte[] bytes = address.GetAddressBytes();
        for (int i = 0; i < bytes.Length; i++)
        {
            int bits = Math.Clamp(prefixLength - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bits));
        }

        return new IPAddress(bytes);
    }
}
