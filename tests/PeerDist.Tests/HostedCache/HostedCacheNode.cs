using System.Net;
using PeerDist.Caching;
using PeerDist.HostedCache;
using PeerDist.Peer;
using PeerDist.Retrieval.Client;
using PeerDist.Retrieval.Server;
using PeerDist.Tests.Caching;
using PeerDist.Transport.Http;

namespace PeerDist.Tests.HostedCache;

/// <summary>
/// A hosted cache on loopback for tests: a file cache in a temp directory (or the caller's), the <see cref="HostedCacheServer"/>
/// on both offer paths, and the PCCRR server over the same cache (busy threshold 1024), all on one port.
/// </summary>
internal sealed class HostedCacheNode : IAsyncDisposable
{
    private readonly TempDirectory? _ownDirectory;
    private readonly PeerDistHttpClient _pullHttp;
    private readonly PeerDistHttpServer _http;

    private HostedCacheNode(TempDirectory? ownDirectory, FileContentCache cache, PeerDistHttpClient pullHttp, HostedCacheServer server, PeerDistHttpServer http)
    {
        _ownDirectory = ownDirectory;
        Cache = cache;
        _pullHttp = pullHttp;
        Server = server;
        _http = http;
        EndPoint = http.LocalEndPoints[0];
    }

    public FileContentCache Cache { get; }

    public HostedCacheServer Server { get; }

    public IPEndPoint EndPoint { get; }

    public static HostedCacheNode Start(string? cacheDirectory = null, HostedCacheServerOptions? options = null, TimeSpan? pullRequestTimeout = null)
    {
        TempDirectory? own = cacheDirectory is null ? new TempDirectory() : null;
        var cache = new FileContentCache(new ContentCacheOptions { RootPath = cacheDirectory ?? own!.Path, MaxSizeBytes = 1L << 30 });
        var pullHttp = new PeerDistHttpClient();
        var pullClient = new PccrrClient(new HttpPccrrTransport(pullHttp), new PccrrClientOptions { RequestTimeout = pullRequestTimeout ?? TimeSpan.FromSeconds(2) });
        var server = new HostedCacheServer(cache, pullClient, options);
        var retrieval = new PccrrRequestHandler(new PccrrServer(new ContentCacheBlockSource(cache), new PccrrServerOptions { MaxActiveClients = 1024 }));
        var http = new PeerDistHttpServer(
            new PeerDistHttpServerOptions { EndPoints = [new IPEndPoint(IPAddress.Loopback, 0)], ShutdownTimeout = TimeSpan.FromMilliseconds(500) },
            new Dictionary<string, IPeerDistRequestHandler>
            {
                [PeerDistHttpPaths.Retrieval] = retrieval,
                [PeerDistHttpPaths.HostedCacheV1] = server.V1Handler,
                [PeerDistHttpPaths.HostedCacheV2] = server.V2Handler,
            });
        http.Start();
        return new HostedCacheNode(own, cache, pullHttp, server, http);
    }

    public async ValueTask DisposeAsync()
    {
        await _http.DisposeAsync();
        await Server.DisposeAsync();
        _pullHttp.Dispose();
        Cache.Dispose();
        _ownDirectory?.Dispose();
    }
}
