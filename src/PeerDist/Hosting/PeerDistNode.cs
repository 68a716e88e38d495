using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PeerDist.Caching;
using PeerDist.Client;
using PeerDist.Diagnostics;
using PeerDist.Discovery;
using PeerDist.Peer;
using PeerDist.Retrieval.Server;
using PeerDist.Transport.Http;
using PeerDist.Transport.Udp;

namespace PeerDist.Hosting;

/// <summary>
/// A whole PeerDist node in one object: its content cache, its download client, and (in
/// <see cref="PeerDistNodeMode.Distributed"/> mode) the MS-PCCRR server that serves the cache, the MS-PCCRD responder
/// that answers Probes for it, and discovery of peers for the client (in <see cref="PeerDistNodeMode.HostedCacheClient"/>
/// mode: the server, which the hosted cache pulls offered blocks from, the hosted cache as the only peer, and offers of
/// completed segments to it; in <see cref="PeerDistNodeMode.HostedCache"/> mode: the MS-PCHC hosted cache server and the
/// MS-PCCRR server over its cache). Runs under a generic host
/// (<see cref="PeerDistNodeServiceCollectionExtensions.AddPeerDistNode(Microsoft.Extensions.DependencyInjection.IServiceCollection, PeerDistNodeOptions)"/>)
/// or on its own through <see cref="StartAsync"/> and <see cref="StopAsync"/>; several nodes fit in one process (each
/// on its own loopback address, or port 0).
/// </summary>
/// <remarks>
/// <para>
/// The cache is opened and the client created when the node is constructed, so both are usable at once (before start
/// and in <see cref="PeerDistNodeMode.LocalOnly"/> mode, a download reads the cache and the origin). Start binds the
/// listen endpoints and starts discovery; until then, and after stop, the client asks no peers.
/// </para>
/// <para>A node starts once; after <see cref="StopAsync"/> it cannot be started again.</para>
/// </remarks>
public sealed partial class PeerDistNode : IHostedService, IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly NodePeerLocator _locator;
    private readonly MeteredPccrrRequestHandler? _handler;
    private readonly ForwardingContentOfferer? _offerer;
    private readonly HostedCacheParts? _hostedCache;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private PeerDistHttpServer? _http;
    private DiscoveryResponderService? _responder;
    private DiscoveryPeerLocator? _discovery;
    private int _state; // 0 created, 1 started, 2 stopped
    private bool _disposed;

    /// <summary>Creates the node: validates the options, opens the cache and creates the client. Nothing listens yet.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="loggerFactory">Where the node logs; null logs nothing.</param>
    /// <param name="meterFactory">Where the node's meter comes from; null gives the node a private meter.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    /// <exception cref="PeerDistNodeStartException">The cache directory is open by another node (<see cref="PeerDistNodeStartError.CacheLocked"/>).</exception>
    /// <exception cref="IOException">The cache directory cannot be created or read.</exception>
    public PeerDistNode(PeerDistNodeOptions options, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckCertificate(options);
        Options = options;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<PeerDistNode>();
        Metrics = new PeerDistMetrics(
            meterFactory,
            options.Mode == PeerDistNodeMode.HostedCacheClient ? [options.HostedCacheEndPoint!] : []);
        Cache = OpenCache(options);
        try
        {
            _locator = new NodePeerLocator(
                options.Mode == PeerDistNodeMode.HostedCacheClient ? new StaticPeerLocator([options.HostedCacheEndPoint!]) : null);
            _offerer = options is { Mode: PeerDistNodeMode.HostedCacheClient, OfferToHostedCache: true } ? new ForwardingContentOfferer() : null;
            Client = new PeerDistClient(new PeerDistClientOptions
            {
                Cache = Cache,
                PeerLocator = options.Mode is PeerDistNodeMode.LocalOnly or PeerDistNodeMode.HostedCache ? null : _locator,
                CryptoAlgorithm = options.CryptoAlgorithm,
                PeerRequestTimeout = options.PeerRequestTimeout,
                Metrics = Metrics,
                Offerer = _offerer,
            });
            if (options.Mode != PeerDistNodeMode.LocalOnly)
            {
                var server = new PccrrServer(
                    new ContentCacheBlockSource(Cache),
                    new PccrrServerOptions
                    {
                        CryptoAlgorithm = options.CryptoAlgorithm,
                        MaxActiveClients = options.Mode == PeerDistNodeMode.HostedCache ? options.HostedCacheBusyThreshold : options.BusyThreshold,
                    });
                _handler = new MeteredPccrrRequestHandler(server, Metrics, _logger);
            }

            if (options.Mode == PeerDistNodeMode.HostedCache)
            {
                _hostedCache = new HostedCacheParts(Cache, options, _loggerFactory);
                RegisterHostedCacheInstruments();
            }
        }
        catch
        {
            Cache.Dispose();
            Metrics.Dispose();
            throw;
        }
    }

    /// <summary>The settings the node runs with.</summary>
    public PeerDistNodeOptions Options { get; }

    /// <summary>The node's content cache: what it serves and where its downloads land.</summary>
    public ContentCache Cache { get; }

    /// <summary>The node's download client, with the node's peer locator; open contents with it.</summary>
    public PeerDistClient Client { get; }

    /// <summary>The node's counters (its <see cref="PeerDistMetrics.Meter"/> for a <see cref="MeterListener"/>).</summary>
    public PeerDistMetrics Metrics { get; }

    /// <summary>Whether the node has started and not stopped.</summary>
    public bool IsRunning => Volatile.Read(ref _state) == 1;

    /// <summary>The bound MS-PCCRR endpoints (port 0 resolved) while running; empty otherwise and in local-only mode.</summary>
    public IReadOnlyList<IPEndPoint> EndPoints => IsRunning ? _http?.LocalEndPoints ?? [] : [];

    /// <summary>
    /// <see cref="PeerDistNodeMode.HostedCache"/> mode with a certificate: the bound TLS endpoints of MS-PCHC version 1.0
    /// (port 0 resolved) while running; empty otherwise.
    /// </summary>
    public IReadOnlyList<IPEndPoint> TlsEndPoints => IsRunning ? _https?.LocalEndPoints ?? [] : [];

    /// <summary>The first bound MS-PCCRR endpoint; null when the node does not serve (not started, or local only).</summary>
    public IPEndPoint? EndPoint => EndPoints is [var first, ..] ? first : null;

    /// <summary>The endpoints advertised to peers in ProbeMatches (discovery running only; empty otherwise).</summary>
    public IReadOnlyList<IPEndPoint> AdvertisedEndPoints { get; private set; } = [];

    /// <summary>A snapshot of the node's counters.</summary>
    public PeerDistNodeStatistics GetStatistics() => new()
    {
        Cache = Cache.GetStatistics(),
        BlocksServed = _handler?.BlocksServed ?? 0,
        BytesServed = _handler?.BytesServed ?? 0,
        RequestsRejected = _handler?.RequestsRejected ?? 0,
        ConnectionsAccepted = _http?.AcceptedConnectionCount ?? 0,
        ProbesAnswered = _responder?.Statistics.RepliesSent ?? 0,
        HostedCache = _hostedCache?.Server.GetStatistics(),
        Offers = _hostedCacheOfferer?.GetStatistics(),
    };

    /// <summary>
    /// Starts serving: binds the MS-PCCRR endpoints and starts discovery (distributed mode); in the other modes there is
    /// nothing to bind and the node is simply marked running.
    /// </summary>
    /// <exception cref="PeerDistNodeStartException">A port is in use or needs privileges, an interface does not exist, discovery cannot open its socket.</exception>
    /// <exception cref="InvalidOperationException">The node was already started or stopped.</exception>
    /// <exception cref="ObjectDisposedException">The node is disposed.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_state != 0)
            {
                ThrowHelper.ThrowInvalidOperation(_state == 1 ? "The node is already running." : "A stopped node cannot be started again; create a new one.");
            }

            NodeLog.Starting(_logger, Options.Mode, Options.CachePath ?? "in memory");
            try
            {
                if (Options.Mode != PeerDistNodeMode.LocalOnly)
                {
                    StartServer();
                }

                if (Options.Mode == PeerDistNodeMode.Distributed)
                {
                    await StartDiscoveryAsync().ConfigureAwait(false);
                }
                else if (Options.Mode == PeerDistNodeMode.HostedCacheClient)
                {
                    NodeLog.HostedCache(_logger, Options.HostedCacheEndPoint!);
                    StartOffering();
                }
                else if (Options.Mode == PeerDistNodeMode.HostedCache)
                {
                    StartTlsServer();
                }
            }
            catch (Exception e)
            {
                NodeLog.StartFailed(_logger, e.Message, e);
                await StopComponentsAsync(CancellationToken.None).ConfigureAwait(false);
                _state = 2;
                throw;
            }

            _state = 1;
            NodeLog.Started(_logger);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Stops serving: discovery ends, the server stops accepting and waits for responses in flight until
    /// <paramref name="cancellationToken"/> fires or <see cref="PeerDistNodeOptions.ShutdownTimeout"/> passes. The cache
    /// and the client stay usable (cache and origin only) until the node is disposed. Idempotent.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (_state != 1)
            {
                _state = 2;
                return;
            }

            _state = 2;
            await StopComponentsAsync(cancellationToken).ConfigureAwait(false);
            NodeLog.Stopped(_logger);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops the node, then releases the client, the cache (and its directory lock) and the private meter. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }
        finally
        {
            _gate.Release();
        }

        await Client.DisposeAsync().ConfigureAwait(false);
        if (_hostedCache is not null)
        {
            await _hostedCache.DisposeAsync().ConfigureAwait(false);
        }

        await Cache.DisposeAsync().ConfigureAwait(false);
        Metrics.Dispose();
    }

    private static ContentCache OpenCache(PeerDistNodeOptions options)
    {
        if (options.CachePath is null)
        {
            return new MemoryContentCache(new ContentCacheOptions { MaxSizeBytes = options.CacheMaxSizeBytes });
        }

        try
        {
            return new FileContentCache(new ContentCacheOptions { RootPath = options.CachePath, MaxSizeBytes = options.CacheMaxSizeBytes });
        }
        catch (ContentCacheLockedException e)
        {
            throw PeerDistNodeStartException.Create(
                PeerDistNodeStartError.CacheLocked,
                $"The cache directory '{e.Directory}' is in use by another PeerDist node or cache (its lock file is held). Stop the other one, or give this node another directory (PeerDistNodeOptions.CachePath, --cache).",
                inner: e);
        }
    }

    private void StartServer()
    {
        var options = new PeerDistHttpServerOptions { EndPoints = Options.ListenEndPoints, ShutdownTimeout = Options.ShutdownTimeout };
        PeerDistHttpServer http = _hostedCache is null
            ? new PeerDistHttpServer(options, _handler!)
            : new PeerDistHttpServer(options, new Dictionary<string, IPeerDistRequestHandler>
            {
                // MS-PCHC 2.1: version 2.0 offers come to the same plain HTTP server as MS-PCCRR.
                [PeerDistHttpPaths.Retrieval] = _handler!,
                [PeerDistHttpPaths.HostedCacheV2] = _hostedCache.Server.V2Handler,
            });
        try
        {
            http.Start();
        }
        catch (SocketException e)
        {
            throw BindFailure(Options.ListenEndPoints, e, PortSwitch);
        }

        _http = http;
        NodeLog.Listening(_logger, string.Join(", ", http.LocalEndPoints));
    }

    private async Task StartDiscoveryAsync()
    {
        DiscoveryPlan? plan = DiscoveryPlan.Resolve(Options, out string? reason);
        if (plan is null)
        {
            NodeLog.DiscoveryOff(_logger, reason!);
            return;
        }

        IReadOnlyList<IPEndPoint> advertised = plan.Advertise(_http!.LocalEndPoints);
        if (advertised.Count == 0)
        {
            NodeLog.DiscoveryOff(_logger, "none of the listen endpoints is reachable on the discovery interfaces");
            return;
        }

        var history = new DiscoveryReplyHistory();
        var responder = new DiscoveryResponderService(Cache, new DiscoveryResponderServiceOptions
        {
            Channel = Channel(plan, joinGroups: true),
            Responder = new PccrdResponderOptions { XAddrs = advertised },
            ReplyHistory = history,
            Metrics = Metrics,
        });
        try
        {
            responder.Start();
        }
        catch (SocketException e)
        {
            await responder.DisposeAsync().ConfigureAwait(false);
            throw PeerDistNodeStartException.Create(
                PeerDistNodeStartError.DiscoveryUnavailable,
                $"Discovery could not open UDP port {Options.DiscoveryPort} or join the multicast groups on {plan.Describe()}: {e.Message} ({e.SocketErrorCode}). Choose other interfaces (DiscoveryInterfaces, --interface) or run without discovery (Mode LocalOnly, --mode local).",
                inner: e);
        }

        _responder = responder;
        _discovery = new DiscoveryPeerLocator(new DiscoveryPeerLocatorOptions
        {
            Channel = Channel(plan, joinGroups: false),
            Prober = new PccrdProberOptions { LocalNetworks = plan.LocalNetworks, Window = Options.DiscoveryWait },
            ExcludedEndPoints = [.. advertised, .. _http.LocalEndPoints],
            ReplyHistory = history,
        });
        _locator.Inner = _discovery;
        AdvertisedEndPoints = advertised;
        Client.AdvertisedEndPoint = advertised.Count != 0 ? advertised[0] : null; // cooperative downloads split origin work by it
        NodeLog.DiscoveryStarted(_logger, plan.Describe(), Options.DiscoveryPort, string.Join(", ", advertised));
    }

    private UdpMulticastChannelOptions Channel(DiscoveryPlan plan, bool joinGroups) => new()
    {
        Port = Options.DiscoveryPort,
        Interfaces = plan.Interfaces,
        JoinGroups = joinGroups,
        UseIPv4 = true,
        UseIPv6 = plan.UseIPv6,
    };

    private async Task StopComponentsAsync(CancellationToken cancellationToken)
    {
        if (Options.Mode == PeerDistNodeMode.Distributed)
        {
            _locator.Inner = null;
            Client.AdvertisedEndPoint = null;
        }

        if (_discovery is not null)
        {
            await _discovery.DisposeAsync().ConfigureAwait(false);
        }

        if (_responder is not null)
        {
            await _responder.DisposeAsync().ConfigureAwait(false);
        }

        await StopHostedCacheAsync(cancellationToken).ConfigureAwait(false);
        if (_http is not null)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Options.ShutdownTimeout);
            await _http.StopAsync(timeout.Token).ConfigureAwait(false);
            await _http.DisposeAsync().ConfigureAwait(false);
        }

        if (_hostedCache is not null)
        {
            // Both servers are down, so no offer comes in: pulls in flight are cancelled (nothing half-pulled is cached).
            await _hostedCache.DisposeAsync().ConfigureAwait(false);
        }
    }
}
