using System.Buffers.Binary;
using System.Net;
using PeerDist.Retrieval.Client;
using PeerDist.Retrieval;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Retrieval.Client;

[TestFixture]
public sealed class PccrrClientTests
{
    private const byte Guard = 0xEE;

    // Six blocks, the last one short (MS-PCCRC 2.3: only the last block of a segment may be short).
    private static readonly PeerContent s_v1 = PeerContent.V1((6 * PeerDistConstants.BlockSize) - 1000);
    private static readonly PeerContent s_v2 = PeerContent.V2();

    private static readonly PccrrCryptoAlgorithm[] s_algorithms =
        [PccrrCryptoAlgorithm.None, PccrrCryptoAlgorithm.Aes128, PccrrCryptoAlgorithm.Aes192, PccrrCryptoAlgorithm.Aes256];

    public enum Lie
    {
        FlippedCiphertextBit,
        WrongBlockIndex,
        WrongSegmentId,
        CiphertextOneBlockTooLong,
        CiphertextTooShort,
        CiphertextNotMultipleOf16,
        PlaintextOneByteTooLong,
        WrongMessageType,
        RequestTypeEchoed,
        TruncatedResponse,
        TrailingByte,
        MissingIV,
        IVWithoutEncryption,
        ShortIV,
        WrongSegmentLengthId,
        UnknownMessageType,
        Empty,
    }

    [Test]
    public async Task GetBlockAsync_EachCryptoAlgorithm_DeliversPlaintext([ValueSource(nameof(s_algorithms))] PccrrCryptoAlgorithm algorithm)
    {
        var transport = new FakePccrrTransport(r => s_v1.BlockResponse((int)r.BlockIndex, algorithm));
        byte[] destination = Filled(PeerDistConstants.BlockSize);

        BlockOutcome outcome = await new PccrrClient(transport).GetBlockAsync(FakePccrrTransport.Peer, s_v1.Segment, 2, destination);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome, Is.EqualTo(BlockOutcome.Delivered));
            Assert.That(destination, Is.EqualTo(s_v1.Plaintext(2)));
            Assert.That(transport.RequestTypes, Is.EqualTo(new[] { PccrrMessageType.GetBlocks }));
            Assert.That(transport.Requests[0].Header.Version, Is.EqualTo(PccrrVersion.V1));
            Assert.That(transport.Requests[0].Header.CryptoAlgorithm, Is.EqualTo(PccrrCryptoAlgorithm.Aes128));
            Assert.That(transport.Requests[0].SegmentId, Is.EqualTo(s_v1.Segment.SegmentId.ToArray()));
            Assert.That(transport.Requests[0].Ranges, Is.EqualTo(new[] { new PccrrBlockRange(2, 1) }));
            Assert.That(transport.Outstanding, Is.Zero);
        }
    }

    [Test]
    public async Task GetBlockAsync_RequestedAlgorithmOption_IsSentAsPreference()
    {
        var transport = new FakePccrrTransport(r => s_v1.BlockResponse((int)r.BlockIndex, PccrrCryptoAlgorithm.Aes128));
        var client = new PccrrClient(transport, new PccrrClientOptions { CryptoAlgorithm = PccrrCryptoAlgorithm.Aes256 });

        BlockOutcome outcome = await client.GetBlockAsync(FakePccrrTransport.Peer, s_v1.Segment, 0, new byte[PeerDistConstants.BlockSize]);

        Assert.That(outcome, Is.EqualTo(BlockOutcome.Delivered));
        Assert.That(transport.Requests[0].Header.CryptoAlgorithm, Is.EqualTo(PccrrCryptoAlgorithm.Aes256));
    }

    [Test]
    public async Task GetBlockAsync_ShortLastBlock_DeliversExactLengthAndLeavesRestOfDestination()
    {
        var transport = new FakePccrrTransport(r => s_v1.BlockResponse((int)r.BlockIndex));
        byte[] destination = Filled(PeerDistConstants.BlockSize);
        byte[] expected = s_v1.Plaintext(5);

        BlockOutcome outcome = await new PccrrClient(transport).GetBlockAsync(FakePccrrTransport.Peer, s_v1.Segment, 5, destination);

        Assert.That(outcome, Is.EqualTo(BlockOutcome.Delivered));
        Assert.That(destination.AsSpan(0, expected.Length).ToArray(), Is.EqualTo(expected));
        Assert.That(destination.AsSpan(expected.Length).ToArray(), Is.All.EqualTo(Guard));
    }

    [Test]
    public async Task GetBlockAsync_V2SegmentAsBlockZero_DeliversWholeSegment([ValueSource(nameof(s_algorithms))] PccrrCryptoAlgorithm algorithm)
    {
        Assert.That(s_v2.Segment.BlockCount, Is.EqualTo(1));
        var transport = new FakePccrrTransport(r => s_v2.BlockResponse((int)r.BlockIndex, algorithm));
        byte[] destination = Filled(s_v2.Segment.Length);

        BlockOutcome outcome = await new PccrrClient(transport).GetBlockAsync(FakePccrrTransport.Peer, s_v2.Segment, 0, destination);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome, Is.EqualTo(BlockOutcome.Delivered));
            Assert.That(destination, Is.EqualTo(s_v2.Plaintext(0)));
            Assert.That(transport.Requests.Single().Ranges, Is.EqualTo(new[] { new PccrrBlockRange(0, 1) }));
            Assert.That(transport.Requests.Single().Header.Version, Is.EqualTo(PccrrVersion.V1)); // wire.md §1.9
        }
    }

    [Test]
    public async Task GetBlockAsync_V2FlippedBit_BadDataAgainstHashOfData()
    {
        (byte[] cipher, byte[] iv) = s_v2.Encrypt(0, PccrrCryptoAlgorithm.Aes128);
        cipher[100] ^= 1;
        var transport = new FakePccrrTransport(_ => PeerContent.RawBlockResponse(s_v2.Segment.SegmentId, 0, cipher, iv, PccrrCryptoAlgorithm.Aes128));
        byte[] destination = Filled(s_v2.Segment.Length);

        BlockOutcome outcome = await new PccrrClient(transport).GetBlockAsync(FakePccrrTransport.Peer, s_v2.Segment, 0, destination);

        Assert.That(outcome, Is.EqualTo(BlockOutcome.BadData));
        Assert.That(destination, Is.All.EqualTo(Guard));
    }

    [TestCase(false, TestName = "GetBlockAsync_GarbagePaddingBlock_DeliveredWithoutUnpadding")]
    [TestCase(true, TestName = "GetBlockAsync_NoPaddingBlock_DeliveredWithoutUnpadding")]
    public async Task GetBlockAsync_PaddingNotPkcs7_Delivered(bool dropPadding)
    {
        // wire.md §1.8 client rule: keep the first N bytes and verify the hash; never depend on PKCS#7 unpadding.
        (byte[] cipher, byte[] iv) = s_v1.Encrypt(0, PccrrCryptoAlgorithm.Aes256);
        Assert.That(cipher, Has.Length.EqualTo(PeerDistConstants.BlockSize + 16));
        cipher[^3] ^= 0x5A;
        byte[] sent = dropPadding ? cipher[..^16] : cipher;
        var transport = new FakePccrrTransport(_ => PeerContent.RawBlockResponse(s_v1.Segment.SegmentId, 0, sent, iv, PccrrCryptoAlgorithm.Aes256));
        byte[] destination = Filled(PeerDistConstants.BlockSize);

        BlockOutcome outcome = await new PccrrClient(transport).GetBlockAsync(FakePccrrTransport.Peer, s_v1.Segment, 0, destination);

        Assert.That(outcome, Is.EqualTo(BlockOutcome.Delivered));
        Assert.That(destination, Is.EqualTo(s_v1.Plaintext(0)));
    }

    [Test]
    public async Task GetBlockAsync_SizeOfBlockZero_ReturnsMissing()
    {
        var transport = new FakePccrrTransport(r => s_v1.EmptyBlockResponse((int)r.BlockIndex));
        byte[] destination = Filled(PeerDistConstants.BlockSize);

        BlockOutcome outcome = await new PccrrClient(transport).GetBlockAsync(FakePccrrTransport.Peer, s_v1.Segment, 1, destination);

        Assert.That(outcome, Is.EqualTo(BlockOutcome.Missing));
        Assert.That(destination, Is.All.EqualTo(Guard));
        Assert.That(transport.Outstanding, Is.Zero);
    }

    [Test]
    public async Task GetBlockAsync_LyingPeer_BadDataAndDestinationUntouched([Values] Lie lie)
    {
        var transport = new FakePccrrTransport(r => LyingResponse(lie, (int)r.BlockIndex));
        byte[] destination = Filled(PeerDistConstants.BlockSize);

        BlockOutcome outcome = await new PccrrClient(transport).GetBlockAsync(FakePccrrTransport.Peer, s_v1.Segment, 3, destination);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome, Is.EqualTo(BlockOutcome.BadData));
            Assert.That(destination, Is.All.EqualTo(Guard));
            Assert.That(transport.Requests, Has.Count.EqualTo(1));
            Assert.That(transport.Outstanding, Is.Zero);
        }
    }

    [Test]
    public async Task GetBlocksAsync_FewerThanFourBlocks_SimpleDownloadWithoutBlockList()
    {
        var transport = new FakePccrrTransport(r => s_v1.BlockResponse((int)r.BlockIndex));
        byte[] destination = Filled(3 * PeerDistConstants.BlockSize);
        var outcomes = new BlockOutcome[3];

        int delivered = await new PccrrClient(transport).GetBlocksAsync(FakePccrrTransport.Peer, s_v1.Segment, 1, 3, destination, outcomes);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(delivered, Is.EqualTo(3));
            Assert.That(outcomes, Is.All.EqualTo(BlockOutcome.Delivered));
            Assert.That(destination, Is.EqualTo(s_v1.Plaintext(1, 3)));
            Assert.That(transport.RequestTypes, Is.EqualTo(new[] { PccrrMessageType.GetBlocks, PccrrMessageType.GetBlocks, PccrrMessageType.GetBlocks }));
            Assert.That(transport.Requests.Select(r => r.BlockIndex), Is.EqualTo(new uint[] { 1, 2, 3 }));
        }
    }

    [Test]
    public async Task GetBlocksAsync_FourOrMoreBlocks_BlockListFirstThenOneGetBlocksPerHeldBlock()
    {
        var transport = new FakePccrrTransport(r => r.Type == PccrrMessageType.GetBlockList
            ? s_v1.BlockListResponse(new PccrrBlockRange(2, 4))
            : s_v1.BlockResponse((int)r.BlockIndex));
        int length = (int)(s_v1.Segment.GetBlockRange(5).End - s_v1.Segment.GetBlockRange(1).Start);
        byte[] destination = Filled(length);
        var outcomes = new BlockOutcome[5];

        int delivered = await new PccrrClient(transport).GetBlocksAsync(FakePccrrTransport.Peer, s_v1.Segment, 1, 5, destination, outcomes);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(delivered, Is.EqualTo(4));
            Assert.That(outcomes, Is.EqualTo(new[] { BlockOutcome.Missing, BlockOutcome.Delivered, BlockOutcome.Delivered, BlockOutcome.Delivered, BlockOutcome.Delivered }));
            Assert.That(transport.RequestTypes, Is.EqualTo(new[] { PccrrMessageType.GetBlockList, PccrrMessageType.GetBlocks, PccrrMessageType.GetBlocks, PccrrMessageType.GetBlocks, PccrrMessageType.GetBlocks }));
            Assert.That(transport.Requests[0].Ranges, Is.EqualTo(new[] { new PccrrBlockRange(1, 5) }));
            Assert.That(transport.Requests.Skip(1).Select(r => r.BlockIndex), Is.EqualTo(new uint[] { 2, 3, 4, 5 }));
            Assert.That(destination.AsSpan(0, PeerDistConstants.BlockSize).ToArray(), Is.All.EqualTo(Guard));
            Assert.That(destination.AsSpan(PeerDistConstants.BlockSize).ToArray(), Is.EqualTo(s_v1.Plaintext(2, 4)));
        }
    }

    [Test]
    public async Task GetBlocksAsync_ThresholdOption_ChangesTheFlow()
    {
        var transport = new FakePccrrTransport(r => r.Type == PccrrMessageType.GetBlockList
            ? s_v1.BlockListResponse(new PccrrBlockRange(0, 2))
            : s_v1.BlockResponse((int)r.BlockIndex));
        var client = new PccrrClient(transport, new PccrrClientOptions { SimpleDownloadThreshold = 2 });

        int delivered = await client.GetBlocksAsync(FakePccrrTransport.Peer, s_v1.Segment, 0, 2, new byte[2 * PeerDistConstants.BlockSize], new BlockOutcome[2]);

        Assert.That(delivered, Is.EqualTo(2));
        Assert.That(transport.RequestTypes, Is.EqualTo(new[] { PccrrMessageType.GetBlockList, PccrrMessageType.GetBlocks, PccrrMessageType.GetBlocks }));
    }

    [Test]
    public async Task GetBlocksAsync_V2SegmentWithThresholdOne_NeverAsksForBlockList()
    {
        var transport = new FakePccrrTransport(r => s_v2.BlockResponse((int)r.BlockIndex));
        var client = new PccrrClient(transport, new PccrrClientOptions { SimpleDownloadThreshold = 1 });
        byte[] destination = new byte[s_v2.Segment.Length];

        int delivered = await client.GetBlocksAsync(FakePccrrTransport.Peer, s_v2.Segment, 0, 1, destination, new BlockOutcome[1]);

        Assert.That(delivered, Is.EqualTo(1));
        Assert.That(destination, Is.EqualTo(s_v2.Plaintext(0)));
        Assert.That(transport.RequestTypes, Is.EqualTo(new[] { PccrrMessageType.GetBlocks }));
    }

    [Test]
    public async Task GetBlocksAsync_ListedBlockAnsweredEmpty_ReturnsBusy()
    {
        var transport = new FakePccrrTransport(r => r.Type == PccrrMessageType.GetBlockList
            ? s_v1.BlockListResponse(new PccrrBlockRange(0, 4))
            : r.BlockIndex == 1 ? s_v1.EmptyBlockResponse(1) : s_v1.BlockResponse((int)r.BlockIndex));
        var outcomes = new BlockOutcome[4];

        int delivered = await new PccrrClient(transport).GetBlocksAsync(FakePccrrTransport.Peer, s_v1.Segment, 0, 4, new byte[4 * PeerDistConstants.BlockSize], outcomes);

        Assert.That(delivered, Is.EqualTo(3));
        Assert.That(outcomes, Is.EqualTo(new[] { BlockOutcome.Delivered, BlockOutcome.Busy, BlockOutcome.Delivered, BlockOutcome.Delivered }));
    }

    [Test]
    public async Task GetBlocksAsync_EmptyBlockList_AllMissingAndNoGetBlocks()
    {
        var transport = new FakePccrrTransport(_ => s_v1.BlockListResponse());
        var outcomes = new BlockOutcome[4];

        int delivered = await new PccrrClient(transport).GetBlocksAsync(FakePccrrTransport.Peer, s_v1.Segment, 0, 4, new byte[4 * PeerDistConstants.BlockSize], outcomes);

        Assert.That(delivered, Is.Zero);
        Assert.That(outcomes, Is.All.EqualTo(BlockOutcome.Missing));
        Assert.That(transport.RequestTypes, Is.EqualTo(new[] { PccrrMessageType.GetBlockList }));
    }

    [TestCase(0u, 5u, TestName = "GetBlocksAsync_BlockListBeyondRequest_BadData")]
    [TestCase(4u, 2u, TestName = "GetBlocksAsync_BlockListOverlappingEnd_BadData")]
    public async Task GetBlocksAsync_BlockListOutsideRequest_BadData(uint index, uint count)
    {
        var transport = new FakePccrrTransport(_ => s_v1.BlockListResponse(new PccrrBlockRange(index, count)));
        var outcomes = new BlockOutcome[4];

        int delivered = await new PccrrClient(transport).GetBlocksAsync(FakePccrrTransport.Peer, s_v1.Segment, 1, 4, new byte[4 * PeerDistConstants.BlockSize], outcomes);

        Assert.That(delivered, Is.Zero);
        Assert.That(outcomes, Is.All.EqualTo(BlockOutcome.BadData));
        Assert.That(transport.RequestTypes, Is.EqualTo(new[] { PccrrMessageType.GetBlockList }));
    }

    [Test]
    public async Task GetBlockListAsync_WrongSegmentId_BadData()
    {
        var transport = new FakePccrrTransport(_ => PeerContent.BlockListResponse(OtherSegmentId(), [new PccrrBlockRange(0, 1)]));

        PccrrBlockListResult result = await new PccrrClient(transport).GetBlockListAsync(FakePccrrTransport.Peer, s_v1.Segment, new[] { new PccrrBlockRange(0, 6) });

        Assert.That(result.Outcome, Is.EqualTo(BlockOutcome.BadData));
        Assert.That(result.BlockRanges.Length, Is.Zero);
    }

    [Test]
    public async Task GetBlockListAsync_HeldRanges_ReturnedAfterResponseDisposed()
    {
        var transport = new FakePccrrTransport(_ => s_v1.BlockListResponse(new PccrrBlockRange(0, 2), new PccrrBlockRange(4, 1)));

        PccrrBlockListResult result = await new PccrrClient(transport).GetBlockListAsync(FakePccrrTransport.Peer, s_v1.Segment, new[] { new PccrrBlockRange(0, 6) });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Outcome, Is.EqualTo(BlockOutcome.Delivered));
            Assert.That(result.BlockRanges.ToArray(), Is.EqualTo(new[] { new PccrrBlockRange(0, 2), new PccrrBlockRange(4, 1) }));
            Assert.That(Enumerable.Range(0, 6).Select(result.Contains), Is.EqualTo(new[] { true, true, false, false, true, false }));
            Assert.That(transport.Outstanding, Is.Zero);
        }
    }

    [Test]
    public async Task GetBlocksAsync_BadAnswerMidRun_StopsAskingThatPeer()
    {
        var transport = new FakePccrrTransport(r => r.BlockIndex == 1 ? LyingResponse(Lie.FlippedCiphertextBit, 1) : s_v1.BlockResponse((int)r.BlockIndex));
        var outcomes = new BlockOutcome[3];

        int delivered = await new PccrrClient(transport).GetBlocksAsync(FakePccrrTransport.Peer, s_v1.Segment, 0, 3, new byte[3 * PeerDistConstants.BlockSize], outcomes);

        Assert.That(delivered, Is.EqualTo(1));
        Assert.That(outcomes, Is.EqualTo(new[] { BlockOutcome.Delivered, BlockOutcome.BadData, BlockOutcome.BadData }));
        Assert.That(transport.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task GetBlockAsync_NegotiateResponseWithOtherVersion_ResendsWithThatVersion()
    {
        var transport = new FakePccrrTransport(r => r.Header.Version.Major == 2
            ? PeerContent.RawBlockResponse(s_v1.Segment.SegmentId, r.BlockIndex, s_v1.Encrypt((int)r.BlockIndex, PccrrCryptoAlgorithm.Aes128).Ciphertext, s_v1.Encrypt((int)r.BlockIndex, PccrrCryptoAlgorithm.Aes128).IV, PccrrCryptoAlgorithm.Aes128, new PccrrVersion(2, 5))
            : PeerContent.NegotiateResponse(new PccrrVersion(2, 0), new PccrrVersion(2, 5)));
        var client = new PccrrClient(transport);
        byte[] destination = new byte[PeerDistConstants.BlockSize];

        BlockOutcome first = await client.GetBlockAsync(FakePccrrTransport.Peer, s_v1.Segment, 0, destination);
        BlockOutcome second = await client.GetBlockAsync(FakePccrrTransport.Peer, s_v1.Segment, 1, destination);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.EqualTo(BlockOutcome.Delivered));
            Assert.That(second, Is.EqualTo(BlockOutcome.Delivered));
            Assert.That(destination, Is.EqualTo(s_v1.Plaintext(1)));
            Assert.That(transport.Requests.Select(r => r.Header.Version), Is.EqualTo(new[] { PccrrVersion.V1, PccrrVersion.V2, PccrrVersion.V2 }));
            Assert.That(transport.RequestTypes, Is.All.EqualTo(PccrrMessageType.GetBlocks));
            Assert.That(client.GetPeerVersion(FakePccrrTransport.Peer), Is.EqualTo(PccrrVersion.V2));
            Assert.That(transport.Outstanding, Is.Zero);
        }
    }

    [Test]
    public async Task GetBlockListAsync_NegotiateResponseWithOtherVersion_ResendsBlockList()
    {
        var transport = new FakePccrrTransport(r => r.Header.Version.Major == 2
            ? PeerContent.BlockListResponse(s_v1.Segment.SegmentId, [new PccrrBlockRange(0, 1)], new PccrrVersion(2, 0))
            : PeerContent.NegotiateResponse(new PccrrVersion(2, 0), new PccrrVersion(3, 0)));

        PccrrBlockListResult result = await new PccrrClient(transport).GetBlockListAsync(FakePccrrTransport.Peer, s_v1.Segment, new[] { new PccrrBlockRange(0, 4) });

        Assert.That(result.Outcome, Is.EqualTo(BlockOutcome.Delivered));
        Assert.That(transport.RequestTypes, Is.EqualTo(new[] { PccrrMessageType.GetBlockList, PccrrMessageType.GetBlockList }));
        Assert.That(transport.Requests[1].Header.Version, Is.EqualTo(PccrrVersion.V2));
    }

    [Test]
    public async Task GetBlockAsync_NegotiateResponseIncompatible_IncompatibleVersionRememberedForPeer()
    {
        var transport = new FakePccrrTransport(_ => PeerContent.NegotiateResponse(new PccrrVersion(3, 0), new PccrrVersion(4, 0)));
        var client = new PccrrClient(transport);
        var otherPeer = new IPEndPoint(IPAddress.Loopback, 9999);

        BlockOutcome first = await client.GetBlockAsync(FakePccrrTransport.Peer, s_v1.Segment, 0, new byte[PeerDistConstants.BlockSize]);
        BlockOutcome second = await client.GetBlockAsync(FakePccrrTransport.Peer, s_v1.Segment, 1, new byte[PeerDistConstants.BlockSize]);
        PccrrBlockListResult list = await client.GetBlockListAsync(FakePccrrTransport.Peer, s_v1.Segment, new[] { new PccrrBlockRange(0, 1) });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.EqualTo(BlockOutcome.IncompatibleVersion));
            Assert.That(second, Is.EqualTo(BlockOutcome.IncompatibleVersion));
            Assert.That(list.Outcome, Is.EqualTo(BlockOutcome.IncompatibleVersion));
            Assert.That(transport.Requests, Has.Count.EqualTo(1));
            Assert.That(client.GetPeerVersion(FakePccrrTransport.Peer), Is.Null);
            Assert.That(client.GetPeerVersion(otherPeer), Is.EqualTo(PccrrVersion.V1));
        }
    }

    [Test]
    public async Task GetBlockAsync_SecondNegotiateResponse_IncompatibleVersionAfterOneResend()
    {
        var transport = new FakePccrrTransport(_ => PeerContent.NegotiateResponse(new PccrrVersion(1, 0), new PccrrVersion(2, 0)));

        BlockOutcome outcome = await new PccrrClient(transport).GetBlockAsync(FakePccrrTransport.Peer, s_v1.Segment, 0, new byte[PeerDistConstants.BlockSize]);

        Assert.That(outcome, Is.EqualTo(BlockOutcome.IncompatibleVersion));
        Assert.That(transport.Requests, Has.Count.EqualTo(2));
        Assert.That(transport.Outstanding, Is.Zero);
    }

    [TestCase((ushort)1, (ushort)0, (ushort)2, (ushort)9, (ushort)2, (ushort)0, (ushort)2, (ushort)0)] // common majors 1..2: 2 wins, own minor
    [TestCase((ushort)1, (ushort)0, (ushort)1, (ushort)5, (ushort)2, (ushort)0, (ushort)1, (ushort)0)] // only 1 in common
    [TestCase((ushort)2, (ushort)5, (ushort)2, (ushort)9, (ushort)2, (ushort)1, (ushort)2, (ushort)1)] // wire.md §1.7 example: client [1.0, 2.1]
    public async Task NegotiateAsync_CommonMajor_PicksHighestWithOwnMinor(
        ushort peerMinMajor, ushort peerMinMinor, ushort peerMaxMajor, ushort peerMaxMinor, ushort ownMaxMajor, ushort ownMaxMinor, ushort expectedMajor, ushort expectedMinor)
    {
        var peerMin = new PccrrVersion(peerMinMajor, peerMinMinor);
        var peerMax = new PccrrVersion(peerMaxMajor, peerMaxMinor);
        var transport = new FakePccrrTransport(_ => PeerContent.NegotiateResponse(peerMin, peerMax));
        var client = new PccrrClient(transport, new PccrrClientOptions { MaxVersion = new PccrrVersion(ownMaxMajor, ownMaxMinor) });

        PccrrNegotiationResult result = await client.NegotiateAsync(FakePccrrTransport.Peer);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Outcome, Is.EqualTo(BlockOutcome.Delivered));
            Assert.That(result.Version, Is.EqualTo(new PccrrVersion(expectedMajor, expectedMinor)));
            Assert.That(result.PeerMinVersion, Is.EqualTo(peerMin));
            Assert.That(result.PeerMaxVersion, Is.EqualTo(peerMax));
            Assert.That(client.GetPeerVersion(FakePccrrTransport.Peer), Is.EqualTo(result.Version));
            Assert.That(transport.RequestTypes, Is.EqualTo(new[] { PccrrMessageType.NegotiateRequest }));
            Assert.That(transport.Requests[0].Header.Version, Is.EqualTo(PccrrVersion.V1));
        }
    }

    [Test]
    public async Task NegotiateAsync_NoCommonMajor_IncompatibleVersion()
    {
        var transport = new FakePccrrTransport(_ => PeerContent.NegotiateResponse(new PccrrVersion(3, 0), new PccrrVersion(3, 1)));
        var client = new PccrrClient(transport);

        PccrrNegotiationResult result = await client.NegotiateAsync(FakePccrrTransport.Peer);

        Assert.That(result.Outcome, Is.EqualTo(BlockOutcome.IncompatibleVersion));
        Assert.That(await client.GetBlockAsync(FakePccrrTransport.Peer, s_v1.Segment, 0, new byte[PeerDistConstants.BlockSize]), Is.EqualTo(BlockOutcome.IncompatibleVersion));
        Assert.That(transport.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task NegotiateAsync_AnsweredWithBlock_BadData()
    {
        var transport = new FakePccrrTransport(_ => s_v1.BlockResponse(0));

        PccrrNegotiationResult result = await new PccrrClient(transport).NegotiateAsync(FakePccrrTransport.Peer);

        Assert.That(result.Outcome, Is.EqualTo(BlockOutcome.BadData));
        Assert.That(transport.Outstanding, Is.Zero);
    }

    [Test]
    [CancelAfter(5000)]
    public async Task GetBlockAsync_PeerStalls_TimeoutAfterRequestTimer(CancellationToken testToken)
    {
        var transport = new FakePccrrTransport(async (_, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("unreachable");
        });
        var client = new PccrrClient(transport, new PccrrClientOptions { RequestTimeout = TimeSpan.FromMilliseconds(100) });
        byte[] destination = Filled(PeerDistConstants.BlockSize);

        BlockOutcome outcome = await client.GetBlockAsync(FakePccrrTransport.Peer, s_v1.Segment, 0, destination, testToken);

        Assert.That(outcome, Is.EqualTo(BlockOutcome.Timeout));
        Assert.That(destination, Is.All.EqualTo(Guard));
    }

    [Test]
    [CancelAfter(5000)]
    public async Task GetBlocksAsync_PeerStallsOnFakeClock_TimeoutOnlyWhenClockPassesTimer(CancellationToken testToken)
    {
        var clock = new ManualTimeProvider();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var transport = new FakePccrrTransport(async (_, token) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("unreachable");
        });
        var client = new PccrrClient(transport, new PccrrClientOptions { TimeProvider = clock });
        var outcomes = new BlockOutcome[2];

        ValueTask<int> pending = client.GetBlocksAsync(FakePccrrTransport.Peer, s_v1.Segment, 0, 2, new byte[2 * PeerDistConstants.BlockSize], outcomes, testToken);
        await started.Task.WaitAsync(testToken);
        clock.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.That(pending.IsCompleted, Is.False);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        int delivered = await pending;

        Assert.That(delivered, Is.Zero);
        Assert.That(outcomes, Is.All.EqualTo(BlockOutcome.Timeout));
        Assert.That(transport.Requests, Has.Count.EqualTo(1)); // a timed-out peer is not asked for the next block
    }

    [Test]
    [CancelAfter(5000)]
    public void GetBlockAsync_CallerCancelsWhilePending_ThrowsOperationCanceled(CancellationToken testToken)
    {
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(testToken);
        var transport = new FakePccrrTransport(async (_, token) =>
        {
            await caller.CancelAsync();
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("unreachable");
        });

        Assert.That(
            async () => await new PccrrClient(transport).GetBlockAsync(FakePccrrTransport.Peer, s_v1.Segment, 0, new byte[PeerDistConstants.BlockSize], caller.Token),
            Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void GetBlockAsync_AlreadyCancelled_ThrowsWithoutSending()
    {
        var transport = new FakePccrrTransport(r => s_v1.BlockResponse((int)r.BlockIndex));

        Assert.That(
            async () => await new PccrrClient(transport).GetBlockAsync(FakePccrrTransport.Peer, s_v1.Segment, 0, new byte[PeerDistConstants.BlockSize], new CancellationToken(true)),
            Throws.InstanceOf<OperationCanceledException>());
        Assert.That(transport.Requests, Is.Empty);
    }

    [TestCase(PccrrTransportStatus.ConnectFailed, BlockOutcome.TransportFailure)]
    [TestCase(PccrrTransportStatus.HttpError, BlockOutcome.TransportFailure)]
    [TestCase(PccrrTransportStatus.ConnectionClosed, BlockOutcome.TransportFailure)]
    [TestCase(PccrrTransportStatus.TimedOut, BlockOutcome.Timeout)]
    public async Task GetBlockAsync_TransportFailure_TypedOutcome(PccrrTransportStatus status, BlockOutcome expected)
    {
        var transport = new FakePccrrTransport((_, _) => ValueTask.FromResult(PccrrTransportResponse.Failure(status)));

        BlockOutcome outcome = await new PccrrClient(transport).GetBlockAsync(FakePccrrTransport.Peer, s_v1.Segment, 0, new byte[PeerDistConstants.BlockSize]);

        Assert.That(outcome, Is.EqualTo(expected));
    }

    [Test]
    public async Task GetBlocksAsync_TransportThrows_TransportFailureForEveryBlock()
    {
        var transport = new FakePccrrTransport((_, _) => throw new IOException("connection reset"));
        var outcomes = new BlockOutcome[4];

        int delivered = await new PccrrClient(transport).GetBlocksAsync(FakePccrrTransport.Peer, s_v1.Segment, 0, 4, new byte[4 * PeerDistConstants.BlockSize], outcomes);

        Assert.That(delivered, Is.Zero);
        Assert.That(outcomes, Is.All.EqualTo(BlockOutcome.TransportFailure));
    }

    [Test]
    public void GetBlockAsync_CallerMisuse_ThrowsArgumentExceptions()
    {
        var client = new PccrrClient(new FakePccrrTransport(r => s_v1.BlockResponse((int)r.BlockIndex)));

        Assert.That(async () => await client.GetBlockAsync(FakePccrrTransport.Peer, s_v1.Segment, 6, new byte[PeerDistConstants.BlockSize]), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(async () => await client.GetBlockAsync(FakePccrrTransport.Peer, s_v1.Segment, 0, new byte[100]), Throws.ArgumentException);
        Assert.That(async () => await client.GetBlocksAsync(FakePccrrTransport.Peer, s_v1.Segment, 4, 3, new byte[3 * PeerDistConstants.BlockSize], new BlockOutcome[3]), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(async () => await client.GetBlocksAsync(FakePccrrTransport.Peer, s_v1.Segment, 0, 2, new byte[2 * PeerDistConstants.BlockSize], new BlockOutcome[1]), Throws.ArgumentException);
        Assert.That(async () => await client.GetBlockListAsync(FakePccrrTransport.Peer, s_v1.Segment, ReadOnlyMemory<PccrrBlockRange>.Empty), Throws.ArgumentException);
        Assert.That(() => PccrrTransportResponse.Failure(PccrrTransportStatus.Success), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    // ---- WindowsProtocolTestSuites BranchCache rows for the PCCRR client (wire.md §8) ----

    [Test]
    public Task HostedCacheServer_PccrrClient_MessageHeader_CryptoAlgoIdNoEncryption() => AssertAlgorithmAccepted(s_v1, PccrrCryptoAlgorithm.None);

    [Test]
    public Task HostedCacheServer_PccrrClient_MessageHeader_CryptoAlgoIdAES192() => AssertAlgorithmAccepted(s_v1, PccrrCryptoAlgorithm.Aes192);

    [Test]
    public Task HostedCacheServer_PccrrClient_MessageHeader_CryptoAlgoIdAES256() => AssertAlgorithmAccepted(s_v1, PccrrCryptoAlgorithm.Aes256);

    [Test]
    public Task HostedCacheServer_PccrrClient_MessageHeader_CryptoAlgoIdNoEncryptionV2() => AssertAlgorithmAccepted(s_v2, PccrrCryptoAlgorithm.None);

    [Test]
    public Task HostedCacheServer_PccrrClient_MessageHeader_CryptoAlgoIdAES192V2() => AssertAlgorithmAccepted(s_v2, PccrrCryptoAlgorithm.Aes192);

    [Test]
    public Task HostedCacheServer_PccrrClient_MessageHeader_CryptoAlgoIdAES256V2() => AssertAlgorithmAccepted(s_v2, PccrrCryptoAlgorithm.Aes256);

    [Test]
    public async Task HostedCacheServer_PccrrClient_MessageHeader_TypeInvalid()
    {
        // The test server answers with MsgType 0xFEFE: the client must not send a second GETBLKS.
        var transport = new FakePccrrTransport(r => WithMessageType(s_v1.BlockResponse((int)r.BlockIndex), 0xFEFE));
        var outcomes = new BlockOutcome[3];

        int delivered = await new PccrrClient(transport).GetBlocksAsync(FakePccrrTransport.Peer, s_v1.Segment, 0, 3, new byte[3 * PeerDistConstants.BlockSize], outcomes);

        Assert.That(delivered, Is.Zero);
        Assert.That(outcomes, Is.All.EqualTo(BlockOutcome.BadData));
        Assert.That(transport.RequestTypes, Is.EqualTo(new[] { PccrrMessageType.GetBlocks }));
    }

    [Test]
    public async Task HostedCacheServer_PccrrClient_MessageHeader_TypeInvalidV2()
    {
        var transport = new FakePccrrTransport(r => WithMessageType(s_v2.BlockResponse((int)r.BlockIndex), 0xFEFE));
        byte[] destination = Filled(s_v2.Segment.Length);

        BlockOutcome outcome = await new PccrrClient(transport).GetBlockAsync(FakePccrrTransport.Peer, s_v2.Segment, 0, destination);

        Assert.That(outcome, Is.EqualTo(BlockOutcome.BadData));
        Assert.That(destination, Is.All.EqualTo(Guard));
        Assert.That(transport.RequestTypes, Is.EqualTo(new[] { PccrrMessageType.GetBlocks }));
    }

    [Test]
    public async Task HostedCacheServer_PccrrClient_MessageHeader_ProtoVerIncompatible()
    {
        // The block list comes back with ProtVer 0xFEFE.0xFEFE: the client sends no GETBLKS, then or later.
        var transport = new FakePccrrTransport(r => r.Type == PccrrMessageType.GetBlockList
            ? WithVersion(s_v1.BlockListResponse(new PccrrBlockRange(0, 4)), 0xFEFEFEFE)
            : s_v1.BlockResponse((int)r.BlockIndex));
        var client = new PccrrClient(transport);
        var outcomes = new BlockOutcome[4];

        int delivered = await client.GetBlocksAsync(FakePccrrTransport.Peer, s_v1.Segment, 0, 4, new byte[4 * PeerDistConstants.BlockSize], outcomes);
        BlockOutcome later = await client.GetBlockAsync(FakePccrrTransport.Peer, s_v1.Segment, 0, new byte[PeerDistConstants.BlockSize]);

        Assert.That(delivered, Is.Zero);
        Assert.That(outcomes, Is.All.EqualTo(BlockOutcome.IncompatibleVersion));
        Assert.That(later, Is.EqualTo(BlockOutcome.IncompatibleVersion));
        Assert.That(transport.RequestTypes, Is.EqualTo(new[] { PccrrMessageType.GetBlockList }));
    }

    [Test]
    public async Task HostedCacheServer_PccrrClient_MessageHeader_ProtoVerIncompatibleV2()
    {
        // V2 flow: negotiation first; the answer's ProtVer is 0xFEFE.0xFEFE, so no GETBLKS follows.
        var transport = new FakePccrrTransport(r => r.Type == PccrrMessageType.NegotiateRequest
            ? WithVersion(PeerContent.NegotiateResponse(PccrrVersion.V1, PccrrVersion.V2), 0xFEFEFEFE)
            : s_v2.BlockResponse((int)r.BlockIndex));
        var client = new PccrrClient(transport);

        PccrrNegotiationResult negotiation = await client.NegotiateAsync(FakePccrrTransport.Peer);
        BlockOutcome outcome = await client.GetBlockAsync(FakePccrrTransport.Peer, s_v2.Segment, 0, new byte[s_v2.Segment.Length]);

        Assert.That(negotiation.Outcome, Is.EqualTo(BlockOutcome.IncompatibleVersion));
        Assert.That(outcome, Is.EqualTo(BlockOutcome.IncompatibleVersion));
        Assert.That(transport.RequestTypes, Is.EqualTo(new[] { PccrrMessageType.NegotiateRequest }));
    }

    private static async Task AssertAlgorithmAccepted(PeerContent content, PccrrCryptoAlgorithm algorithm)
    {
        int count = content.Segment.BlockCount;
        var transport = new FakePccrrTransport(r => r.Type == PccrrMessageType.GetBlockList
            ? content.BlockListResponse(new PccrrBlockRange(0, (uint)count))
            : content.BlockResponse((int)r.BlockIndex, algorithm));
        byte[] destination = Filled(content.Segment.Length);
        var outcomes = new BlockOutcome[count];

        int delivered = await new PccrrClient(transport).GetBlocksAsync(FakePccrrTransport.Peer, content.Segment, 0, count, destination, outcomes);

        Assert.That(delivered, Is.EqualTo(count));
        Assert.That(destination, Is.EqualTo(content.Plaintext(0, count)));
        Assert.That(transport.Outstanding, Is.Zero);
    }

    private static byte[] LyingResponse(Lie lie, int blockIndex)
    {
        const PccrrCryptoAlgorithm Aes = PccrrCryptoAlgorithm.Aes128;
        ReadOnlyMemory<byte> id = s_v1.Segment.SegmentId;
        (byte[] cipher, byte[] iv) = s_v1.Encrypt(blockIndex, Aes);
        byte[] plain = s_v1.Plaintext(blockIndex);
        switch (lie)
        {
            case Lie.FlippedCiphertextBit:
                cipher[12345] ^= 0x10;
                return PeerContent.RawBlockResponse(id, (uint)blockIndex, cipher, iv, Aes);
            case Lie.WrongBlockIndex:
                return PeerContent.RawBlockResponse(id, (uint)blockIndex + 1, cipher, iv, Aes);
            case Lie.WrongSegmentId:
                return PeerContent.RawBlockResponse(OtherSegmentId(), (uint)blockIndex, cipher, iv, Aes);
            case Lie.WrongSegmentLengthId:
                return PeerContent.RawBlockResponse(new byte[48], (uint)blockIndex, cipher, iv, Aes);
            case Lie.CiphertextOneBlockTooLong:
                return PeerContent.RawBlockResponse(id, (uint)blockIndex, [.. cipher, .. new byte[16]], iv, Aes);
            case Lie.CiphertextTooShort:
                return PeerContent.RawBlockResponse(id, (uint)blockIndex, cipher[..^32], iv, Aes);
            case Lie.CiphertextNotMultipleOf16:
                return PeerContent.RawBlockResponse(id, (uint)blockIndex, cipher[..^1], iv, Aes);
            case Lie.PlaintextOneByteTooLong:
                return PeerContent.RawBlockResponse(id, (uint)blockIndex, [.. plain, 0], [], PccrrCryptoAlgorithm.None);
            case Lie.WrongMessageType:
                return s_v1.BlockListResponse(new PccrrBlockRange((uint)blockIndex, 1));
            case Lie.RequestTypeEchoed:
                return WithMessageType(s_v1.BlockResponse(blockIndex), (uint)PccrrMessageType.GetBlocks);
            case Lie.TruncatedResponse:
                return s_v1.BlockResponse(blockIndex)[..^7];
            case Lie.TrailingByte:
                return [.. s_v1.BlockResponse(blockIndex), 0];
            case Lie.MissingIV:
                return PeerContent.RawBlockResponse(id, (uint)blockIndex, cipher, [], Aes);
            case Lie.IVWithoutEncryption:
                return PeerContent.RawBlockResponse(id, (uint)blockIndex, plain, iv, PccrrCryptoAlgorithm.None);
            case Lie.ShortIV:
                return PeerContent.RawBlockResponse(id, (uint)blockIndex, cipher, iv[..8], Aes);
            case Lie.UnknownMessageType:
                return WithMessageType(s_v1.BlockResponse(blockIndex), 9);
            default:
                return [];
        }
    }

    private static byte[] OtherSegmentId() => [.. s_v1.Segment.SegmentId.ToArray().Select(b => (byte)(b ^ 0xFF))];

    private static byte[] WithMessageType(byte[] response, uint type)
    {
        BinaryPrimitives.WriteUInt32BigEndian(response.AsSpan(PccrrTransportResponseHeader.Size + 4), type); // MS-PCCRR 2.2.3: MsgType
        return response;
    }

    private static byte[] WithVersion(byte[] response, uint encodedVersion)
    {
        BinaryPrimitives.WriteUInt32BigEndian(response.AsSpan(PccrrTransportResponseHeader.Size), encodedVersion); // MS-PCCRR 2.2.3: ProtVer
        return response;
    }

    private static byte[] Filled(int length)
    {
        byte[] bytes = new byte[length];
        bytes.AsSpan().Fill(Guard);
        return bytes;
    }
}
