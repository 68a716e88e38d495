using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using PeerDist.Benchmarks.Retrieval;
using PeerDist.Caching;
using PeerDist.Client;
using PeerDist.Content;
using PeerDist.Http;

namespace PeerDist.Benchmarks.Http;

/// <summary>
/// <see cref="PeerDistHttpHandler"/> end to end on loopback: a GET of a 256 MiB file (V1 content information, AES-128)
/// through an <see cref="HttpClient"/> with the handler, where the origin answers with content information and two
/// peers hold every block, against the baseline of a plain <see cref="HttpClient"/> GET of the same file from the same
/// origin, in the same run. Two measures, one category each: time to first byte (headers plus the first read of the
/// body) and the whole body (throughput). Each handler iteration starts with an empty client cache and a new client, so
/// every byte comes from the peers (checked).
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 8)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PeerDistHttpHandlerBenchmarks
{
    private const long Length = 256L * 1024 * 1024;
    private const string FirstByte = "time to first byte";
    private const string WholeBody = "whole body";

    private readonly byte[] _sink = new byte[1024 * 1024];
    private byte[] _content = [];
    private RetrievalNode _peerA = null!;
    private RetrievalNode _peerB = null!;
    private PeerDistLoopbackOrigin _origin = null!;
    private HttpClient _plain = null!;
    private MemoryContentCache? _cache;
    private PeerDistClient? _client;
    private HttpClient? _throughHandler;

    [GlobalSetup]
    public void Setup()
    {
        _content = RetrievalNode.GenerateContent(Length);
        ContentInformation information = RetrievalNode.Describe(_content);
        _peerA = RetrievalNode.Start(new MemoryContentCache(new ContentCacheOptions { MaxSizeBytes = 2 * Length }), information, _content);
        _peerB = RetrievalNode.Start(new MemoryContentCache(new ContentCacheOptions { MaxSizeBytes = 2 * Length }), information, _content);
        _origin = new PeerDistLoopbackOrigin(_content, information.ToArray());
        _plain = new HttpClient(new SocketsHttpHandler { UseProxy = false });
    }

    [IterationSetup(Targets = [nameof(HandlerFirstByte), nameof(HandlerWholeBody)])]
    public void NewClient()
    {
        _cache = new MemoryContentCache(new ContentCacheOptions { MaxSizeBytes = 2 * Length });
        _client = new PeerDistClient(new PeerDistClientOptions { Cache = _cache, PeerLocator = new StaticPeerLocator([_peerA.EndPoint, _peerB.EndPoint]) });
        _throughHandler = new HttpClient(new PeerDistHttpHandler(_client, new SocketsHttpHandler { UseProxy = false }));
    }

    [IterationCleanup(Targets = [nameof(HandlerFirstByte), nameof(HandlerWholeBody)])]
    public void DisposeClient()
    {
        _throughHandler?.Dispose();
        _client?.Dispose();
        _cache?.Dispose();
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _plain.Dispose();
        await _origin.DisposeAsync();
        await _peerA.DisposeAsync();
        await _peerB.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "plain HttpClient, first byte of 256 MiB")]
    [BenchmarkCategory(FirstByte)]
    public Task<long> PlainFirstByte() => ReadAsync(_plain, firstReadOnly: true, expectPeers: false);

    [Benchmark(Description = "PeerDistHttpHandler, two peers, first byte of 256 MiB")]
    [BenchmarkCategory(FirstByte)]
    public Task<long> HandlerFirstByte() => ReadAsync(_throughHandler!, firstReadOnly: true, expectPeers: true);

    [Benchmark(Baseline = true, Description = "plain HttpClient, 256 MiB")]
    [BenchmarkCategory(WholeBody)]
    public Task<long> PlainWholeBody() => ReadAsync(_plain, firstReadOnly: false, expectPeers: false);

    [Benchmark(Description = "PeerDistHttpHandler, two peers, 256 MiB (AES-128, verified)")]
    [BenchmarkCategory(WholeBody)]
    public Task<long> HandlerWholeBody() => ReadAsync(_throughHandler!, firstReadOnly: false, expectPeers: true);

    private async Task<long> ReadAsync(HttpClient http, bool firstReadOnly, bool expectPeers)
    {
        using HttpResponseMessage response = await http.GetAsync(_origin.Uri, HttpCompletionOption.ResponseHeadersRead);
        await using Stream body = await response.Content.ReadAsStreamAsync();
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(_sink)) > 0)
        {
            total += read;
            if (firstReadOnly)
            {
                break;
            }
        }

        bool decoded = response.Content is PeerDistResponseContent;
        long fromPeers = decoded ? ((PeerDistResponseContent)response.Content).GetStatistics().BytesFromPeers : 0;
        bool complete = firstReadOnly ? total > 0 : total == Length;
        bool sourcesRight = !expectPeers || (decoded && (firstReadOnly || fromPeers == Length));
        return complete && sourcesRight && decoded == expectPeers
            ? total
            : throw new InvalidOperationException($"{total} bytes, decoded {decoded}, {fromPeers} from peers");
    }
}
