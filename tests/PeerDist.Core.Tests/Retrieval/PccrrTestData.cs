using System.Buffers;
using System.Text.Json;
using PeerDist.Retrieval;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Retrieval;

/// <summary>The PCCRR vectors (spec-vectors/pccrr/messages) and helpers to check a decoded message against a vector's JSON.</summary>
internal static class PccrrTestData
{
    public const string Folder = "pccrr/messages";

    public const string EncryptedBlock = "openssl-blk-aes128-derived-65536";

    /// <summary>Every vector, one test case each.</summary>
    public static IEnumerable<TestCaseData> Vectors() => TestVectors.Enumerate(Folder);

    /// <summary>Every vector small enough to run under every sequence shape and prefix.</summary>
    public static IEnumerable<TestCaseData> SmallVectors() =>
        TestVectors.Names(Folder).Where(n => n != EncryptedBlock).Select(n => new TestCaseData(TestVectors.Load(Folder, n)).SetName($"{{m}}({n})"));

    public static bool IsResponse(TestVectors.Vector vector) => vector.String("direction") == "response";

    public static PccrrMessageType MessageType(TestVectors.Vector vector) => Enum.Parse<PccrrMessageType>(vector.String("messageType")!);

    /// <summary>Decodes a whole vector with the frame decoder (asserting Done and that every byte was consumed).</summary>
    public static PccrrMessage Decode(byte[] bytes, bool response, PccrrReaderOptions? options = null)
    {
        var input = new ReadOnlySequence<byte>(bytes);
        OperationStatus status = response
            ? PccrrFrameDecoder.TryReadResponse(input, options, out PccrrMessage message, out SequencePosition consumed, out _, out PeerDistFormatError error, out long offset)
            : PccrrFrameDecoder.TryReadRequest(input, options, out message, out consumed, out _, out error, out offset);
        Assert.That(status, Is.EqualTo(OperationStatus.Done), $"{error} at {offset}");
        Assert.That(input.Slice(consumed).Length, Is.Zero);
        return message;
    }

    /// <summary>Encodes any decoded message back to bytes, through the type's IBufferWriter writer.</summary>
    public static byte[] Encode(PccrrMessage message)
    {
        var writer = new ArrayBufferWriter<byte>();
        switch (message.MessageType)
        {
            case PccrrMessageType.NegotiateRequest: message.NegotiateRequest.Write(writer); break;
            case PccrrMessageType.NegotiateResponse: message.NegotiateResponse.Write(writer); break;
            case PccrrMessageType.GetBlockList: message.GetBlockList.Write(writer); break;
            case PccrrMessageType.GetBlocks: message.GetBlocks.Write(writer); break;
            case PccrrMessageType.BlockList: message.BlockList.Write(writer); break;
            case PccrrMessageType.Block: message.Block.Write(writer); break;
            case PccrrMessageType.GetSegmentList: message.GetSegmentList.Write(writer); break;
            case PccrrMessageType.SegmentList: message.SegmentList.Write(writer); break;
            default: Assert.Fail($"unexpected type {message.MessageType}"); break;
        }

        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Parses with the type's own span API (Parse), the other public entry point.</summary>
    public static bool TryParseTyped(PccrrMessageType type, byte[] bytes, out PeerDistFormatError error, out long offset) => type switch
    {
        PccrrMessageType.NegotiateRequest => PccrrNegotiateRequest.TryParse(bytes, out _, out error, out offset),
        PccrrMessageType.NegotiateResponse => PccrrNegotiateResponse.TryParse(bytes, out _, out error, out offset),
        PccrrMessageType.GetBlockList => PccrrGetBlockListRequest.TryParse(bytes, out _, out error, out offset),
        PccrrMessageType.GetBlocks => PccrrGetBlocksRequest.TryParse(bytes, out _, out error, out offset),
        PccrrMessageType.BlockList => PccrrBlockListResponse.TryParse(bytes, out _, out error, out offset),
        PccrrMessageType.Block => PccrrBlockResponse.TryParse(bytes, out _, out error, out offset),
        PccrrMessageType.GetSegmentList => PccrrGetSegmentListRequest.TryParse(bytes, out _, out error, out offset),
        _ => PccrrSegmentListResponse.TryParse(bytes, out _, out error, out offset),
    };

    /// <summary>Asserts the header and every field the vector's JSON lists.</summary>
    public static void AssertFields(TestVectors.Vector vector, PccrrMessage message)
    {
        JsonElement f = vector.Json.GetProperty("fields");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(message.MessageType, Is.EqualTo(MessageType(vector)));
            Assert.That(message.Header.MessageSize, Is.EqualTo(vector.Json.GetProperty("messageSize").GetUInt32()));
            Assert.That(message.Header.Version.ToString(), Is.EqualTo(f.GetProperty("version").GetString()));
            Assert.That(message.Header.CryptoAlgorithm.ToString(), Is.EqualTo(f.GetProperty("cryptoAlgorithm").GetString()));
            switch (message.MessageType)
            {
                case PccrrMessageType.NegotiateRequest:
                    Assert.That(message.NegotiateRequest.MinSupportedVersion.ToString(), Is.EqualTo(f.GetProperty("minSupportedVersion").GetString()));
                    Assert.That(message.NegotiateRequest.MaxSupportedVersion.ToString(), Is.EqualTo(f.GetProperty("maxSupportedVersion").GetString()));
                    break;
                case PccrrMessageType.NegotiateResponse:
                    Assert.That(message.NegotiateResponse.MinSupportedVersion.ToString(), Is.EqualTo(f.GetProperty("minSupportedVersion").GetString()));
                    Assert.That(message.NegotiateResponse.MaxSupportedVersion.ToString(), Is.EqualTo(f.GetProperty("maxSupportedVersion").GetString()));
                    break;
                case PccrrMessageType.GetBlockList:
                    Assert.That(Hex(message.GetBlockList.SegmentId), Is.EqualTo(f.GetProperty("segmentId").GetString()));
                    Assert.That(message.GetBlockList.BlockRanges.ToArray(), Is.EqualTo(BlockRanges(f)));
                    break;
                case PccrrMessageType.GetBlocks:
                    Assert.That(Hex(message.GetBlocks.SegmentId), Is.EqualTo(f.GetProperty("segmentId").GetString()));
                    Assert.That(message.GetBlocks.BlockRanges.ToArray(), Is.EqualTo(BlockRanges(f)));
                    Assert.That(Hex(message.GetBlocks.DataForVrfBlock), Is.EqualTo(f.GetProperty("dataForVrfBlock").GetString()));
                    break;
                case PccrrMessageType.BlockList:
                    Assert.That(Hex(message.BlockList.SegmentId), Is.EqualTo(f.GetProperty("segmentId").GetString()));
                    Assert.That(message.BlockList.BlockRanges.ToArray(), Is.EqualTo(BlockRanges(f)));
                    Assert.That(message.BlockList.NextBlockIndex, Is.EqualTo(f.GetProperty("nextBlockIndex").GetUInt32()));
                    break;
                case PccrrMessageType.Block:
                    Assert.That(Hex(message.Block.SegmentId), Is.EqualTo(f.GetProperty("segmentId").GetString()));
                    Assert.That(message.Block.BlockIndex, Is.EqualTo(f.GetProperty("blockIndex").GetUInt32()));
                    Assert.That(message.Block.NextBlockIndex, Is.EqualTo(f.GetProperty("nextBlockIndex").GetUInt32()));
                    Assert.That(message.Block.Block.Length, Is.EqualTo(f.GetProperty("blockLength").GetInt64()));
                    Assert.That(Hex(message.Block.VrfBlock), Is.EqualTo(f.GetProperty("vrfBlock").GetString()));
                    Assert.That(Hex(message.Block.IV), Is.EqualTo(f.GetProperty("iv").GetString()));
                    break;
                case PccrrMessageType.GetSegmentList:
                    Assert.That(Hex(message.GetSegmentList.RequestId), Is.EqualTo(f.GetProperty("requestId").GetString()));
                    Assert.That(
                        message.GetSegmentList.SegmentIds.ToArray().Select(Hex).ToArray(),
                        Is.EqualTo(f.GetProperty("segmentIds").EnumerateArray().Select(e => e.GetString()).ToArray()));
                    Assert.That(Hex(message.GetSegmentList.ExtensibleBlob), Is.EqualTo(f.GetProperty("extensibleBlob").GetString()));
                    break;
                default:
                    Assert.Fail($"no field check for {message.MessageType}");
                    break;
            }
        }
    }

    public static string Hex(ReadOnlyMemory<byte> bytes) => Convert.ToHexStringLower(bytes.Span);

    private static PccrrBlockRange[] BlockRanges(JsonElement fields) =>
        [.. fields.GetProperty("blockRanges").EnumerateArray().Select(r => new PccrrBlockRange(r[0].GetUInt32(), r[1].GetUInt32()))];
}
