using System.Net;
using System.Net.Sockets;
using PeerDist.Discovery;
using PeerDist.Retrieval;
using PeerDist.Retrieval.Server;

namespace PeerDist.Hosting;

/// <summary>
/// The settings of a <see cref="PeerDistNode"/>: its cache, where it listens for MS-PCCRR, its mode, and discovery.
/// Immutable; checked by <see cref="Validate"/>, which the node calls when it is created.
/// </summary>
public sealed record PeerDistNodeOptions
{
    /// <summary>The port Windows serves MS-PCCRR on (MS-CCROD 2.3.2). Binding it on Linux needs a privilege.</summary>
    public const int DefaultPort = 80;

    /// <summary>
    /// The cache directory (a <c>FileContentCache</c>, kept across restarts and locked while the node runs); null keeps
    /// the cache in memory (tests, short-lived tools).
    /// </summary>
    public string? CachePath { get; init; }

    /// <summary>
    /// The cache size cap in bytes; null: 5 % of the volume for a directory (as Windows), no cap in memory.
    /// </summary>
    public long? CacheMaxSizeBytes { get; init; }

    /// <summary>
    /// Where the MS-PCCRR server listens (not in <see cref="PeerDistNodeMode.LocalOnly"/> mode). Default: port 80 on every IPv4
    /// and IPv6 address, as Windows. Port 0 picks a free port; read it from <see cref="PeerDistNode.EndPoints"/> after start.
    /// </summary>
    public IReadOnlyList<IPEndPoint> ListenEndPoints { get; init; } = CreateDefaultListenEndPoints();

    /// <summary>What the node runs: see <see cref="PeerDistNodeMode"/>. Default <see cref="PeerDistNodeMode.Distributed"/>.</summary>
    public PeerDistNodeMode Mode { get; init; } = PeerDistNodeMode.Distributed;

    /// <summary>The hosted cache's MS-PCCRR endpoint; required in <see cref="PeerDistNodeMode.HostedCacheClient"/> mode only.</summary>
    public IPEndPoint? HostedCacheEndPoint { get; init; }

    /// <summary>
    /// The interfaces discovery runs on, by name (as <c>ip link</c> or <c>Get-NetAdapter</c> show them). Empty (the default):
    /// every interface that is up, supports multicast and is not loopback.
    /// </summary>
    public IReadOnlyList<string> DiscoveryInterfaces { get; init; } = [];

    /// <summary>
    /// Discovery on the loopback interface only (IPv4), for tests and the demo; excludes <see cref="DiscoveryInterfaces"/>.
    /// </summary>
    public bool DiscoveryOnLoopback { get; init; }

    /// <summary>The MS-PCCRD port: 3702 (MS-PCCRD 2.1); tests use a free port so they do not meet real peers.</summary>
    public int DiscoveryPort { get; init; } = PccrdConstants.Port;

    /// <summary>How long a download collects ProbeMatches after sending its Probes (the MS-PCCRD request timer).</summary>
    public TimeSpan DiscoveryWait { get; init; } = PccrdProberOptions.DefaultWindow;

    /// <summary>The active client count at which the PCCRR server answers "busy" (MS-PCCRR 3.2.1). Default 64.</summary>
    public int BusyThreshold { get; init; } = PccrrServerOptions.DefaultMaxActiveClients;

    /// <summary>The block encryption used when serving and asked of peers (MS-PCCRR 2.2.3). Default AES-128, as Windows.</summary>
    public PccrrCryptoAlgorithm CryptoAlgorithm { get; init; } = PccrrCryptoAlgorithm.Aes128;

    /// <summary>The MS-PCCRR request timeout of the download client (default 2 s, as Windows).</summary>
    public TimeSpan PeerRequestTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long stopping waits for responses in flight before aborting them.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The default listen endpoints: port 80 on 0.0.0.0, and on [::] when the system supports IPv6.</summary>
    public static IReadOnlyList<IPEndPoint> CreateDefaultListenEndPoints() =>
        Socket.OSSupportsIPv6
            ? [new IPEndPoint(IPAddress.Any, DefaultPort), new IPEndPoint(IPAddress.IPv6Any, DefaultPort)]
            : [new IPEndPoint(IPAddress.Any, DefaultPort)];

    /// <summary>Throws when a setting is missing, out of range or contradicts another; the message names the setting.</summary>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public void Validate()
    {
        if (CachePath is not null && string.IsNullOrWhiteSpace(CachePath))
        {
            ThrowHelper.ThrowArgument("CachePath is empty; give a directory, or null for an in-memory cache.", nameof(CachePath));
        }

        if (CacheMaxSizeBytes is long max && max < PeerDistConstants.BlockSize)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(CacheMaxSizeBytes), $"CacheMaxSizeBytes must be at least one block ({PeerDistConstants.BlockSize} bytes); got {max}.");
        }

        if (!Enum.IsDefined(Mode))
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(Mode), $"Mode {(int)Mode} is not a PeerDistNodeMode.");
        }

        if (Mode != PeerDistNodeMode.LocalOnly)
        {
            if (ListenEndPoints is null || ListenEndPoints.Count == 0)
            {
                ThrowHelper.ThrowArgument("ListenEndPoints is empty: a node that serves (distributed, or a hosted cache client the hosted cache pulls from) needs at least one endpoint.", nameof(ListenEndPoints));
            }

            foreach (IPEndPoint? endPoint in ListenEndPoints)
            {
                if (endPoint is null)
                {
                    ThrowHelper.ThrowArgument("ListenEndPoints contains null.", nameof(ListenEndPoints));
                }
            }
        }

        if (Mode == PeerDistNodeMode.HostedCacheClient && HostedCacheEndPoint is null)
        {
            ThrowHelper.ThrowArgument("HostedCacheEndPoint is required in HostedCacheClient mode.", nameof(HostedCacheEndPoint));
        }

        if (Mode == PeerDistNodeMode.HostedCacheClient && HostedCacheEndPoint is { Port: 0 })
        {
            ThrowHelper.ThrowArgument("HostedCacheEndPoint has port 0; give the hosted cache's port.", nameof(HostedCacheEndPoint));
        }

        if (DiscoveryInterfaces is null)
        {
            ThrowHelper.ThrowArgument("DiscoveryInterfaces is null; use an empty list for the default interfaces.", nameof(DiscoveryInterfaces));
        }

        foreach (string? name in DiscoveryInterfaces)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                ThrowHelper.ThrowArgument("DiscoveryInterfaces contains an empty name.", nameof(DiscoveryInterfaces));
            }
        }

        if (DiscoveryOnLoopback && DiscoveryInterfaces.Count != 0)
        {
            ThrowHelper.ThrowArgument("DiscoveryOnLoopback and DiscoveryInterfaces exclude each other: name interfaces or choose loopback.", nameof(DiscoveryOnLoopback));
        }

        if (DiscoveryPort is < 1 or > IPEndPoint.MaxPort)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(DiscoveryPort), $"DiscoveryPort must be from 1 to 65535; got {DiscoveryPort}.");
        }

        if (DiscoveryWait <= TimeSpan.Zero || DiscoveryWait > TimeSpan.FromMinutes(1))
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(DiscoveryWait), $"DiscoveryWait must be positive and at most one minute; got {DiscoveryWait}.");
        }

        if (BusyThreshold < 1)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(BusyThreshold), $"BusyThreshold must be at least 1; got {BusyThreshold}.");
        }

        if ((uint)CryptoAlgorithm > (uint)PccrrCryptoAlgorithm.Aes256)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(CryptoAlgorithm), $"CryptoAlgorithm {(int)CryptoAlgorithm} is not one of MS-PCCRR 2.2.3.");
        }

        if (PeerRequestTimeout <= TimeSpan.Zero)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(PeerRequestTimeout), $"PeerRequestTimeout must be positive; got {PeerRequestTimeout}.");
        }

        if (ShutdownTimeout <= TimeSpan.Zero)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(ShutdownTimeout), $"ShutdownTimeout must be positive; got {ShutdownTimeout}.");
        }
    }
}
