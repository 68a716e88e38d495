using System.Buffers;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using PeerDist.Caching;
using PeerDist.Content;
using PeerDist.Cryptography;
using PeerDist.Peer;
using PeerDist.Retrieval;
using PeerDist.Retrieval.Server;

namespace PeerDist.Benchmarks.Retrieval;

/// <summary>
/// The server's per-block work: one <c>MSG_GETBLKS</c> in, one AES-128 encrypted 64 KiB <c>MSG_BLK</c> out, through
/// <see cref="PccrrServer.Handle(ReadOnlyMemory{byte}, IBufferWriter{byte})"/> over an in-memory block source and over the
/// node's <see cref="MemoryContentCache"/>. Baselines on the same 64 KiB: raw AES-128-CBC encryption (the floor of serving)
/// and raw SHA-256 (what the client spends verifying it).
/// </summary>
public class BlockServingBenchmarks
{
    private readonly byte[] _key = BenchmarkData.Random(16, seed: 3);
    private readonly byte[] _iv = new byte[16];
    private byte[] _block = [];
    private byte[] _cipherOut = [];
    private readonly byte[] _hash = new byte[32];
    private byte[] _request = [];
    private Aes _aes = null!;
    private PccrrServer _memoryServer = null!;
    private PccrrServer _cacheServer = null!;
    private MemoryContentCache _cache = null!;
    private ArrayBufferWriter<byte> _response = null!;
    private ServerSecret _secret = null!;

    [GlobalSetup]
    public void Setup()
    {
        // 16 blocks of content; the request asks for block 5, so NextBlockIndex is looked up as well.
        byte[] content = BenchmarkData.Random(16 * PeerDistConstants.BlockSize, seed: 4);
        _block = content.AsSpan(5 * PeerDistConstants.BlockSize, PeerDistConstants.BlockSize).ToArray();
        _cipherOut = new byte[_block.Length + 16];
        _aes = Aes.Create();
        _aes.Key = _key;
        _secret = ServerSecret.FromPassphrase("benchmark");
        ContentInformation info = ContentInformationBuilder.Create((ReadOnlyMemory<byte>)content, _secret);
        ContentSegment segment = info.Segments[0];

        var options = new PccrrServerOptions { CryptoAlgorithm = PccrrCryptoAlgorithm.Aes128 };
        _memoryServer = new PccrrServer(MemoryBlockSource.FromContent(info, content), options);
        _cache = new MemoryContentCache(new ContentCacheOptions { MaxSizeBytes = 1L << 30 });
        _cache.RegisterSegment(segment);
        for (int i = 0; i < segment.BlockCount; i++)
        {
            ContentRange range = segment.GetBlockRange(i);
            _cache.PutBlock(segment.SegmentId.Span, i, content.AsSpan((int)range.Start, (int)range.Length));
        }

        _cacheServer = new PccrrServer(new ContentCacheBlockSource(_cache), options);
        var writer = new ArrayBufferWriter<byte>();
        new PccrrGetBlocksRequest(segment.SegmentId, new[] { new PccrrBlockRange(5, 1) }).Write(writer);
        _request = writer.WrittenSpan.ToArray();
        _response = new ArrayBufferWriter<byte>(PeerDistConstants.BlockSize + 512);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _aes.Dispose();
        _cache.Dispose();
        _secret.Dispose();
    }

    [Benchmark(Baseline = true, Description = "raw AES-128-CBC encrypt, 64 KiB")]
    public int RawAes128Cbc() => _aes.EncryptCbc(_block, _iv, _cipherOut, PaddingMode.PKCS7);

    [Benchmark(Description = "raw SHA-256, 64 KiB")]
    public int RawSha256() => SHA256.HashData(_block, _hash);

    [Benchmark(Description = "GETBLKS -> MSG_BLK, MemoryBlockSource")]
    public int ServeFromMemorySource()
    {
        _response.ResetWrittenCount();
        _memoryServer.Handle(_request, _response);
        return _response.WrittenCount;
    }

    [Benchmark(Description = "GETBLKS -> MSG_BLK, MemoryContentCache")]
    public int ServeFromContentCache()
    {
        _response.ResetWrittenCount();
        _cacheServer.Handle(_request, _response);
        return _response.WrittenCount;
    }
}
