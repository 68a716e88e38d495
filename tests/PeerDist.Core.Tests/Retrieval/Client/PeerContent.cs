using System.Buffers;
using PeerDist.Content;
using PeerDist.Cryptography;
using PeerDist.Retrieval;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Retrieval.Client;

/// <summary>Generated content, its content information, and the server-side answers built with the real codec writers.</summary>
internal sealed class PeerContent
{
    private static readonly byte[] s_key = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    private PeerContent(byte[] content, ContentInformation info)
    {
        Content = content;
        Info = info;
    }

    public byte[] Content { get; }

    public ContentInformation Info { get; }

    public ContentSegment Segment => Info.Segments[0];

    /// <summary>V1 content of <paramref name="length"/> pseudo-random bytes (a short last block unless a multiple of 64 KiB).</summary>
    public static PeerContent V1(int length, ulong seed = 1) => Create(length, seed, ContentInformationVersion.V1);

    /// <summary>V2 content; its first segment is fetched as block 0.</summary>
    public static PeerContent V2(int length = 40_000, ulong seed = 2) => Create(length, seed, ContentInformationVersion.V2);

    public byte[] Plaintext(int blockIndex)
    {
        ContentRange range = Segment.GetBlockRange(blockIndex);
        return Content.AsSpan((int)range.Start, (int)range.Length).ToArray();
    }

    public byte[] Plaintext(int firstBlock, int count)
    {
        long start = Segment.GetBlockRange(firstBlock).Start;
        long end = Segment.GetBlockRange(firstBlock + count - 1).End;
        return Content.AsSpan((int)start, (int)(end - start)).ToArray();
    }

    /// <summary>A genuine MSG_BLK for <paramref name="blockIndex"/> (PKCS#7, IV from the block index).</summary>
    public byte[] BlockResponse(int blockIndex, PccrrCryptoAlgorithm algorithm = PccrrCryptoAlgorithm.Aes128)
    {
        var writer = new ArrayBufferWriter<byte>();
        PccrrBlockResponse.WriteEncrypted(writer, Segment.SegmentId.Span, (uint)blockIndex, 0, Plaintext(blockIndex), Segment.SegmentSecret.Span, algorithm, Iv(blockIndex, algorithm));
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>The ciphertext and IV a genuine server would send, for tests that tamper with them.</summary>
    public (byte[] Ciphertext, byte[] IV) Encrypt(int blockIndex, PccrrCryptoAlgorithm algorithm)
    {
        byte[] plain = Plaintext(blockIndex);
        byte[] iv = Iv(blockIndex, algorithm);
        byte[] cipher = new byte[PeerDistBlockCipher.GetCiphertextLength(plain.Length, algorithm)];
        PeerDistBlockCipher.Encrypt(plain, Segment.SegmentSecret.Span, algorithm, iv, cipher);
        return (cipher, iv);
    }

    /// <summary>A MSG_BLK with every field chosen by the test (a lying peer).</summary>
    public static byte[] RawBlockResponse(ReadOnlyMemory<byte> segmentId, uint blockIndex, byte[] block, byte[] iv, PccrrCryptoAlgorithm algorithm, PccrrVersion? version = null)
    {
        var writer = new ArrayBufferWriter<byte>();
        new PccrrBlockResponse(segmentId, blockIndex, 0, new ReadOnlySequence<byte>(block), iv, algorithm, default, version).Write(writer);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>The "not here" MSG_BLK (SizeOfBlock = 0, no IV).</summary>
    public byte[] EmptyBlockResponse(int blockIndex) =>
        RawBlockResponse(Segment.SegmentId, (uint)blockIndex, [], [], PccrrCryptoAlgorithm.None);

    public byte[] BlockListResponse(params PccrrBlockRange[] ranges) => BlockListResponse(Segment.SegmentId, ranges);

    public static byte[] BlockListResponse(ReadOnlyMemory<byte> segmentId, PccrrBlockRange[] ranges, PccrrVersion? version = null)
    {
        var writer = new ArrayBufferWriter<byte>();
        new PccrrBlockListResponse(segmentId, ranges, 0, PccrrCryptoAlgorithm.None, version).Write(writer);
        return writer.WrittenSpan.ToArray();
    }

    public static byte[] NegotiateResponse(PccrrVersion min, PccrrVersion max)
    {
        var writer = new ArrayBufferWriter<byte>();
        new PccrrNegotiateResponse(min, max).Write(writer);
        return writer.WrittenSpan.ToArray();
    }

    private static byte[] Iv(int blockIndex, PccrrCryptoAlgorithm algorithm) =>
        algorithm == PccrrCryptoAlgorithm.None ? [] : [.. Enumerable.Range(blockIndex, 16).Select(i => (byte)(i * 7))];

    private static PeerContent Create(int length, ulong seed, ContentInformationVersion version)
    {
        byte[] content = PseudoRandomContent.Create(seed, length);
        using var secret = ServerSecret.FromKey(s_key);
        ContentInformation info = ContentInformationBuilder.Create(content, secret, new ContentInformationBuilderOptions { Version = version });
        return new PeerContent(content, info);
    }
}
