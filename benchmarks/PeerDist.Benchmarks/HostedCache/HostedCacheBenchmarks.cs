using System.Net;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using PeerDist.Benchmarks.Retrieval;
using PeerDist.Caching;
using PeerDist.Client;
using PeerDist.Content;
using PeerDist.HostedCache;
using PeerDist.Peer;
using PeerDist.Retrieval.Client;
using PeerDist.Retrieval.Server;
using PeerDist.Transport.Http;

namespace PeerDist.Benchmarks.HostedCache;

/// <summary>
/// The hosted cache on loopback with 128 MiB of V1 content (AES-128): pulling everything an offering client offers in
/// BATCHED_OFFERs (stored as received ciphertext), and serving it to a client that decrypts and verifies every block,
/// against the baseline of the same client reading the same bytes straight from the offering client (a plain PCCRR
/// transfer) in the same run.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class HostedCacheBenchmarks
{
    private const long Length = 128L * 1024 * 1024;

    private ContentInformation _information = null!;
    private RetrievalNode _offering = null!;
    private PeerDistHttpClient _pullHttp = null!;
    private MemoryContentCache _hostedCache = null!;
    private HostedCacheServer _server = null!;
    private PeerDistHttpServer _http = null!;
    private byte[] _offer = [];
    private readonly byte[] _sink = new byte[Length];

    [GlobalSetup]
    public void Setup()
    {
        byte[] content = RetrievalNode.GenerateContent(Length);
        _information = RetrievalNode.Describe(content);
        _offering = RetrievalNode.Start(new MemoryContentCache(new ContentCacheOptions { MaxSizeBytes = 2 * Length }), _information, content);
        _pullHttp = new PeerDistHttpClient();
        var descriptors = _information.Segments
            .Select(s => new PchcSegmentDescriptor((uint)s.BlockSize, (uint)s.Length, HostedCacheOffererOptions.DefaultContentTag, PchcSegmentDescriptor.Sha256, s.SegmentId))
            .ToArray();
        _offer = new PchcBatchedOfferMessage((ushort)_offering.EndPoint.Port, descriptors).ToArray();
        StartHostedCache();
    }

    [IterationSetup(Target = nameof(Pull))]
    public void EmptyHostedCache()
    {
        StopHostedCache().AsTask().GetAwaiter().GetResult();
        StartHostedCache();
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await StopHostedCache();
        _pullHttp.Dispose();
        await _offering.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "plain PCCRR transfer of 128 MiB from the offering client (verified)")]
    public Task<long> PlainTransfer() => ReadAllAsync(_offering.EndPoint);

    [Benchmark(Description = "hosted cache pulls 128 MiB offered in a BATCHED_OFFER (stored as ciphertext)")]
    public async Task<long> Pull()
    {
        using (PeerDistHttpResponse response = await _pullHttp.PostAsync(_http.LocalEndPoints[0], PeerDistHttpPaths.HostedCacheV2, _offer))
        {
        }

        await _server.WhenIdleAsync();
        HostedCacheStatistics stats = _server.GetStatistics();
        return stats.BytesPulled == Length ? stats.BytesPulled : throw new InvalidOperationException($"{stats.BytesPulled} bytes pulled");
    }

    [Benchmark(Description = "client reads 128 MiB from the hosted cache (replayed ciphertext, verified)")]
    public async Task<long> Serve()
    {
        if (_server.GetStatistics().BytesPulled < Length && _hostedCache.GetStatistics().Bytes < Length)
        {
            await Pull();
        }

        return await ReadAllAsync(_http.LocalEndPoints[0]);
    }

    private void StartHostedCache()
    {
        _hostedCache = new MemoryContentCache(new ContentCacheOptions { MaxSizeBytes = 2 * Length });
        _server = new HostedCacheServer(_hostedCache, new PccrrClient(new HttpPccrrTransport(_pullHttp)));
        _http = new PeerDistHttpServer(
            new PeerDistHttpServerOptions { EndPoints = [new IPEndPoint(IPAddress.Loopback, 0)] },
            new Dictionary<string, IPeerDistRequestHandler>
            {
                [PeerDistHttpPaths.Retrieval] = new PccrrRequestHandler(new PccrrServer(new ContentCacheBlockSource(_hostedCache), new PccrrServerOptions { MaxActiveClients = 1024 })),
                [PeerDistHttpPaths.HostedCacheV2] = _server.V2Handler,
            });
        _http.Start();
    }

    private async ValueTask StopHostedCache()
    {
        await _http.DisposeAsync();
        await _server.DisposeAsync();
        _hostedCache.Dispose();
    }

    private async Task<long> ReadAllAsync(IPEndPoint peer)
    {
        using var cache = new MemoryContentCache(new ContentCacheOptions { MaxSizeBytes = 2 * Length });
        await using var client = new PeerDistClient(new PeerDistClientOptions { Cache = cache, PeerLocator = new StaticPeerLocator([peer]) });
        await using PeerDistContent content = client.OpenContent(_information);
        int read = await content.ReadAsync(0, _sink);
        long fromPeers = content.GetStatistics().BytesFromPeers;
        return fromPeers == Length ? read : throw new InvalidOperationException($"{fromPeers} bytes from the peer");
    }
}
