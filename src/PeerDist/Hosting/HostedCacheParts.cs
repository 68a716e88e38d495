using Microsoft.Extensions.Logging;
using PeerDist.Caching;
using PeerDist.HostedCache;
using PeerDist.Peer;
using PeerDist.Retrieval.Client;
using PeerDist.Transport.Http;

namespace PeerDist.Hosting;

/// <summary>
/// What a node in <see cref="PeerDistNodeMode.HostedCache"/> mode adds: the <see cref="HostedCacheServer"/> over the
/// node's cache and the MS-PCCRR client it pulls offered segments with (MS-PCHC 3.1).
/// </summary>
internal sealed class HostedCacheParts : IAsyncDisposable
{
    private readonly PeerDistHttpClient _pullHttp;
    private int _disposed;

    public HostedCacheParts(ContentCache cache, PeerDistNodeOptions options, ILoggerFactory loggerFactory)
    {
        _pullHttp = new PeerDistHttpClient();
        try
        {
            var pullClient = new PccrrClient(
                new HttpPccrrTransport(_pullHttp),
                new PccrrClientOptions { RequestTimeout = options.PeerRequestTimeout, CryptoAlgorithm = options.CryptoAlgorithm });
            Server = new HostedCacheServer(cache, pullClient, options.HostedCacheServerOptions, loggerFactory.CreateLogger<HostedCacheServer>());
        }
        catch
        {
            _pullHttp.Dispose();
            throw;
        }
    }

    public HostedCacheServer Server { get; }

    /// <summary>Cancels the pulls in flight (nothing half-pulled is cached) and closes the pull connections. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await Server.DisposeAsync().ConfigureAwait(false);
        _pullHttp.Dispose();
    }
}
