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
    private readonly PeerDistHttpServer? _https;

    private HostedCacheNode(TempDirectory? ownDirectory, FileContentCache cache, PeerDistHttpClient pullHttp, HostedCacheServer server, PeerDistHttpServer http, PeerDistHttpServer? https)
    {
        _ownDirectory = ownDirectory;
        Cache = cache;
        _pullHttp = pullHttp;
        Server = server;
        _http = http;
        _https = https;
        EndPoint = http.LocalEndPoints[0];
        TlsEndPoint = https?.LocalEndPoints[0];
    }

    /// <summary>The HTTPS end point of the version 1.0 path, when started with a certificate.</summary>
    public IPEndPoint? TlsEndPoint { get; }

    public FileContentCache Cache { get; }

    public HostedCacheServer Server { get; }

    public IPEndPoint EndPoint { get; }

    public static HostedCacheNode Start(
        string? cacheDirectory = null,
        HostedCacheServerOptions? options = null,
        TimeSpan? pullRequestTimeout = null,
        System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null)
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
        PeerDistHttpServer? https = null;
        if (certificate is not null)
        {
            https = new PeerDistHttpServer(
                new PeerDistHttpServerOptions
                {
                    EndPoints = [new IPEndPoint(IPAddress.Loopback, 0)],
                    ShutdownTimeout = TimeSpan.FromMilliseconds(500),
                    Tls = new System.Net.Security.SslServerAuthenticationOptions { ServerCertificate = certificate },
                },
                new Dictionary<string, IPeerDistRequestHandler> { [PeerDistHttpPaths.HostedCacheV1] = server.V1Handler });
            https.Start();
        }

        return new HostedCacheNode(own, cache, pullHttp, server, http, https);
    }

    public async ValueTask DisposeAsync()
    {
        await _http.DisposeAsync();
        if (_https is not null)
        {
            await _https.DisposeAsync();
        }

        await Server.DisposeAsync();
        _pullHttp.Dispose();
        Cache.Dispose();
        _ownDirectory?.Dispose();
    }
}
