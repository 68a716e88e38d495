using System.Buffers;
using BenchmarkDotNet.Attributes;
using PeerDist.Retrieval;

namespace PeerDist.Benchmarks.Retrieval;

/// <summary>
/// MS-PCCRR codecs on the per-block path: decode and encode <c>MSG_GETBLKS</c>, decode a 64 KiB <c>MSG_BLK</c> (a view of
/// the input, no payload copy). The baseline copies the 64 KiB <c>MSG_BLK</c> once, the floor of any decoder that copied.
/// Goal: every codec row allocates 0 bytes.
/// </summary>
public class PccrrCodecBenchmarks
{
    private readonly byte[] _segmentId = BenchmarkData.Random(32, seed: 7);
    private readonly PccrrBlockRange[] _ranges = [new(5, 1)];
    private byte[] _getBlocks = [];
    private byte[] _block = [];
    private byte[] _copy = [];
    private byte[] _encodeBuffer = [];

    [GlobalSetup]
    public void Setup()
    {
        var writer = new ArrayBufferWriter<byte>();
        new PccrrGetBlocksRequest(_segmentId, _ranges).Write(writer);
        _getBlocks = writer.WrittenSpan.ToArray();
        _encodeBuffer = new byte[_getBlocks.Length];

        byte[] plaintext = BenchmarkData.Random(PeerDistConstants.BlockSize, seed: 8);
        byte[] kp = BenchmarkData.Random(32, seed: 9);
        byte[] iv = new byte[16];
        var blockWriter = new ArrayBufferWriter<byte>();
        PccrrBlockResponse.WriteEncrypted(blockWriter, _segmentId, 5, 6, plaintext, kp, PccrrCryptoAlgorithm.Aes128, iv);
        _block = blockWriter.WrittenSpan.ToArray();
        _copy = new byte[_block.Length];
    }

    [Benchmark(Baseline = true, Description = "copy a 64 KiB MSG_BLK (baseline)")]
    public int CopyBlockMessage()
    {
        _block.AsSpan().CopyTo(_copy);
        return _copy[^1];
    }

    [Benchmark(Description = "decode MSG_GETBLKS")]
    public uint DecodeGetBlocks()
    {
        PccrrFrameDecoder.TryReadRequest(new ReadOnlySequence<byte>(_getBlocks), null, out PccrrMessage message, out _, out _, out _, out _);
        return message.GetBlocks.BlockRanges[0].Index;
    }

    [Benchmark(Description = "encode MSG_GETBLKS")]
    public int EncodeGetBlocks()
    {
        new PccrrGetBlocksRequest(_segmentId, _ranges).TryWrite(_encodeBuffer, out int written);
        return written;
    }

    [Benchmark(Description = "decode a 64 KiB MSG_BLK")]
    public long DecodeBlock()
    {
        PccrrFrameDecoder.TryReadResponse(new ReadOnlySequence<byte>(_block), null, out PccrrMessage message, out _, out _, out _, out _);
        return message.Block.Block.Length;
    }
}
