using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using PeerDist.Discovery;
using PeerDist.HostedCache;
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

    /// <summary>The port a hosted cache serves MS-PCHC version 1.0 on, over TLS (MS-PCHC 2.1).</summary>
    public const int DefaultTlsPort = 443;

    /// <summary>The busy threshold of a hosted cache's MS-PCCRR server (MS-PCCRR 3.2.1: 1024 for a hosted cache).</summary>
    public const int DefaultHostedCacheBusyThreshold = 1024;

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
    /// <see cref="PeerDistNodeMode.HostedCacheClient"/> mode: whether the node offers the segments it completes to the
    /// hosted cache (MS-PCHC 3.2). Default true.
    /// </summary>
    public bool OfferToHostedCache { get; init; } = true;

    /// <summary>
    /// <see cref="PeerDistNodeMode.HostedCacheClient"/> mode: where offers go. <c>http://host:port/</c> offers with MS-PCHC
    /// version 2.0 (BATCHED_OFFER); <c>https://host:port/</c> with version 1.0 (INITIAL_OFFER, SEGMENT_INFO) over TLS.
    /// Null (the default): version 2.0 to <c>http://</c><see cref="HostedCacheEndPoint"/><c>/</c>, the same HTTP server
    /// as the hosted cache's MS-PCCRR.
    /// </summary>
    public Uri? HostedCacheOfferUri { get; init; }

    /// <summary>
    /// Version 1.0 offers: the hosted cache certificate's thumbprint (SHA-1 or SHA-256, hex; spaces and colons ignored)
    /// to pin instead of validating against the system store. Null (the default): the system store decides.
    /// </summary>
    public string? HostedCacheCertificateThumbprint { get; init; }

    /// <summary>The 16-byte content tag sent with every offer (default <see cref="HostedCacheOffererOptions.DefaultContentTag"/>).</summary>
    public ReadOnlyMemory<byte> ContentTag { get; init; } = HostedCacheOffererOptions.DefaultContentTag;

    /// <summary>
    /// <see cref="PeerDistNodeMode.HostedCache"/> mode: the certificate (with its private key) of the TLS server for
    /// MS-PCHC version 1.0 on <see cref="TlsListenEndPoints"/>. Null: version 2.0 only (plain HTTP on
    /// <see cref="ListenEndPoints"/>). The node does not dispose it.
    /// </summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>
    /// <see cref="PeerDistNodeMode.HostedCache"/> mode with a <see cref="Certificate"/>: where the TLS server listens.
    /// Default: port 443 on every IPv4 and IPv6 address. Port 0 picks a free port (<see cref="PeerDistNode.TlsEndPoints"/>).
    /// </summary>
    public IReadOnlyList<IPEndPoint> TlsListenEndPoints { get; init; } = CreateDefaultListenEndPoints(DefaultTlsPort);

    /// <summary><see cref="PeerDistNodeMode.HostedCache"/> mode: how offers are accepted and pulled.</summary>
    public HostedCacheServerOptions HostedCacheServerOptions { get; init; } = new();

    /// <summary><see cref="PeerDistNodeMode.HostedCache"/> mode: the busy threshold of the MS-PCCRR server (default 1024), in place of <see cref="BusyThreshold"/>.</summary>
    public int HostedCacheBusyThreshold { get; init; } = DefaultHostedCacheBusyThreshold;

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
    public static IReadOnlyList<IPEndPoint> CreateDefaultListenEndPoints() => CreateDefaultListenEndPoints(DefaultPort);

    /// <summary>Port <paramref name="port"/> on 0.0.0.0, and on [::] when the system supports IPv6.</summary>
    /// <param name="port">The port.</param>
    public static IReadOnlyList<IPEndPoint> CreateDefaultListenEndPoints(int port) =>
        Socket.OSSupportsIPv6
            ? [new IPEndPoint(IPAddress.Any, port), new IPEndPoint(IPAddress.IPv6Any, port)]
            : [new IPEndPoint(IPAddress.Any, port)];

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

        ValidateHostedCache();

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

    private void ValidateHostedCache()
    {
        if (HostedCacheOfferUri is not null && (!HostedCacheOfferUri.IsAbsoluteUri || (HostedCacheOfferUri.Scheme != Uri.UriSchemeHttp && HostedCacheOfferUri.Scheme != Uri.UriSchemeHttps)))
        {
            ThrowHelper.ThrowArgument($"HostedCacheOfferUri '{HostedCacheOfferUri}' is not an absolute http:// (MS-PCHC 2.0) or https:// (MS-PCHC 1.0) address.", nameof(HostedCacheOfferUri));
        }

        if (HostedCacheOfferUri is not null && Mode != PeerDistNodeMode.HostedCacheClient)
        {
            ThrowHelper.ThrowArgument("HostedCacheOfferUri is only used in HostedCacheClient mode.", nameof(HostedCacheOfferUri));
        }

        if (HostedCacheCertificateThumbprint is not null && HostedCacheThumbprint.Normalize(HostedCacheCertificateThumbprint) is null)
        {
            ThrowHelper.ThrowArgument($"HostedCacheCertificateThumbprint '{HostedCacheCertificateThumbprint}' is not a SHA-1 (40 hex digits) or SHA-256 (64 hex digits) thumbprint.", nameof(HostedCacheCertificateThumbprint));
        }

        if (ContentTag.Length != PchcConstants.ContentTagLength)
        {
            ThrowHelper.ThrowArgument($"ContentTag must be {PchcConstants.ContentTagLength} bytes; got {ContentTag.Length}.", nameof(ContentTag));
        }

        if (Certificate is not null && Mode != PeerDistNodeMode.HostedCache)
        {
            ThrowHelper.ThrowArgument("Certificate is only used in HostedCache mode (the TLS server of MS-PCHC version 1.0).", nameof(Certificate));
        }

        if (Certificate is not null)
        {
            if (TlsListenEndPoints is null || TlsListenEndPoints.Count == 0 || TlsListenEndPoints.Any(e => e is null))
            {
                ThrowHelper.ThrowArgument("TlsListenEndPoints is empty or contains null: a hosted cache with a certificate needs an endpoint for MS-PCHC version 1.0.", nameof(TlsListenEndPoints));
            }
        }

        if (HostedCacheServerOptions is null)
        {
            ThrowHelper.ThrowArgument("HostedCacheServerOptions is null.", nameof(HostedCacheServerOptions));
        }

        if (HostedCacheBusyThreshold < 1)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(HostedCacheBusyThreshold), $"HostedCacheBusyThreshold must be at least 1; got {HostedCacheBusyThreshold}.");
        }
    }
}
