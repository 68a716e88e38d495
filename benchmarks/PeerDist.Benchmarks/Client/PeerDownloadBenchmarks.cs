using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using PeerDist.Benchmarks.Retrieval;
using PeerDist.Caching;
using PeerDist.Client;
using PeerDist.Content;
using PeerDist.Tests.Shared;

namespace PeerDist.Benchmarks.Client;

/// <summary>
/// The download client end to end on loopback: 256 MiB of V1 content (AES-128) read through <see cref="PeerDistContent"/>
/// from two peers that hold it all, and with no peers at all (everything from the origin through the fallback), against
/// the baseline of a plain HTTP GET of the same bytes from the same origin in the same run. Each iteration starts with an
/// empty client cache.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class PeerDownloadBenchmarks
{
    private const long Length = 256L * 1024 * 1024;

    private byte[] _content = [];
    private ContentInformation _information = null!;
    private RetrievalNode _peerA = null!;
    private RetrievalNode _peerB = null!;
    private LoopbackHttpOrigin _origin = null!;
    private HttpClient _http = null!;
    private MemoryContentCache? _cache;
    private readonly byte[] _sink = new byte[1024 * 1024];

    [GlobalSetup]
    public void Setup()
    {
        _content = RetrievalNode.GenerateContent(Length);
        _information = RetrievalNode.Describe(_content);
        _peerA = RetrievalNode.Start(new MemoryContentCache(new ContentCacheOptions { MaxSizeBytes = 2 * Length }), _information, _content);
        _peerB = RetrievalNode.Start(new MemoryContentCache(new ContentCacheOptions { MaxSizeBytes = 2 * Length }), _information, _content);
        _origin = new LoopbackHttpOrigin(_content);
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = PeerDistClientOptions.DefaultMaxOriginRequestsInFlight });
    }

    [IterationSetup]
    public void NewCache()
    {
        _cache?.Dispose();
        _cache = new MemoryContentCache(new ContentCacheOptions { MaxSizeBytes = 2 * Length });
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _cache?.Dispose();
        _http.Dispose();
        await _origin.DisposeAsync();
        await _peerA.DisposeAsync();
        await _peerB.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "plain HTTP GET of 256 MiB from the origin")]
    public async Task<long> PlainHttpGet()
    {
        using HttpResponseMessage response = await _http.GetAsync(_origin.Uri, HttpCompletionOption.ResponseHeadersRead);
        await using Stream body = await response.Content.ReadAsStreamAsync();
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(_sink)) > 0)
        {
            total += read;
        }

        return total == Length ? total : throw new InvalidOperationException($"{total} bytes");
    }

    [Benchmark(Description = "PeerDistClient, two peers, 256 MiB (AES-128, verified)")]
    public Task<long> TwoPeers() => ReadAllAsync(new StaticPeerLocator([_peerA.EndPoint, _peerB.EndPoint]));

    [Benchmark(Description = "PeerDistClient, no peers, 256 MiB via the origin fallback (verified)")]
    public Task<long> OriginFallbackOnly() => ReadAllAsync(null);

    private async Task<long> ReadAllAsync(IPeerLocator? locator)
    {
        await using var client = new PeerDistClient(new PeerDistClientOptions { Cache = _cache, PeerLocator = locator });
        await using PeerDistContent content = client.OpenContent(_information, new HttpOriginSource(_http, _origin.Uri));
        await using Stream stream = content.OpenRead();
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(_sink)) > 0)
        {
            total += read;
        }

        PeerDistContentStatistics statistics = content.GetStatistics();
        long expectedFromPeers = locator is null ? 0 : Length;
        return total == Length && statistics.BytesFromPeers == expectedFromPeers
            ? total
            : throw new InvalidOperationException($"{total} bytes, {statistics.BytesFromPeers} from peers");
    }
}
