using System.Net;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using PeerDist.Caching;
using PeerDist.Content;
using PeerDist.Peer;
using PeerDist.Retrieval.Client;
using PeerDist.Transport.Http;

namespace PeerDist.Benchmarks.Retrieval;

/// <summary>
/// End to end over loopback sockets: node B, holding only the content information, fetches every block of 1 GiB of
/// cached V1 content from node A with AES-128 (GETBLKLIST then one GETBLKS per block, decrypt, SHA-256 verify), with
/// <see cref="Workers"/> segments in flight at once. In the same run, the floors on one core: raw AES-128-CBC encryption
/// and raw SHA-256 of 1 GiB in 64 KiB blocks. Issue goal: the transfer at least 0.5 x the AES-128-CBC rate.
/// </summary>
/// <remarks>
/// Rows: the node's <see cref="PeerDistHttpClient"/> against a <see cref="MemoryContentCache"/> (the headline) and
/// against a <see cref="FileContentCache"/> in the temp folder (reads from the page cache, verified on read); and the
/// BCL's <see cref="SocketsHttpHandler"/> instead of our client, to back the transport decision.
/// </remarks>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class LoopbackTransferBenchmarks
{
    private const long Length = 1L << 30;

    private readonly byte[] _key = BenchmarkData.Random(16, seed: 11);
    private readonly byte[] _iv = new byte[16];
    private readonly byte[] _hash = new byte[32];
    private byte[] _content = [];
    private byte[] _cipherOut = [];
    private ContentInformation _information = null!;
    private Aes _aes = null!;
    private RetrievalNode _memoryNode = null!;
    private RetrievalNode _fileNode = null!;
    private string _fileRoot = "";
    private PeerDistHttpClient _ownClient = null!;
    private HttpClient _bclClient = null!;
    private byte[][] _destinations = [];
    private BlockOutcome[][] _outcomes = [];

    /// <summary>Segments fetched concurrently (each one request at a time on its own connection).</summary>
    [Params(4)]
    public int Workers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _content = RetrievalNode.GenerateContent(Length);
        _information = RetrievalNode.Describe(_content);
        _aes = Aes.Create();
        _aes.Key = _key;
        _cipherOut = new byte[PeerDistConstants.BlockSize + 16];
        _memoryNode = RetrievalNode.Start(new MemoryContentCache(new ContentCacheOptions { MaxSizeBytes = 2 * Length }), _information, _content);
        _fileRoot = Directory.CreateTempSubdirectory("peerdist-bench-").FullName;
        _fileNode = RetrievalNode.Start(new FileContentCache(new ContentCacheOptions { RootPath = _fileRoot, MaxSizeBytes = 2 * Length }), _information, _content);
        _ownClient = new PeerDistHttpClient(new PeerDistHttpClientOptions { MaxConnectionsPerEndPoint = Workers });
        _bclClient = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Workers, UseProxy = false });
        _destinations = [.. Enumerable.Range(0, Workers).Select(_ => new byte[PeerDistConstants.SegmentSize])];
        _outcomes = [.. Enumerable.Range(0, Workers).Select(_ => new BlockOutcome[PeerDistConstants.MaxBlocksPerSegment])];
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _ownClient.Dispose();
        _bclClient.Dispose();
        await _memoryNode.DisposeAsync();
        await _fileNode.DisposeAsync();
        Directory.Delete(_fileRoot, recursive: true);
        _aes.Dispose();
    }

    [Benchmark(Baseline = true, Description = "raw AES-128-CBC encrypt 1 GiB, 1 core")]
    public int RawAes128Cbc()
    {
        int written = 0;
        for (long offset = 0; offset < Length; offset += PeerDistConstants.BlockSize)
        {
            written += _aes.EncryptCbc(_content.AsSpan((int)offset, PeerDistConstants.BlockSize), _iv, _cipherOut, PaddingMode.PKCS7);
        }

        return written;
    }

    [Benchmark(Description = "raw SHA-256 1 GiB, 1 core")]
    public int RawSha256()
    {
        int written = 0;
        for (long offset = 0; offset < Length; offset += PeerDistConstants.BlockSize)
        {
            written += SHA256.HashData(_content.AsSpan((int)offset, PeerDistConstants.BlockSize), _hash);
        }

        return written;
    }

    [Benchmark(Description = "1 GiB end to end, AES-128, MemoryContentCache, own HTTP client")]
    public Task<long> TransferFromMemoryCache() => TransferAsync(_memoryNode.EndPoint, new HttpPccrrTransport(_ownClient));

    [Benchmark(Description = "1 GiB end to end, AES-128, FileContentCache, own HTTP client")]
    public Task<long> TransferFromFileCache() => TransferAsync(_fileNode.EndPoint, new HttpPccrrTransport(_ownClient));

    [Benchmark(Description = "1 GiB end to end, AES-128, MemoryContentCache, SocketsHttpHandler")]
    public Task<long> TransferWithSocketsHttpHandler() => TransferAsync(_memoryNode.EndPoint, new SocketsHttpHandlerTransport(_bclClient));

    private async Task<long> TransferAsync(IPEndPoint peer, IPccrrTransport transport)
    {
        var client = new PccrrClient(transport, new PccrrClientOptions { RequestTimeout = TimeSpan.FromSeconds(10) });
        int next = -1;
        long delivered = 0;
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < _information.Segments.Count)
            {
                ContentSegment segment = _information.Segments[index];
                int blocks = await client.GetBlocksAsync(peer, segment, 0, segment.BlockCount, _destinations[worker], _outcomes[worker]);
                if (blocks != segment.BlockCount)
                {
                    throw new InvalidOperationException($"segment {index}: {blocks} of {segment.BlockCount} blocks delivered");
                }

                Interlocked.Add(ref delivered, segment.Length);
            }
        })));

        return delivered == Length ? delivered : throw new InvalidOperationException($"{delivered} bytes delivered");
    }
}
