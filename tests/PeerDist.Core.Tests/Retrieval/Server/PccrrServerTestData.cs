using System.Buffers;
using System.Buffers.Binary;
using PeerDist.Content;
using PeerDist.Cryptography;
using PeerDist.Retrieval;
using PeerDist.Retrieval.Server;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Retrieval.Server;

/// <summary>Content, sources and request builders shared by the server tests. Requests are built with the real codecs.</summary>
internal static class PccrrServerTestData
{
    /// <summary>Six V1 blocks, the last one short: 5 × 64 KiB + 1000 bytes.</summary>
    public const int V1Length = (5 * PeerDistConstants.BlockSize) + 1000;

    private static readonly Lazy<(ContentInformation Info, byte[] Content)> s_v1 = new(() => Build(ContentInformationVersion.V1, 0x5eed, V1Length));
    private static readonly Lazy<(ContentInformation Info, byte[] Content)> s_v2 = new(() => Build(ContentInformationVersion.V2, 0xc0de, 640 * 1024));

    public static ContentInformation V1Info => s_v1.Value.Info;

    public static byte[] V1Content => s_v1.Value.Content;

    public static ContentSegment V1Segment => V1Info.Segments[0];

    public static ContentInformation V2Info => s_v2.Value.Info;

    public static byte[] V2Content => s_v2.Value.Content;

    /// <summary>A deterministic IV source: byte i of the n-th call is (n + i) mod 256, so every block gets a different IV.</summary>
    public static RandomBytesGenerator CountingIVs()
    {
        int calls = 0;
        return destination =>
        {
            for (int i = 0; i < destination.Length; i++)
            {
                destination[i] = (byte)(calls + i);
            }

            calls++;
        };
    }

    public static PccrrServer CreateServer(IBlockSource source, PccrrCryptoAlgorithm algorithm = PccrrCryptoAlgorithm.Aes128, int maxActiveClients = PccrrServerOptions.DefaultMaxActiveClients, PccrrVersion? maxVersion = null) =>
        new(source, new PccrrServerOptions
        {
            CryptoAlgorithm = algorithm,
            MaxActiveClients = maxActiveClients,
            MaxVersion = maxVersion ?? PccrrVersion.V2,
            RandomFill = CountingIVs(),
        });

    /// <summary>Runs one request and returns the result and the bytes written.</summary>
    public static (PccrrServerResult Result, byte[] Response) Handle(PccrrServer server, byte[] request)
    {
        var writer = new ArrayBufferWriter<byte>();
        PccrrServerResult result = server.Handle(request, writer);
        return (result, writer.WrittenSpan.ToArray());
    }

    public static byte[] GetBlocks(ReadOnlyMemory<byte> segmentId, params PccrrBlockRange[] ranges) => Encode(new PccrrGetBlocksRequest(segmentId, ranges));

    public static byte[] GetBlocks(ReadOnlyMemory<byte> segmentId, uint index) => GetBlocks(segmentId, new PccrrBlockRange(index, 1));

    public static byte[] GetBlockList(ReadOnlyMemory<byte> segmentId, params PccrrBlockRange[] ranges) => Encode(new PccrrGetBlockListRequest(segmentId, ranges));

    public static byte[] GetSegmentList(params ReadOnlyMemory<byte>[] segmentIds) => Encode(new PccrrGetSegmentListRequest(RequestId, segmentIds));

    public static byte[] Negotiate() => Encode(new PccrrNegotiateRequest(PccrrVersion.V1, PccrrVersion.V2));

    public static byte[] RequestId { get; } = Convert.FromHexString("000102030405060708090a0b0c0d0e0f");

    /// <summary>A 32-byte segment ID no source holds.</summary>
    public static byte[] UnknownSegmentId { get; } = Enumerable.Range(0x20, 32).Select(i => (byte)i).ToArray();

    public static byte[] Encode(PccrrGetBlocksRequest message)
    {
        var writer = new ArrayBufferWriter<byte>();
        message.Write(writer);
        return writer.WrittenSpan.ToArray();
    }

    public static byte[] Encode(PccrrGetBlockListRequest message)
    {
        var writer = new ArrayBufferWriter<byte>();
        message.Write(writer);
        return writer.WrittenSpan.ToArray();
    }

    public static byte[] Encode(PccrrGetSegmentListRequest message)
    {
        var writer = new ArrayBufferWriter<byte>();
        message.Write(writer);
        return writer.WrittenSpan.ToArray();
    }

    public static byte[] Encode(PccrrNegotiateRequest message)
    {
        var writer = new ArrayBufferWriter<byte>();
        message.Write(writer);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Overwrites the big-endian DWORD at <paramref name="offset"/>.</summary>
    public static byte[] Patch(byte[] message, int offset, uint value)
    {
        byte[] copy = (byte[])message.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(offset), value);
        return copy;
    }

    /// <summary>Decrypts a served block with the segment's Kp, keeping <paramref name="plaintextLength"/> bytes.</summary>
    public static byte[] Decrypt(PccrrBlockResponse block, ReadOnlySpan<byte> segmentSecret, int plaintextLength)
    {
        byte[] ciphertext = block.Block.ToArray();
        byte[] plaintext = new byte[plaintextLength];
        PeerDistBlockCipher.Decrypt(ciphertext, segmentSecret, block.CryptoAlgorithm, block.IV.Span, plaintextLength, plaintext);
        return plaintext;
    }

    private static (ContentInformation, byte[]) Build(ContentInformationVersion version, ulong seed, int length)
    {
        byte[] content = PseudoRandomContent.Create(seed, length);
        using var secret = ServerSecret.FromKey("pccrr server tests"u8);
        ContentInformation info = ContentInformationBuilder.Create(content, secret, new ContentInformationBuilderOptions { Version = version, MaxDegreeOfParallelism = 1 });
        return (info, content);
    }
}
