using PeerDist.Tests.Shared;
using System.Net;
using PeerDist.Caching;
using PeerDist.Client;
using PeerDist.Discovery;
using PeerDist.Peer;
using PeerDist.Retrieval.Server;
using PeerDist.Transport.Http;

namespace PeerDist.Tests.Client;

/// <summary>
/// A whole node for the multi-node tests: a memory content cache, its PCCRR server on its own loopback address, a
/// discovery responder and a discovery locator on loopback multicast (a per-test port), and a download client that finds
/// peers by discovery (never itself) and falls back to the origin.
/// </summary>
internal sealed class DiscoveringNode : IAsyncDisposable
{
    private readonly PeerDistHttpServer _http;
    private readonly DiscoveryResponderService _responder;
    private readonly DiscoveryPeerLocator _locator;

    private DiscoveringNode(MemoryContentCache cache, PeerDistHttpServer http, DiscoveryResponderService responder, DiscoveryPeerLocator locator, PeerDistClient client)
    {
        Cache = cache;
        _http = http;
        _responder = responder;
        _locator = locator;
        Client = client;
    }

    public MemoryContentCache Cache { get; }

    public PeerDistClient Client { get; }

    public IPEndPoint EndPoint => _http.LocalEndPoints[0];

    public long ProbeRepliesSent => _responder.Statistics.RepliesSent;

    /// <summary>Starts a node serving on <paramref name="address"/>:0 and discovering on loopback multicast port <paramref name="discoveryPort"/>.</summary>
    public static DiscoveringNode Start(IPAddress address, int discoveryPort)
    {
        var cache = new MemoryContentCache(new ContentCacheOptions { MaxSizeBytes = 1L << 30 });
        var http = new PeerDistHttpServer(
            new PeerDistHttpServerOptions { EndPoints = [new IPEndPoint(address, 0)], ShutdownTimeout = TimeSpan.FromMilliseconds(500) },
            new PccrrRequestHandler(new PccrrServer(new ContentCacheBlockSource(cache))));
        http.Start();
        IPEndPoint self = http.LocalEndPoints[0];
        PeerDistClient? client = null;
        var responder = new DiscoveryResponderService(cache, new DiscoveryResponderServiceOptions
        {
            Channel = LoopbackMulticast.Listener(discoveryPort),
            Responder = new PccrdResponderOptions { XAddrs = [self] },
            ProbeObserver = (probe, source) => client?.ObserveProbe(probe.SegmentIds, source.Address),
        });
        responder.Start();
        var locator = new DiscoveryPeerLocator(new DiscoveryPeerLocatorOptions
        {
            // Probes leave from the node's own address, as a node's do, so co-downloaders are told apart by source.
            Channel = LoopbackMulticast.Prober(discoveryPort, source: address),
            Prober = new PccrdProberOptions { LocalNetworks = [IPNetwork.Parse("127.0.0.0/8")] },
            ExcludedEndPoints = [self],
        });

        // A long request timeout: on a loaded 2-core CI machine a 2 s timer would send blocks to the origin that the peer
        // holds, and the test measures where bytes come from.
        client = new PeerDistClient(new PeerDistClientOptions
        {
            Cache = cache,
            PeerLocator = locator,
            PeerRequestTimeout = TimeSpan.FromSeconds(20),
        });
        return new DiscoveringNode(cache, http, responder, locator, client);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _locator.DisposeAsync();
        await _responder.DisposeAsync();
        await _http.DisposeAsync();
        Cache.Dispose();
    }
}
