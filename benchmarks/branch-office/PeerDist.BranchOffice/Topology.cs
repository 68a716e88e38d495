using System.Globalization;

namespace PeerDist.BranchOffice;

/// <summary>
/// The lab: network namespaces joined by a bridge. A lab namespace holds the bridge (multicast snooping off, so probes
/// reach every port); the origin namespace hangs off it by the "WAN" veth, shaped with <c>tbf</c> on both ends; each node
/// namespace by its own veth, shaped to the node's LAN cap. One flat IPv4 subnet: origin .1, hosted cache .2, crowd .3,
/// nodes .11 onwards. Everything is created under a run-id prefix and deleted by <see cref="DisposeAsync"/>.
/// </summary>
internal sealed class Topology : IAsyncDisposable
{
    /// <summary>The prefix of every namespace a run creates: <c>pdbo-PID-</c>.</summary>
    public const string NamePrefix = "pdbo-";

    public const string Subnet = "10.200.0";
    public const string OriginAddress = Subnet + ".1";
    public const string HostedCacheAddress = Subnet + ".2";
    public const string CrowdAddress = Subnet + ".3";

    /// <summary>The origin's end of the WAN veth (its tx counter is the WAN egress).</summary>
    public const string OriginInterface = "wan0";

    /// <summary>The lab (bridge) end of the WAN veth (its tx counter is the traffic toward the origin).</summary>
    public const string WanBridgePort = "wan-br";

    /// <summary>The interface name inside every node namespace (discovery runs on it).</summary>
    public const string NodeInterface = "lan0";

    private const string Bridge = "br0";

    private readonly List<string> _namespaces = [];
    private readonly Lock _lock = new();
    private int _disposed;

    private readonly string _mtu;

    public Topology(string runId, int mtu)
    {
        RunId = runId;
        _mtu = mtu.ToString(CultureInfo.InvariantCulture);
    }

    public string RunId { get; }

    public string Lab => $"{NamePrefix}{RunId}-lab";

    public string Origin => $"{NamePrefix}{RunId}-origin";

    public string HostedCache => $"{NamePrefix}{RunId}-hc";

    public string Crowd => $"{NamePrefix}{RunId}-crowd";

    public static string NodeAddress(int node) => $"{Subnet}.{10 + node}";

    public string NodeNamespace(int node) => $"{NamePrefix}{RunId}-n{node}";

    /// <summary>Deletes <c>pdbo-PID-*</c> namespaces whose creating process is gone (left by a run that was killed).</summary>
    public static async Task RemoveStaleAsync(TextWriter log)
    {
        // The work folders (generated content, disk caches) of runs that were killed: /tmp/pdbo-PID.
        foreach (string directory in Directory.EnumerateDirectories(Path.GetTempPath(), NamePrefix + "*"))
        {
            string suffix = Path.GetFileName(directory)[NamePrefix.Length..];
            if (int.TryParse(suffix, NumberStyles.None, CultureInfo.InvariantCulture, out int owner) && !Directory.Exists($"/proc/{owner}"))
            {
                log.WriteLine($"removing stale folder {directory}");
                try
                {
                    Directory.Delete(directory, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }

        string list = await Shell.IpAsync("netns", "list");
        foreach (string line in list.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string name = line.Split(' ')[0];
            if (!name.StartsWith(NamePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            string[] parts = name[NamePrefix.Length..].Split('-');
            if (parts.Length > 0 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && Directory.Exists($"/proc/{pid}"))
            {
                continue;
            }

            log.WriteLine($"removing stale namespace {name}");
            await KillProcessesInAsync(name);
            await Shell.RunAsync("ip", ["netns", "delete", name], check: false);
        }
    }

    /// <summary>Creates the lab, the origin and its WAN link.</summary>
    public async Task CreateCoreAsync(double wanMbit)
    {
        await AddNamespaceAsync(Lab);
        await Shell.IpAsync("-n", Lab, "link", "add", Bridge, "mtu", _mtu, "type", "bridge", "mcast_snooping", "0");
        await Shell.IpAsync("-n", Lab, "link", "set", Bridge, "up");

        // Bridged frames need no firewall here; where br_netfilter is loaded its per-namespace switches are on by default.
        await Shell.RunAsync("ip", ["netns", "exec", Lab, "sysctl", "-q", "-w", "net.bridge.bridge-nf-call-iptables=0", "net.bridge.bridge-nf-call-ip6tables=0", "net.bridge.bridge-nf-call-arptables=0"], check: false);

        await AddNamespaceAsync(Origin);
        await Shell.IpAsync("-n", Lab, "link", "add", WanBridgePort, "mtu", _mtu, "type", "veth", "peer", "name", OriginInterface, "mtu", _mtu, "netns", Origin);
        await Shell.IpAsync("-n", Lab, "link", "set", WanBridgePort, "master", Bridge, "up");
        await Shell.IpAsync("-n", Origin, "addr", "add", OriginAddress + "/24", "dev", OriginInterface);
        await Shell.IpAsync("-n", Origin, "link", "set", OriginInterface, "up");
        await ShapeAsync(Origin, OriginInterface, wanMbit);
        await ShapeAsync(Lab, WanBridgePort, wanMbit);

        // Discovery is multicast: keep the probes on the branch side, as a router would.
        await Shell.InNamespaceAsync(Lab, "bridge", "link", "set", "dev", WanBridgePort, "mcast_flood", "off");
    }

    /// <summary>Creates node namespace <paramref name="node"/> (1-based) with its LAN link shaped to <paramref name="lanMbit"/> (0: unshaped).</summary>
    public Task CreateNodeAsync(int node, double lanMbit) =>
        CreateMemberAsync(NodeNamespace(node), $"n{node}-br", NodeAddress(node), lanMbit);

    public Task CreateHostedCacheAsync(double lanMbit) => CreateMemberAsync(HostedCache, "hc-br", HostedCacheAddress, lanMbit);

    public Task CreateCrowdAsync() => CreateMemberAsync(Crowd, "crowd-br", CrowdAddress, 0);

    /// <summary>Reads a byte counter of an interface inside a namespace (<c>/sys/class/net/IF/statistics/NAME</c>).</summary>
    public static async Task<long> ReadCounterAsync(string ns, string device, string counter)
    {
        string text = await Shell.InNamespaceAsync(ns, "cat", $"/sys/class/net/{device}/statistics/{counter}");
        return long.Parse(text.Trim(), CultureInfo.InvariantCulture);
    }

    public Task<long> ReadWanEgressAsync() => ReadCounterAsync(Origin, OriginInterface, "tx_bytes");

    public Task<long> ReadWanIngressAsync() => ReadCounterAsync(Lab, WanBridgePort, "tx_bytes");

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        string[] names;
        lock (_lock)
        {
            names = [.. _namespaces];
            _namespaces.Clear();
        }

        // Deleting a namespace deletes its veth ends, and so their peers. A process still inside (a child that outlived a
        // hard stop) would keep the namespace alive without its name: those are killed first.
        for (int i = names.Length - 1; i >= 0; i--)
        {
            try
            {
                await KillProcessesInAsync(names[i]);
                await Shell.RunAsync("ip", ["netns", "delete", names[i]], check: false);
            }
            catch (TimeoutException)
            {
                // Keep going: the rest must still go; a stale one is removed by the next run.
            }
        }
    }

    /// <summary>The synchronous last resort (process exit): deletes what is left, without waiting on tasks.</summary>
    public void DeleteAllNow()
    {
        string[] names;
        lock (_lock)
        {
            names = [.. _namespaces];
            _namespaces.Clear();
        }

        foreach (string name in names)
        {
            try
            {
                using (var pids = System.Diagnostics.Process.Start("sh", ["-c", "kill -9 $(ip netns pids \"$0\") 2>/dev/null", name]))
                {
                    pids.WaitForExit(5000);
                }

                using var process = System.Diagnostics.Process.Start("ip", ["netns", "delete", name]);
                process.WaitForExit(5000);
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                // At process exit nothing more can be done; the next run removes namespaces whose creator is gone.
            }
        }
    }

    /// <summary>SIGKILLs every process inside namespace <paramref name="ns"/> (<c>ip netns pids</c>).</summary>
    private static async Task KillProcessesInAsync(string ns)
    {
        string pids = await Shell.RunAsync("ip", ["netns", "pids", ns], check: false);
        foreach (string line in pids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid != Environment.ProcessId)
            {
                try
                {
                    using var process = System.Diagnostics.Process.GetProcessById(pid);
                    process.Kill();
                }
                catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    // Gone already.
                }
            }
        }
    }

    private async Task CreateMemberAsync(string ns, string bridgePort, string address, double lanMbit)
    {
        await AddNamespaceAsync(ns);
        await Shell.IpAsync("-n", Lab, "link", "add", bridgePort, "mtu", _mtu, "type", "veth", "peer", "name", NodeInterface, "mtu", _mtu, "netns", ns);
        await Shell.IpAsync("-n", Lab, "link", "set", bridgePort, "master", Bridge, "up");
        await Shell.IpAsync("-n", ns, "addr", "add", address + "/24", "dev", NodeInterface);
        await Shell.IpAsync("-n", ns, "link", "set", NodeInterface, "up");
        if (lanMbit > 0)
        {
            await ShapeAsync(ns, NodeInterface, lanMbit);
            await ShapeAsync(Lab, bridgePort, lanMbit);
        }
    }

    private async Task AddNamespaceAsync(string ns)
    {
        await Shell.IpAsync("netns", "add", ns);
        lock (_lock)
        {
            _namespaces.Add(ns);
        }

        await Shell.IpAsync("-n", ns, "link", "set", "lo", "up");

        // No IPv6 duplicate address detection: the link-local address (and with it IPv6 discovery) is usable at once.
        await Shell.RunAsync("ip", ["netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.accept_dad=0", "net.ipv6.conf.all.accept_dad=0"], check: false);
    }

    /// <summary>
    /// Shapes the egress of <paramref name="device"/> with a token bucket: rate as given, a bucket of about 4 ms of
    /// traffic (at least 16 KiB, which keeps TCP's bursts from being cut) and at most 50 ms of queue.
    /// </summary>
    private static async Task ShapeAsync(string ns, string device, double mbit)
    {
        long bitsPerSecond = (long)(mbit * 1_000_000);
        long burst = Math.Max(16 * 1024, bitsPerSecond / 8 / 250);
        await Shell.RunAsync("tc", ["-n", ns, "qdisc", "replace", "dev", device, "root", "tbf",
            "rate", bitsPerSecond.ToString(CultureInfo.InvariantCulture) + "bit",
            "burst", burst.ToString(CultureInfo.InvariantCulture),
            "latency", "50ms"]);
    }
}
