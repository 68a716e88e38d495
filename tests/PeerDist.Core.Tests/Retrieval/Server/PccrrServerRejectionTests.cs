using System.Buffers;
using PeerDist.Content;
using PeerDist.Retrieval;
using PeerDist.Retrieval.Server;
using static PeerDist.Tests.Retrieval.Server.PccrrServerTestData;

namespace PeerDist.Tests.Retrieval.Server;

/// <summary>
/// The PccrrServer_* rows of wire.md §8 (WPTS BranchCache hosted-cache suite) that apply to a server engine, one test each,
/// named after the row; plus truncation, trailing bytes and the random-bytes robustness run. A dropped request must leave
/// the response writer empty: it is never answered with a PCCRR message (wire.md §1.1).
/// </summary>
public class PccrrServerRejectionTests
{
    // Offset of the range-count DWORD in GETBLKS/GETBLKLIST with a 32-byte segment ID: header 16 + size 4 + id 32.
    private const int RangeCountOffset = 52;

    // Offset of CountOfSegmentIDs in GETSEGLIST: header 16 + RequestID 16.
    private const int SegmentIdCountOffset = 32;

    private static PccrrServer Server(PccrrCryptoAlgorithm algorithm = PccrrCryptoAlgorithm.Aes128) =>
        CreateServer(MemoryBlockSource.FromContent(V1Info, V1Content), algorithm);

    [Test]
    public void Handle_PccrrServer_MessageHeader_MsgTypeInvalid_Drops()
    {
        byte[] request = Patch(GetBlocks(V1Segment.SegmentId, 0), 4, 0xFEFE);

        AssertDropped(Server(), request, PccrrServerReason.Malformed, PeerDistFormatError.UnknownMessageType);
    }

    [TestCase(1u)] // MSG_NEGO_RESP
    [TestCase(5u)] // MSG_BLK
    public void Handle_ResponseMessageType_Drops(uint type)
    {
        byte[] request = Patch(GetBlocks(V1Segment.SegmentId, 0), 4, type);

        AssertDropped(Server(), request, PccrrServerReason.Malformed, PeerDistFormatError.UnexpectedMessageType);
    }

    [Test]
    public void Handle_PccrrServer_MessageHeader_VersionIncompatible_Drops()
    {
        byte[] request = Patch(Negotiate(), 0, 0xFEFEFEFE); // ProtVer 0xFEFE.0xFEFE

        (PccrrServerResult result, byte[] response) = Handle(Server(), request);

        Assert.That(result, Is.EqualTo(new PccrrServerResult(PccrrServerAction.Drop, PccrrServerReason.NegotiateVersionNotSupported, PccrrMessageType.NegotiateRequest)));
        Assert.That(response, Is.Empty);
    }

    [Test]
    public void Handle_PccrrServer_MessageHeader_CryptoAlgoIdInvalid_Drops()
    {
        byte[] request = Patch(GetBlocks(V1Segment.SegmentId, 0), 12, 0xFEFE);

        AssertDropped(Server(), request, PccrrServerReason.Malformed, PeerDistFormatError.InvalidCryptoAlgorithm);
    }

    [TestCase(PccrrCryptoAlgorithm.None, TestName = "Handle_PccrrServer_MessageHeader_CryptoAlgoIdNoEncryption_DecryptsToOriginal")]
    [TestCase(PccrrCryptoAlgorithm.Aes192, TestName = "Handle_PccrrServer_MessageHeader_CryptoAlgoIdAES192_DecryptsToOriginal")]
    [TestCase(PccrrCryptoAlgorithm.Aes256, TestName = "Handle_PccrrServer_MessageHeader_CryptoAlgoIdAES256_DecryptsToOriginal")]
    public void Handle_PccrrServer_MessageHeader_CryptoAlgoId_DecryptsToOriginal(PccrrCryptoAlgorithm algorithm)
    {
        ContentSegment segment = V1Segment;
        PccrrServer server = Server(algorithm);
        byte[] received = new byte[V1Length];

        for (int i = 0; i < segment.BlockCount; i++)
        {
            PccrrBlockResponse block = PccrrBlockResponse.Parse(Handle(server, GetBlocks(segment.SegmentId, (uint)i)).Response);
            Assert.That(block.CryptoAlgorithm, Is.EqualTo(algorithm));
            ContentRange range = segment.GetBlockRange(i);
            Decrypt(block, segment.SegmentSecret.Span, (int)range.Length).CopyTo(received, range.Start);
        }

        Assert.That(received, Is.EqualTo(V1Content));
    }

    [TestCase(PccrrCryptoAlgorithm.None, TestName = "Handle_PccrrServer_MessageHeader_CryptoAlgoIdNoEncryptionV2_DecryptsToOriginal")]
    [TestCase(PccrrCryptoAlgorithm.Aes192, TestName = "Handle_PccrrServer_MessageHeader_CryptoAlgoIdAES192V2_DecryptsToOriginal")]
    [TestCase(PccrrCryptoAlgorithm.Aes256, TestName = "Handle_PccrrServer_MessageHeader_CryptoAlgoIdAES256V2_DecryptsToOriginal")]
    public void Handle_PccrrServer_MessageHeader_CryptoAlgoIdV2_DecryptsToOriginal(PccrrCryptoAlgorithm algorithm)
    {
        PccrrServer server = CreateServer(MemoryBlockSource.FromContent(V2Info, V2Content), algorithm);
        byte[] received = new byte[V2Content.Length];

        foreach (ContentSegment segment in V2Info.Segments)
        {
            PccrrBlockResponse block = PccrrBlockResponse.Parse(Handle(server, GetBlocks(segment.SegmentId, 0)).Response);
            Decrypt(block, segment.SegmentSecret.Span, segment.Length).CopyTo(received, segment.Offset);
        }

        Assert.That(received, Is.EqualTo(V2Content));
    }

    [Test]
    public void Handle_PccrrServer_GetBlocks_BlockRangeCountNotMatch_Drops()
    {
        byte[] request = Patch(GetBlocks(V1Segment.SegmentId, 0), RangeCountOffset, 10);

        AssertDropped(Server(), request, PccrrServerReason.Malformed, PeerDistFormatError.MessageSizeMismatch);
    }

    [Test]
    public void Handle_PccrrServer_GetBlocks_BlockRangesEmpty_AnswersEmptyBlock()
    {
        (PccrrServerResult result, byte[] response) = Handle(Server(), GetBlocks(V1Segment.SegmentId));
        PccrrBlockResponse block = PccrrBlockResponse.Parse(response);

        Assert.That(result, Is.EqualTo(new PccrrServerResult(PccrrServerAction.Respond, PccrrServerReason.NoBlockRequested, PccrrMessageType.GetBlocks)));
        Assert.That((block.Block.Length, block.IV.Length, block.BlockIndex, block.NextBlockIndex), Is.EqualTo((0L, 0, 0u, 0u)));
    }

    [Test]
    public void Handle_PccrrServer_GetBlockList_BlockRangeCountNotMatch_Drops()
    {
        byte[] request = Patch(GetBlockList(V1Segment.SegmentId, new PccrrBlockRange(0, 1)), RangeCountOffset, 10);

        AssertDropped(Server(), request, PccrrServerReason.Malformed, PeerDistFormatError.MessageSizeMismatch);
    }

    [Test]
    public void Handle_PccrrServer_GetBlockList_BlockRangesEmpty_AnswersNoRanges()
    {
        (PccrrServerResult result, byte[] response) = Handle(Server(), GetBlockList(V1Segment.SegmentId));
        PccrrBlockListResponse list = PccrrBlockListResponse.Parse(response);

        Assert.That(result.Reason, Is.EqualTo(PccrrServerReason.BlockListSent));
        Assert.That(list.BlockRanges.Length, Is.Zero);
        Assert.That(list.NextBlockIndex, Is.Zero);
    }

    [TestCase(0u)]
    [TestCase(5u)]
    [TestCase(0xFFFFFFFFu)]
    public void Handle_PccrrServer_GetSegList_SegmentIDCountNotMatch_Drops(uint count)
    {
        byte[] request = Patch(GetSegmentList(V2Info.Segments[0].SegmentId), SegmentIdCountOffset, count);

        (PccrrServerResult result, byte[] response) = Handle(CreateServer(MemoryBlockSource.FromContent(V2Info, V2Content)), request);

        Assert.That(result.Action, Is.EqualTo(PccrrServerAction.Drop));
        Assert.That(result.Reason, Is.EqualTo(PccrrServerReason.Malformed));
        Assert.That(response, Is.Empty);
    }

    [Test]
    public void Handle_PccrrServer_GetSegList_SegmentIDEmpty_Drops()
    {
        (PccrrServerResult result, byte[] response) = Handle(CreateServer(MemoryBlockSource.FromContent(V2Info, V2Content)), GetSegmentList());

        Assert.That(result, Is.EqualTo(new PccrrServerResult(PccrrServerAction.Drop, PccrrServerReason.NoSegmentIds, PccrrMessageType.GetSegmentList)));
        Assert.That(response, Is.Empty);
    }

    [Test]
    public void Handle_PccrrServer_GetSegList_ExtensibleBlob_Answers()
    {
        ContentSegment segment = V2Info.Segments[0];
        byte[] blob = new PccrrSegmentAgeBlob(PccrrSegmentAgeUnit.Hundredths, new[] { new PccrrSegmentAge(0, 1234) }).ToArray();
        byte[] request = Encode(new PccrrGetSegmentListRequest(RequestId, new[] { segment.SegmentId }, blob));

        (PccrrServerResult result, byte[] response) = Handle(CreateServer(MemoryBlockSource.FromContent(V2Info, V2Content)), request);

        Assert.That(result.Reason, Is.EqualTo(PccrrServerReason.SegmentListSent));
        Assert.That(PccrrSegmentListResponse.Parse(response).SegmentRanges.ToArray(), Is.EqualTo(new[] { new PccrrSegmentRange(0, 1) }));
    }

    [Test]
    public void Handle_GetSegListMalformedExtensibleBlob_StillAnswers()
    {
        // MS-PCCRR 2.2.6: a bad blob is discarded, not the message.
        byte[] request = Encode(new PccrrGetSegmentListRequest(RequestId, new[] { V2Info.Segments[0].SegmentId }, new byte[] { 0x00, 0x09, 0x01 }));

        Assert.That(Handle(CreateServer(MemoryBlockSource.FromContent(V2Info, V2Content)), request).Result.Reason, Is.EqualTo(PccrrServerReason.SegmentListSent));
    }

    [Test]
    public void Handle_EveryProperPrefix_DropsTruncated()
    {
        byte[] request = GetBlockList(V1Segment.SegmentId, new PccrrBlockRange(0, 2), new PccrrBlockRange(4, 1));
        PccrrServer server = Server();

        for (int length = 0; length < request.Length; length++)
        {
            (PccrrServerResult result, byte[] response) = Handle(server, request[..length]);
            Assert.That(result.Action, Is.EqualTo(PccrrServerAction.Drop), $"prefix {length}");
            Assert.That(response, Is.Empty);
        }
    }

    [Test]
    public void Handle_TrailingBytes_Drops()
    {
        byte[] request = [.. GetBlocks(V1Segment.SegmentId, 0), .. Negotiate()];

        (PccrrServerResult result, byte[] response) = Handle(Server(), request);

        Assert.That(result.Reason, Is.EqualTo(PccrrServerReason.TrailingData));
        Assert.That(response, Is.Empty);
    }

    [Test]
    public void Handle_RequestSplitAcrossSegments_AnswersLikeSingleBuffer()
    {
        byte[] request = GetBlockList(V1Segment.SegmentId, new PccrrBlockRange(0, 6));
        byte[] expected = Handle(Server(), request).Response;

        foreach ((string name, ReadOnlySequence<byte> variant) in PeerDist.Tests.Shared.SequenceVariants.All(request))
        {
            var writer = new ArrayBufferWriter<byte>();
            Assert.That(Server().Handle(variant, writer).Reason, Is.EqualTo(PccrrServerReason.BlockListSent), name);
            Assert.That(writer.WrittenSpan.ToArray(), Is.EqualTo(expected), name);
        }
    }

    [Test]
    public void Handle_SeededRandomAndMutatedRequests_OnlyRespondOrDrop()
    {
        var random = new Random(20261125);
        PccrrServer server = CreateServer(MemoryBlockSource.FromContent(V1Info, V1Content), maxActiveClients: 1);
        ContentSegment segment = V1Segment;
        byte[][] valid =
        [
            Negotiate(),
            GetBlocks(segment.SegmentId, 1),
            GetBlocks(segment.SegmentId, new PccrrBlockRange(2, 3), new PccrrBlockRange(0, 1)),
            GetBlockList(segment.SegmentId, new PccrrBlockRange(0, 6), new PccrrBlockRange(3, 100)),
            GetSegmentList(segment.SegmentId, UnknownSegmentId),
        ];
        var writer = new ArrayBufferWriter<byte>();
        int responded = 0;

        for (int n = 0; n < 5000; n++)
        {
            byte[] request = n % 4 == 0 ? RandomRequest(random) : Mutate(random, valid[random.Next(valid.Length)]);
            writer.ResetWrittenCount();
            PccrrServerResult result = server.Handle(request, writer);

            if (result.Action == PccrrServerAction.Drop)
            {
                Assert.That(writer.WrittenCount, Is.Zero, $"case {n}");
                continue;
            }

            responded++;
            var output = new ReadOnlySequence<byte>(writer.WrittenMemory);
            OperationStatus status = PccrrFrameDecoder.TryReadResponse(output, null, out _, out SequencePosition consumed, out _, out PeerDistFormatError error, out _);
            Assert.That(status, Is.EqualTo(OperationStatus.Done), $"case {n}: {error}");
            Assert.That(output.Slice(consumed).Length, Is.Zero, $"case {n}");
        }

        Assert.That(responded, Is.GreaterThan(100), "the mutations must also reach the answering paths");
        Assert.That(server.ActiveClientCount, Is.Zero);
    }

    private static byte[] RandomRequest(Random random)
    {
        byte[] bytes = new byte[random.Next(0, 160)];
        random.NextBytes(bytes);
        if (bytes.Length >= 16 && random.Next(2) == 0)
        {
            // A plausible header makes the body parsers run.
            bytes[0] = bytes[1] = bytes[2] = 0;
            bytes[3] = (byte)random.Next(0, 3);
            bytes[4] = bytes[5] = bytes[6] = 0;
            bytes[7] = (byte)random.Next(0, 8);
            bytes[8] = bytes[9] = 0;
            bytes[10] = (byte)(bytes.Length >> 8);
            bytes[11] = (byte)bytes.Length;
        }

        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] valid)
    {
        byte[] bytes = (byte[])valid.Clone();
        switch (random.Next(4))
        {
            case 0:
                int flips = random.Next(1, 4);
                for (int i = 0; i < flips; i++)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                return bytes;
            case 1:
                return bytes[..random.Next(bytes.Length)];
            case 2:
                // A DWORD field set to a boundary value.
                int at = random.Next(bytes.Length / 4) * 4;
                uint[] values = [0, 1, 2, 511, 512, 0xFFFF, 0xFFFFFFFF, (uint)bytes.Length];
                return Patch(bytes, at, values[random.Next(values.Length)]);
            default:
                return bytes; // unchanged: keeps the answering paths busy
        }
    }

    private static void AssertDropped(PccrrServer server, byte[] request, PccrrServerReason reason, PeerDistFormatError error)
    {
        (PccrrServerResult result, byte[] response) = Handle(server, request);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Action, Is.EqualTo(PccrrServerAction.Drop));
            Assert.That(result.Reason, Is.EqualTo(reason));
            Assert.That(result.Error, Is.EqualTo(error));
            Assert.That(response, Is.Empty, "never answered with a PCCRR message");
        }
    }
}
