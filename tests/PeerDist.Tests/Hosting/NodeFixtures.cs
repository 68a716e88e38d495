using System.Net;
using System.Security.Cryptography.X509Certificates;
using PeerDist.Hosting;

namespace PeerDist.Tests.Hosting;

/// <summary>Options for nodes in tests: loopback addresses, port 0, discovery (when any) on loopback at a per-test port.</summary>
internal static class NodeFixtures
{
    public static PeerDistNodeOptions Distributed(IPAddress address, int discoveryPort) => new()
    {
        Mode = PeerDistNodeMode.Distributed,
        ListenEndPoints = [new IPEndPoint(address, 0)],
        DiscoveryOnLoopback = true,
        DiscoveryPort = discoveryPort,
        CacheMaxSizeBytes = 1L << 30,
        ShutdownTimeout = TimeSpan.FromSeconds(1),

        // A loaded 2-core CI machine must not push blocks a peer holds to the origin (the tests measure sources).
        PeerRequestTimeout = TimeSpan.FromSeconds(20),
    };

    public static PeerDistNodeOptions LocalOnly(string? cachePath = null) => new()
    {
        Mode = PeerDistNodeMode.LocalOnly,
        CachePath = cachePath,
        CacheMaxSizeBytes = 1L << 30,
    };

    public static PeerDistNodeOptions HostedCacheClient(IPEndPoint hostedCache) => new()
    {
        Mode = PeerDistNodeMode.HostedCacheClient,
        HostedCacheEndPoint = hostedCache,
        ListenEndPoints = [new IPEndPoint(IPAddress.Loopback, 0)],
        CacheMaxSizeBytes = 1L << 30,
        PeerRequestTimeout = TimeSpan.FromSeconds(20),
    };

    /// <summary>A hosted cache on 127.0.0.1 port 0 (and, with a certificate, TLS on another port 0).</summary>
    public static PeerDistNodeOptions HostedCache(string? cachePath = null, X509Certificate2? certificate = null) => new()
    {
        Mode = PeerDistNodeMode.HostedCache,
        CachePath = cachePath,
        ListenEndPoints = [new IPEndPoint(IPAddress.Loopback, 0)],
        TlsListenEndPoints = [new IPEndPoint(IPAddress.Loopback, 0)],
        Certificate = certificate,
        CacheMaxSizeBytes = 1L << 30,
        ShutdownTimeout = TimeSpan.FromSeconds(1),
        PeerRequestTimeout = TimeSpan.FromSeconds(20),
    };
}
