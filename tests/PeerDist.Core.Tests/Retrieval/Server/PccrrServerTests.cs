using System.Buffers;
using System.Security.Cryptography;
using PeerDist.Content;
using PeerDist.Retrieval;
using PeerDist.Retrieval.Server;
using static PeerDist.Tests.Retrieval.Server.PccrrServerTestData;

namespace PeerDist.Tests.Retrieval.Server;

public class PccrrServerTests
{
    private static readonly PccrrCryptoAlgorithm[] s_algorithms =
        [PccrrCryptoAlgorithm.None, PccrrCryptoAlgorithm.Aes128, PccrrCryptoAlgorithm.Aes192, PccrrCryptoAlgorithm.Aes256];

    [TestCaseSource(nameof(s_algorithms))]
    public void Handle_GetBlocksEveryV1Block_DecryptsToBlockHash(PccrrCryptoAlgorithm algorithm)
    {
        ContentSegment segment = V1Segment;
        PccrrServer server = CreateServer(MemoryBlockSource.FromContent(V1Info, V1Content), algorithm);
        var ivs = new HashSet<string>();

        for (int i = 0; i < segment.BlockCount; i++)
        {
            (PccrrServerResult result, byte[] response) = Handle(server, GetBlocks(segment.SegmentId, (uint)i));
            PccrrBlockResponse block = PccrrBlockResponse.Parse(response);
            int length = (int)segment.GetBlockRange(i).Length;
            byte[] plaintext = Decrypt(block, segment.SegmentSecret.Span, length);

            using (Assert.EnterMultipleScope())
            {
                Assert.That(result, Is.EqualTo(new PccrrServerResult(PccrrServerAction.Respond, PccrrServerReason.BlockSent, PccrrMessageType.GetBlocks)));
                Assert.That(block.CryptoAlgorithm, Is.EqualTo(algorithm));
                Assert.That(block.Version, Is.EqualTo(PccrrVersion.V1));
                Assert.That(block.SegmentId.ToArray(), Is.EqualTo(segment.SegmentId.ToArray()));
                Assert.That(block.BlockIndex, Is.EqualTo((uint)i));
                Assert.That(block.NextBlockIndex, Is.EqualTo(i + 1 < segment.BlockCount ? (uint)(i + 1) : 0u));
                Assert.That(block.Block.Length, Is.EqualTo(algorithm == PccrrCryptoAlgorithm.None ? length : ((length / 16) + 1) * 16), "PKCS#7");
                Assert.That(block.IV.Length, Is.EqualTo(algorithm == PccrrCryptoAlgorithm.None ? 0 : 16));
                Assert.That(SHA256.HashData(plaintext), Is.EqualTo(segment.GetBlockHash(i).ToArray()));
                Assert.That(plaintext, Is.EqualTo(V1Content.AsSpan((int)segment.GetBlockRange(i).Start, length).ToArray()));
            }

            if (algorithm != PccrrCryptoAlgorithm.None)
            {
                Assert.That(ivs.Add(Convert.ToHexString(block.IV.Span)), Is.True, "a fresh IV per block");
            }
        }
    }

    [TestCaseSource(nameof(s_algorithms))]
    public void Handle_GetBlocksV2Segment_ServesBlockZeroMatchingHashOfData(PccrrCryptoAlgorithm algorithm)
    {
        PccrrServer server = CreateServer(MemoryBlockSource.FromContent(V2Info, V2Content), algorithm);
        Assert.That(V2Info.Segments, Has.Count.GreaterThan(1));

        foreach (ContentSegment segment in V2Info.Segments)
        {
            (PccrrServerResult result, byte[] response) = Handle(server, GetBlocks(segment.SegmentId, 0));
            PccrrBlockResponse block = PccrrBlockResponse.Parse(response);
            byte[] plaintext = Decrypt(block, segment.SegmentSecret.Span, segment.Length);

            using (Assert.EnterMultipleScope())
            {
                Assert.That(result.Reason, Is.EqualTo(PccrrServerReason.BlockSent));
                Assert.That(block.BlockIndex, Is.Zero);
                Assert.That(block.NextBlockIndex, Is.Zero, "always 0 for V2 content");
                Assert.That(SHA512.HashData(plaintext).AsSpan(0, 32).ToArray(), Is.EqualTo(segment.HashOfData.ToArray()), "MS-PCCRC 2.4 HoD");
            }
        }
    }

    [Test]
    public void Handle_GetBlocksV2BlockOne_AnswersNotHeld()
    {
        ContentSegment segment = V2Info.Segments[0];
        PccrrServer server = CreateServer(MemoryBlockSource.FromContent(V2Info, V2Content));

        (PccrrServerResult result, byte[] response) = Handle(server, GetBlocks(segment.SegmentId, 1));

        Assert.That(result.Reason, Is.EqualTo(PccrrServerReason.BlockNotHeld));
        Assert.That(PccrrBlockResponse.Parse(response).Block.Length, Is.Zero);
    }

    [Test]
    public void Handle_GetBlocksMissingBlock_AnswersSizeZeroWithoutIVAndNextHeld()
    {
        ContentSegment segment = V1Segment;
        MemoryBlockSource source = MemoryBlockSource.FromContent(V1Info, V1Content);
        source.RemoveBlock(segment.SegmentId.Span, 3);
        PccrrServer server = CreateServer(source);

        (PccrrServerResult result, byte[] response) = Handle(server, GetBlocks(segment.SegmentId, 3));
        PccrrBlockResponse block = PccrrBlockResponse.Parse(response);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result, Is.EqualTo(new PccrrServerResult(PccrrServerAction.Respond, PccrrServerReason.BlockNotHeld, PccrrMessageType.GetBlocks)));
            Assert.That(block.BlockIndex, Is.EqualTo(3u));
            Assert.That(block.Block.Length, Is.Zero);
            Assert.That(block.IV.Length, Is.Zero);
            Assert.That(block.VrfBlock.Length, Is.Zero);
            Assert.That(block.CryptoAlgorithm, Is.EqualTo(PccrrCryptoAlgorithm.None));
            Assert.That(block.NextBlockIndex, Is.EqualTo(4u));
        }
    }

    [TestCase(100u)] // beyond the segment's six blocks
    [TestCase(511u)]
    public void Handle_GetBlocksBeyondSegment_AnswersNotHeldWithNextZero(uint index)
    {
        PccrrServer server = CreateServer(MemoryBlockSource.FromContent(V1Info, V1Content));

        PccrrBlockResponse block = PccrrBlockResponse.Parse(Handle(server, GetBlocks(V1Segment.SegmentId, index)).Response);

        Assert.That((block.Block.Length, block.NextBlockIndex, block.BlockIndex), Is.EqualTo((0L, 0u, index)));
    }

    [Test]
    public void Handle_GetBlocksUnknownSegment_AnswersNotHeld()
    {
        PccrrServer server = CreateServer(MemoryBlockSource.FromContent(V1Info, V1Content));

        (PccrrServerResult result, byte[] response) = Handle(server, GetBlocks(UnknownSegmentId, 0));

        Assert.That(result.Reason, Is.EqualTo(PccrrServerReason.BlockNotHeld));
        Assert.That(PccrrBlockResponse.Parse(response).Block.Length, Is.Zero);
    }

    [Test]
    public void Handle_GetBlocksSeveralRanges_ServesSmallestIndex()
    {
        PccrrServer server = CreateServer(MemoryBlockSource.FromContent(V1Info, V1Content));

        byte[] request = GetBlocks(V1Segment.SegmentId, new PccrrBlockRange(4, 2), new PccrrBlockRange(2, 1));
        PccrrBlockResponse block = PccrrBlockResponse.Parse(Handle(server, request).Response);

        Assert.That(block.BlockIndex, Is.EqualTo(2u));
        Assert.That(Decrypt(block, V1Segment.SegmentSecret.Span, PeerDistConstants.BlockSize), Is.EqualTo(V1Content.AsSpan(2 * PeerDistConstants.BlockSize, PeerDistConstants.BlockSize).ToArray()));
    }

    [Test]
    public void Handle_GetBlocksIgnoresRequestedAlgorithm_UsesConfiguredOne()
    {
        PccrrServer server = CreateServer(MemoryBlockSource.FromContent(V1Info, V1Content), PccrrCryptoAlgorithm.Aes256);
        byte[] request = Encode(new PccrrGetBlocksRequest(V1Segment.SegmentId, new[] { new PccrrBlockRange(0, 1) }, cryptoAlgorithm: PccrrCryptoAlgorithm.Aes128));

        Assert.That(PccrrBlockResponse.Parse(Handle(server, request).Response).CryptoAlgorithm, Is.EqualTo(PccrrCryptoAlgorithm.Aes256));
    }

    [Test]
    public void Handle_GetBlocksDeterministicIVs_SameRequestGivesSameBytes()
    {
        byte[] request = GetBlocks(V1Segment.SegmentId, 1);
        byte[] first = Handle(CreateServer(MemoryBlockSource.FromContent(V1Info, V1Content)), request).Response;
        byte[] second = Handle(CreateServer(MemoryBlockSource.FromContent(V1Info, V1Content)), request).Response;

        Assert.That(second, Is.EqualTo(first));
    }

    [TestCase(PccrrCryptoAlgorithm.Aes128, 112)]
    [TestCase(PccrrCryptoAlgorithm.Aes256, 65552)]
    [TestCase(PccrrCryptoAlgorithm.None, 101)] // not 4-aligned: ZeroPad_2 is written
    public void Handle_GetBlocksStoredCiphertext_ReplaysByteExact(PccrrCryptoAlgorithm algorithm, int length)
    {
        byte[] segmentId = RandomBytes(32, 1);
        byte[] ciphertext = RandomBytes(length, 2);
        byte[] iv = algorithm == PccrrCryptoAlgorithm.None ? [] : RandomBytes(16, 3);
        var source = new MemoryBlockSource();
        source.AddEncryptedBlock(segmentId, 0, algorithm, iv, ciphertext);
        PccrrServer server = CreateServer(source, PccrrCryptoAlgorithm.Aes128);

        (PccrrServerResult result, byte[] response) = Handle(server, GetBlocks(segmentId, 0));

        var expected = new ArrayBufferWriter<byte>();
        new PccrrBlockResponse(segmentId, 0, 0, new ReadOnlySequence<byte>(ciphertext), iv, algorithm).Write(expected);
        Assert.That(result.Reason, Is.EqualTo(PccrrServerReason.BlockReplayed));
        Assert.That(response, Is.EqualTo(expected.WrittenSpan.ToArray()));
    }

    [Test]
    public void Handle_GetBlocksStoredCiphertextOfRealBlock_DecryptsWithKp()
    {
        // A hosted cache that stored a peer's MSG_BLK serves it again; the client decrypts with its own Kp.
        ContentSegment segment = V1Segment;
        PccrrServer origin = CreateServer(MemoryBlockSource.FromContent(V1Info, V1Content), PccrrCryptoAlgorithm.Aes192);
        PccrrBlockResponse first = PccrrBlockResponse.Parse(Handle(origin, GetBlocks(segment.SegmentId, 5)).Response);
        var cache = new MemoryBlockSource();
        cache.AddEncryptedBlock(segment.SegmentId.Span, 5, first.CryptoAlgorithm, first.IV.ToArray(), first.Block.ToArray());

        PccrrBlockResponse replayed = PccrrBlockResponse.Parse(Handle(CreateServer(cache), GetBlocks(segment.SegmentId, 5)).Response);

        Assert.That(SHA256.HashData(Decrypt(replayed, segment.SegmentSecret.Span, 1000)), Is.EqualTo(segment.GetBlockHash(5).ToArray()));
    }

    [Test]
    public void Handle_GetBlockListUnsortedOverlappingAdjacent_ReturnsNormalisedIntersection()
    {
        ContentSegment segment = V1Segment;
        MemoryBlockSource source = MemoryBlockSource.FromContent(V1Info, V1Content);
        source.RemoveBlock(segment.SegmentId.Span, 4);
        PccrrServer server = CreateServer(source);

        byte[] request = GetBlockList(segment.SegmentId, new PccrrBlockRange(3, 2), new PccrrBlockRange(0, 1), new PccrrBlockRange(1, 2), new PccrrBlockRange(0, 2));
        (PccrrServerResult result, byte[] response) = Handle(server, request);
        PccrrBlockListResponse list = PccrrBlockListResponse.Parse(response);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result, Is.EqualTo(new PccrrServerResult(PccrrServerAction.Respond, PccrrServerReason.BlockListSent, PccrrMessageType.GetBlockList)));
            Assert.That(list.BlockRanges.ToArray(), Is.EqualTo(new[] { new PccrrBlockRange(0, 4) }));
            Assert.That(list.NextBlockIndex, Is.EqualTo(5u), "first held block after the requested ones");
            Assert.That(list.SegmentId.ToArray(), Is.EqualTo(segment.SegmentId.ToArray()));
            Assert.That(list.Version, Is.EqualTo(PccrrVersion.V1));
        }
    }

    [Test]
    public void Handle_GetBlockListWithGap_ReturnsSeparateSortedRanges()
    {
        ContentSegment segment = V1Segment;
        MemoryBlockSource source = MemoryBlockSource.FromContent(V1Info, V1Content);
        source.RemoveBlock(segment.SegmentId.Span, 2);
        PccrrServer server = CreateServer(source);

        byte[] request = GetBlockList(segment.SegmentId, new PccrrBlockRange(5, 7), new PccrrBlockRange(0, 5));
        PccrrBlockListResponse list = PccrrBlockListResponse.Parse(Handle(server, request).Response);

        Assert.That(list.BlockRanges.ToArray(), Is.EqualTo(new[] { new PccrrBlockRange(0, 2), new PccrrBlockRange(3, 3) }));
        Assert.That(list.NextBlockIndex, Is.Zero);
    }

    [Test]
    public void Handle_GetBlockListNothingHeld_ReturnsNoRanges()
    {
        PccrrServer server = CreateServer(MemoryBlockSource.FromContent(V1Info, V1Content));

        PccrrBlockListResponse list = PccrrBlockListResponse.Parse(Handle(server, GetBlockList(UnknownSegmentId, new PccrrBlockRange(0, 512))).Response);

        Assert.That(list.BlockRanges.Length, Is.Zero);
        Assert.That(list.NextBlockIndex, Is.Zero);
    }

    [Test]
    public void Handle_GetBlockListBeforeHeldBlocks_ReportsNextHeld()
    {
        ContentSegment segment = V1Segment;
        MemoryBlockSource source = MemoryBlockSource.FromContent(V1Info, V1Content);
        source.RemoveBlock(segment.SegmentId.Span, 0);
        source.RemoveBlock(segment.SegmentId.Span, 1);
        PccrrServer server = CreateServer(source);

        PccrrBlockListResponse list = PccrrBlockListResponse.Parse(Handle(server, GetBlockList(segment.SegmentId, new PccrrBlockRange(0, 2))).Response);

        Assert.That(list.BlockRanges.Length, Is.Zero);
        Assert.That(list.NextBlockIndex, Is.EqualTo(2u));
    }

    [Test]
    public void Handle_NegotiateRequest_AnswersOwnVersionRange()
    {
        PccrrServer server = CreateServer(new MemoryBlockSource());

        (PccrrServerResult result, byte[] response) = Handle(server, Negotiate());
        PccrrNegotiateResponse negotiate = PccrrNegotiateResponse.Parse(response);

        Assert.That(result, Is.EqualTo(new PccrrServerResult(PccrrServerAction.Respond, PccrrServerReason.Negotiated, PccrrMessageType.NegotiateRequest)));
        Assert.That((negotiate.MinSupportedVersion, negotiate.MaxSupportedVersion), Is.EqualTo((PccrrVersion.V1, PccrrVersion.V2)));
        Assert.That(response, Is.EqualTo(Convert.FromHexString("000000180000000100000001000000180000000000000001" + "00000002")), "wire.md §1.11 fixture");
    }

    [Test]
    public void Handle_NegotiateRequestWhenBusy_StillAnswers()
    {
        PccrrServer server = CreateServer(new MemoryBlockSource(), maxActiveClients: 1);
        using ActiveClientScope scope = server.EnterClient();

        Assert.That(Handle(server, Negotiate()).Result.Reason, Is.EqualTo(PccrrServerReason.Negotiated));
    }

    [Test]
    public void Handle_GetBlocksUnsupportedMajorVersion_AnswersNegotiateResponse()
    {
        PccrrServer server = CreateServer(MemoryBlockSource.FromContent(V1Info, V1Content));
        byte[] request = Encode(new PccrrGetBlocksRequest(V1Segment.SegmentId, new[] { new PccrrBlockRange(0, 1) }, version: new PccrrVersion(3, 0)));

        (PccrrServerResult result, byte[] response) = Handle(server, request);
        PccrrNegotiateResponse negotiate = PccrrNegotiateResponse.Parse(response);

        Assert.That(result.Reason, Is.EqualTo(PccrrServerReason.VersionNotSupported));
        Assert.That((negotiate.MinSupportedVersion, negotiate.MaxSupportedVersion), Is.EqualTo((PccrrVersion.V1, PccrrVersion.V2)));
    }

    [Test]
    public void Handle_GetBlockListMinorVersionDiffers_IsServed()
    {
        PccrrServer server = CreateServer(MemoryBlockSource.FromContent(V1Info, V1Content));
        byte[] request = Encode(new PccrrGetBlockListRequest(V1Segment.SegmentId, new[] { new PccrrBlockRange(0, 1) }, version: new PccrrVersion(1, 7)));

        Assert.That(Handle(server, request).Result.Reason, Is.EqualTo(PccrrServerReason.BlockListSent));
    }

    [Test]
    public void Handle_GetSegmentListOnVersion1Server_AnswersNegotiateResponse()
    {
        PccrrServer server = CreateServer(MemoryBlockSource.FromContent(V2Info, V2Content), maxVersion: PccrrVersion.V1);

        (PccrrServerResult result, byte[] response) = Handle(server, GetSegmentList(V2Info.Segments[0].SegmentId));

        Assert.That(result.Reason, Is.EqualTo(PccrrServerReason.VersionNotSupported));
        Assert.That(PccrrNegotiateResponse.Parse(response).MaxSupportedVersion, Is.EqualTo(PccrrVersion.V1));
    }

    [Test]
    public void Handle_GetSegmentListUnderVersion1Header_Drops()
    {
        PccrrServer server = CreateServer(MemoryBlockSource.FromContent(V2Info, V2Content));
        byte[] request = Encode(new PccrrGetSegmentListRequest(RequestId, new[] { V2Info.Segments[0].SegmentId }, version: PccrrVersion.V1));

        (PccrrServerResult result, byte[] response) = Handle(server, request);

        Assert.That(result, Is.EqualTo(new PccrrServerResult(PccrrServerAction.Drop, PccrrServerReason.MessageNotInVersion, PccrrMessageType.GetSegmentList)));
        Assert.That(response, Is.Empty);
    }

    [Test]
    public void Handle_GetSegmentListPartlyHeld_ReturnsRangesOverRequestIndexes()
    {
        IReadOnlyList<ContentSegment> segments = V2Info.Segments;
        MemoryBlockSource source = MemoryBlockSource.FromContent(V2Info, V2Content);
        byte[] other = RandomBytes(32, 9);
        PccrrServer server = CreateServer(source);

        byte[] request = GetSegmentList(segments[0].SegmentId, UnknownSegmentId, segments[1].SegmentId, segments[2].SegmentId, other);
        (PccrrServerResult result, byte[] response) = Handle(server, request);
        PccrrSegmentListResponse list = PccrrSegmentListResponse.Parse(response);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result, Is.EqualTo(new PccrrServerResult(PccrrServerAction.Respond, PccrrServerReason.SegmentListSent, PccrrMessageType.GetSegmentList)));
            Assert.That(list.RequestId.ToArray(), Is.EqualTo(RequestId));
            Assert.That(list.Version, Is.EqualTo(PccrrVersion.V2));
            Assert.That(list.SegmentRanges.ToArray(), Is.EqualTo(new[] { new PccrrSegmentRange(0, 1), new PccrrSegmentRange(2, 2) }));
            Assert.That(list.ExtensibleBlob.Length, Is.Zero, "no ages known");
        }
    }

    [Test]
    public void Handle_GetSegmentListNoneHeld_ReturnsNoRanges()
    {
        PccrrServer server = CreateServer(MemoryBlockSource.FromContent(V2Info, V2Content));

        PccrrSegmentListResponse list = PccrrSegmentListResponse.Parse(Handle(server, GetSegmentList(UnknownSegmentId, RandomBytes(32, 4))).Response);

        Assert.That(list.SegmentRanges.Length, Is.Zero);
        Assert.That(list.RequestId.ToArray(), Is.EqualTo(RequestId));
    }

    [Test]
    public void Handle_GetSegmentListSegmentWithAllBlocksRemoved_IsNotHeld()
    {
        ContentSegment segment = V2Info.Segments[1];
        MemoryBlockSource source = MemoryBlockSource.FromContent(V2Info, V2Content);
        source.RemoveBlock(segment.SegmentId.Span, 0);

        PccrrSegmentListResponse list = PccrrSegmentListResponse.Parse(Handle(CreateServer(source), GetSegmentList(segment.SegmentId)).Response);

        Assert.That(list.SegmentRanges.Length, Is.Zero);
    }

    [Test]
    public void Handle_GetSegmentListWithAges_ReturnsVersion1BlobInHundredths()
    {
        IReadOnlyList<ContentSegment> segments = V2Info.Segments;
        MemoryBlockSource source = MemoryBlockSource.FromContent(V2Info, V2Content);
        source.SetSegmentAge(segments[1].SegmentId.Span, TimeSpan.FromSeconds(1.5));
        source.SetSegmentAge(segments[2].SegmentId.Span, TimeSpan.FromDays(10)); // clamps to 24 bits

        byte[] request = GetSegmentList(UnknownSegmentId, segments[1].SegmentId, segments[2].SegmentId);
        PccrrSegmentListResponse list = PccrrSegmentListResponse.Parse(Handle(CreateServer(source), request).Response);
        PccrrSegmentAgeBlob blob = PccrrSegmentAgeBlob.Read(list.ExtensibleBlob.Span);

        Assert.That(blob.Units, Is.EqualTo(PccrrSegmentAgeUnit.Hundredths));
        Assert.That(blob.Ages.ToArray(), Is.EqualTo(new[] { new PccrrSegmentAge(1, 150), new PccrrSegmentAge(2, PccrrSegmentAge.MaxAge) }));
    }

    [Test]
    public void Handle_Busy_AnswersEveryRequestTypeEmpty()
    {
        ContentSegment segment = V1Segment;
        PccrrServer server = CreateServer(MemoryBlockSource.FromContent(V1Info, V1Content), maxActiveClients: 2);
        ActiveClientScope first = server.EnterClient();
        ActiveClientScope second = server.EnterClient();

        (PccrrServerResult listResult, byte[] listBytes) = Handle(server, GetBlockList(segment.SegmentId, new PccrrBlockRange(0, 6)));
        (PccrrServerResult blockResult, byte[] blockBytes) = Handle(server, GetBlocks(segment.SegmentId, 2));
        (PccrrServerResult segResult, byte[] segBytes) = Handle(server, GetSegmentList(segment.SegmentId));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(listResult.Reason, Is.EqualTo(PccrrServerReason.Busy));
            Assert.That(PccrrBlockListResponse.Parse(listBytes).BlockRanges.Length, Is.Zero);
            Assert.That(blockResult.Reason, Is.EqualTo(PccrrServerReason.Busy));
            PccrrBlockResponse block = PccrrBlockResponse.Parse(blockBytes);
            Assert.That((block.BlockIndex, block.Block.Length, block.IV.Length, block.NextBlockIndex), Is.EqualTo((2u, 0L, 0, 0u)));
            Assert.That(segResult.Reason, Is.EqualTo(PccrrServerReason.Busy));
            Assert.That(PccrrSegmentListResponse.Parse(segBytes).SegmentRanges.Length, Is.Zero);
            Assert.That(server.ActiveClientCount, Is.EqualTo(2));
        }

        first.Dispose();
        Assert.That(Handle(server, GetBlocks(segment.SegmentId, 2)).Result.Reason, Is.EqualTo(PccrrServerReason.BlockSent));
        second.Dispose();
        Assert.That(server.ActiveClientCount, Is.Zero);
    }

    [Test]
    public void EnterClient_DisposedMoreThanEntered_ClampsAtZero()
    {
        PccrrServer server = CreateServer(new MemoryBlockSource());
        ActiveClientScope scope = server.EnterClient();

        scope.Dispose();
        scope.Dispose();
        scope.Dispose();

        Assert.That(server.ActiveClientCount, Is.Zero);
        Assert.That(server.EnterClient(), Is.EqualTo(scope));
        Assert.That(server.ActiveClientCount, Is.EqualTo(1));
    }

    [Test]
    public void Handle_ManyThreads_CountReturnsToZero()
    {
        PccrrServer server = CreateServer(MemoryBlockSource.FromContent(V1Info, V1Content), maxActiveClients: 4);
        byte[] request = GetBlockList(V1Segment.SegmentId, new PccrrBlockRange(0, 6));
        int answered = 0;

        Parallel.For(0, 400, _ =>
        {
            var writer = new ArrayBufferWriter<byte>();
            if (server.Handle(request, writer).IsRespond)
            {
                Interlocked.Increment(ref answered);
            }
        });

        Assert.That(answered, Is.EqualTo(400));
        Assert.That(server.ActiveClientCount, Is.Zero);
    }

    [Test]
    public void Constructor_InvalidOptions_Throws()
    {
        var source = new MemoryBlockSource();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => new PccrrServer(source, new PccrrServerOptions { MinVersion = PccrrVersion.V2, MaxVersion = PccrrVersion.V1 }), Throws.ArgumentException);
            Assert.That(() => new PccrrServer(source, new PccrrServerOptions { MaxActiveClients = 0 }), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => new PccrrServer(source, new PccrrServerOptions { CryptoAlgorithm = (PccrrCryptoAlgorithm)4 }), Throws.ArgumentException);
        }
    }

    [Test]
    public void Handle_GetBlocksPlaintextBlock_AllocatesNoPayloadCopies()
    {
        PccrrServer server = CreateServer(MemoryBlockSource.FromContent(V1Info, V1Content));
        byte[] request = GetBlocks(V1Segment.SegmentId, 1);
        var writer = new ArrayBufferWriter<byte>(128 * 1024);

        long Run()
        {
            writer.ResetWrittenCount();
            server.Handle(request, writer);
            return writer.WrittenCount;
        }

        Run();
        Run();
        (long written, long allocated) = Allocations.Measure(Run);

        // What remains is the codec's decoded range array and the BCL's per-call cipher context; never a 64 KiB copy.
        Assert.That(written, Is.EqualTo(PccrrBlockResponse.GetEncryptedEncodedLength(32, PeerDistConstants.BlockSize, PccrrCryptoAlgorithm.Aes128)));
        Assert.That(allocated, Is.LessThan(1024));
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
