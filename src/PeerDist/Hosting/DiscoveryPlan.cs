using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using PeerDist.Transport.Udp;

namespace PeerDist.Hosting;

/// <summary>
/// The interfaces a node runs discovery on, resolved from its options when it starts: loopback (tests, demo), the named
/// ones, or every interface that is up, multicast-capable and not loopback.
/// </summary>
internal sealed record DiscoveryPlan(
    IReadOnlyList<UdpMulticastInterface> Interfaces,
    IReadOnlyList<IPNetwork> LocalNetworks,
    IReadOnlyList<IPAddress> Addresses,
    bool UseIPv6)
{
    public string Describe() => string.Join(", ", Interfaces.Select(i => i.Name ?? i.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Resolves the plan; null (with the reason) when there is nothing to run discovery on.</summary>
    /// <exception cref="PeerDistNodeStartException">A named interface does not exist.</exception>
    public static DiscoveryPlan? Resolve(PeerDistNodeOptions options, out string? reason)
    {
        reason = null;
        if (options.DiscoveryOnLoopback)
        {
            NetworkInterface? loopback = UdpMulticastInterface.FindLoopback();
            if (loopback is null)
            {
                reason = "the system reports no loopback interface";
                return null;
            }

            // Loopback discovery is IPv4 only: Linux does not deliver IPv6 multicast over lo.
            UdpMulticastInterface chosen = UdpMulticastInterface.FromNetworkInterface(loopback) with { IPv4Address = IPAddress.Loopback };
            return new DiscoveryPlan([chosen], [IPNetwork.Parse("127.0.0.0/8")], [IPAddress.Loopback], UseIPv6: false);
        }

        IReadOnlyList<NetworkInterface> found;
        if (options.DiscoveryInterfaces.Count != 0)
        {
            NetworkInterface[] all = NetworkInterface.GetAllNetworkInterfaces();
            var named = new List<NetworkInterface>();
            foreach (string name in options.DiscoveryInterfaces)
            {
                NetworkInterface? match = Array.Find(all, n => string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase));
                if (match is null)
                {
                    throw PeerDistNodeStartException.Create(
                        PeerDistNodeStartError.UnknownInterface,
                        $"There is no network interface named '{name}' (DiscoveryInterfaces, --interface). Interfaces here: {string.Join(", ", all.Select(n => n.Name))}.");
                }

                named.Add(match);
            }

            found = named;
        }
        else
        {
            found = UdpMulticastInterface.GetMulticastInterfaces();
            if (found.Count == 0)
            {
                reason = "no network interface is up, multicast-capable and not loopback (name one with DiscoveryInterfaces / --interface)";
                return null;
            }
        }

        var interfaces = new List<UdpMulticastInterface>();
        var networks = new List<IPNetwork>();
        var addresses = new List<IPAddress>();
        bool ipv6 = Socket.OSSupportsIPv6;
        foreach (NetworkInterface networkInterface in found)
        {
            interfaces.Add(UdpMulticastInterface.FromNetworkInterface(networkInterface));
            networks.AddRange(UdpMulticastInterface.GetLocalNetworks(networkInterface));
            ipv6 &= networkInterface.Supports(NetworkInterfaceComponent.IPv6);
            foreach (UnicastIPAddressInformation unicast in networkInterface.GetIPProperties().UnicastAddresses)
            {
                if (unicast.Address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
                {
                    addresses.Add(unicast.Address);
                }
            }
        }

        return new DiscoveryPlan(interfaces, networks, addresses, ipv6);
    }

    /// <summary>
    /// The PCCRR endpoints to advertise in ProbeMatches (<c>XAddrs</c>, MS-PCCRD 2.2.3.8): a bound wildcard endpoint stands
    /// for every address of the discovery interfaces of its family; a specific address is advertised as bound.
    /// </summary>
    public IReadOnlyList<IPEndPoint> Advertise(IReadOnlyList<IPEndPoint> bound)
    {
        var result = new List<IPEndPoint>();
        foreach (IPEndPoint endPoint in bound)
        {
            if (endPoint.Address.Equals(IPAddress.Any) || endPoint.Address.Equals(IPAddress.IPv6Any))
            {
                AddressFamily family = endPoint.AddressFamily;
                foreach (IPAddress address in Addresses)
                {
                    if (address.AddressFamily == family && (family == AddressFamily.InterNetwork || UseIPv6))
                    {
                        var item = new IPEndPoint(new IPAddress(address.GetAddressBytes()), endPoint.Port);
                        if (!result.Contains(item))
                        {
                            result.Add(item);
                        }
                    }
                }
            }
            else if (!result.Contains(endPoint))
            {
                result.Add(endPoint);
            }
        }

        return result;
    }
}
