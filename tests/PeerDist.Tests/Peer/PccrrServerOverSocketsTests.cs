using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using PeerDist.Caching;
using PeerDist.Content;
using PeerDist.Cryptography;
using PeerDist.Retrieval;
using PeerDist.Retrieval.Server;
using PeerDist.Tests.Shared;
using static PeerDist.Tests.Peer.PccrrWireBytes;

namespace PeerDist.Tests.Peer;

/// <summary>
/// The PccrrServer_* rows of wire.md §8 (WPTS BranchCache hosted-cache suite) against a real node over loopback sockets:
/// <see cref="MemoryServingNode"/> (MemoryContentCache holding real content → ContentCacheBlockSource → PccrrServer →
/// PccrrRequestHandler → PeerDistHttpServer; one test on <see cref="ServingNode"/>'s FileContentCache) receiving
/// hand-built PCCRR bytes (<see cref="PccrrWireBytes"/>) in raw HTTP POSTs (<see cref="RawHttpConnection"/>). The engine-level twins are in PeerDist.Core.Tests <c>PccrrServerRejectionTests</c>.
/// </summary>
/// <remarks>
/// <para>
/// A dropped request (wire.md §1.1) is answered on the wire with exactly
/// <c>HTTP/1.1 400 Bad Request</c>, <c>Content-Length: 0</c>, <c>Connection: close</c> and then end of stream: never a
/// PCCRR message (PccrrRequestHandler maps the engine's Drop to <c>Reject</c>, and HttpServerConnection sends the fixed
/// 400, half-closes and lingers). Each drop test then checks that the node still answers on a fresh connection.
/// </para>
/// <para>
/// Answers are decoded with the library's public message parsers, after the framing (TRANSPORT_RESPONSE_HEADER, MsgSize,
/// MsgType, ProtVer) has been checked byte by byte; blocks are decrypted with Kp derived here from the server secret
/// and the content (<see cref="IndependentBlockCrypto"/>) and compared with the original content.
/// </para>
/// </remarks>
[Category("Socket")]
public sealed class PccrrServerOverSocketsTests
{
    /// <summary>Six V1 blocks, the last one short (exercises the PKCS#7 pad of a partial block).</summary>
    private const int V1Length = (5 * PeerDistConstants.BlockSize) + 1000;

    private static readonly byte[] s_serverKey = "pccrr over sockets"u8.ToArray();
    private static readonly byte[] s_requestId = Convert.FromHexString("f0e1d2c3b4a5968778695a4b3c2d1e0f");
    private static readonly byte[] s_unknownSegmentId = Enumerable.Range(0x40, 32).Select(i => (byte)i).ToArray();

    private static readonly Lazy<(byte[] Content, ContentInformation Information)> s_v1 = new(() => Build(V1Length, ContentInformationVersion.V1, seed: 0x50c7));
    private static readonly Lazy<(byte[] Content, ContentInformation Information)> s_v2 = new(() => Build(400 * 1024, ContentInformationVersion.V2, seed: 0x50c8));

    private static ContentSegment V1Segment => s_v1.Value.Information.Segments[0];

    // ---- Drop rows: 400, no PCCRR body, connection closed, node unharmed ----

    [Test]
    [CancelAfter(10_000)]
    public async Task Post_PccrrServer_MessageHeader_MsgTypeInvalid_Http400ThenClose(CancellationToken cancellationToken)
    {
        await using MemoryServingNode node = StartV1();
        byte[] request = Patch(GetBlock(SegmentIdV1(V1Segment), 0), MsgTypeOffset, 0xFEFE);

        await AssertDroppedAsync(node, request, cancellationToken);
    }

    [TestCase(MsgNegoResp)]
    [TestCase(MsgBlkList)]
    [TestCase(MsgBlk)]
    [TestCase(MsgSegList)]
    [CancelAfter(10_000)]
    public async Task Post_ResponseMessageTypeSentAsRequest_Http400ThenClose(uint msgType, CancellationToken cancellationToken)
    {
        await using MemoryServingNode node = StartV1();
        byte[] request = Patch(GetBlock(SegmentIdV1(V1Segment), 0), MsgTypeOffset, msgType);

        await AssertDroppedAsync(node, request, cancellationToken);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task Post_PccrrServer_MessageHeader_VersionIncompatible_Http400ThenClose(CancellationToken cancellationToken)
    {
        await using MemoryServingNode node = StartV1();
        byte[] request = Negotiate(protVer: 0xFEFE_FEFE); // ProtVer 0xFEFE.0xFEFE

        await AssertDroppedAsync(node, request, cancellationToken);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task Post_PccrrServer_MessageHeader_CryptoAlgoIdInvalid_Http400ThenClose(CancellationToken cancellationToken)
    {
        await using MemoryServingNode node = StartV1();
        byte[] request = Patch(GetBlock(SegmentIdV1(V1Segment), 0), CryptoAlgoIdOffset, 0xFEFE);

        await AssertDroppedAsync(node, request, cancellationToken);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task Post_PccrrServer_GetBlocks_BlockRangeCountNotMatch_Http400ThenClose(CancellationToken cancellationToken)
    {
        await using MemoryServingNode node = StartV1();
        byte[] request = GetBlocks(SegmentIdV1(V1Segment), 10, Version1, (0u, 1u)); // ten declared, one present

        await AssertDroppedAsync(node, request, cancellationToken);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task Post_PccrrServer_GetBlockList_BlockRangeCountNotMatch_Http400ThenClose(CancellationToken cancellationToken)
    {
        await using MemoryServingNode node = StartV1();
        byte[] request = GetBlockList(SegmentIdV1(V1Segment), 10, (0u, 1u));

        await AssertDroppedAsync(node, request, cancellationToken);
    }

    [TestCase(0u)]
    [TestCase(5u)]
    [TestCase(0xFFFF_FFFFu)]
    [CancelAfter(10_000)]
    public async Task Post_PccrrServer_GetSegList_SegmentIDCountNotMatch_Http400ThenClose(uint declaredCount, CancellationToken cancellationToken)
    {
        await using MemoryServingNode node = StartV2();
        byte[] request = GetSegmentList(s_requestId, [], declaredCount, SegmentIdV2(s_v2.Value.Information.Segments[0]));

        await AssertDroppedAsync(node, request, cancellationToken);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task Post_PccrrServer_GetSegList_SegmentIDEmpty_Http400ThenClose(CancellationToken cancellationToken)
    {
        await using MemoryServingNode node = StartV2();
        byte[] request = GetSegmentList(s_requestId, []);

        await AssertDroppedAsync(node, request, cancellationToken);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task Post_GetSegListUnderVersion1Header_Http400ThenClose(CancellationToken cancellationToken)
    {
        // MSG_GETSEGLIST does not exist in 1.0 (MS-PCCRR 2.2.3 ProtVer table).
        await using MemoryServingNode node = StartV2();
        byte[] request = Patch(GetSegmentList(s_requestId, [], null, SegmentIdV2(s_v2.Value.Information.Segments[0])), 0, Version1);

        await AssertDroppedAsync(node, request, cancellationToken);
    }

    [TestCase(0)] // empty body
    [TestCase(1)]
    [TestCase(15)] // a header short by one byte
    [TestCase(16)] // the header alone
    [TestCase(52)] // up to the range count
    [TestCase(-1)] // all but the last byte (SizeOfDataForVrfBlock cut)
    [CancelAfter(10_000)]
    public async Task Post_TruncatedGetBlocks_Http400ThenClose(int prefixLength, CancellationToken cancellationToken)
    {
        await using MemoryServingNode node = StartV1();
        byte[] whole = GetBlock(SegmentIdV1(V1Segment), 0);
        byte[] request = whole[..(prefixLength < 0 ? whole.Length + prefixLength : prefixLength)];

        await AssertDroppedAsync(node, request, cancellationToken);
    }

    [TestCase(512u, 1u)] // index past a segment's 512 blocks
    [TestCase(511u, 2u)] // runs past block 511
    [TestCase(0u, 0u)] // MS-PCCRR 2.2.1.1: Count > 0
    [TestCase(0xFFFF_FFFFu, 1u)]
    [CancelAfter(10_000)]
    public async Task Post_GetBlocksRangeOutsideSegment_Http400ThenClose(uint index, uint count, CancellationToken cancellationToken)
    {
        await using MemoryServingNode node = StartV1();
        byte[] request = GetBlocks(SegmentIdV1(V1Segment), null, Version1, (index, count));

        await AssertDroppedAsync(node, request, cancellationToken);
    }

    [TestCase(0)]
    [TestCase(16)]
    [TestCase(20)]
    [CancelAfter(10_000)]
    public async Task Post_GetBlocksSegmentIdNotAHashLength_Http400ThenClose(int idLength, CancellationToken cancellationToken)
    {
        // A segment ID is a SHA-256/384/512 HoHoDk: 32, 48 or 64 bytes (MS-PCCRR 2.2.4.3 SizeOfSegmentID).
        await using MemoryServingNode node = StartV1();
        byte[] request = GetBlock(SegmentIdV1(V1Segment).AsSpan(0, idLength), 0);

        await AssertDroppedAsync(node, request, cancellationToken);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task Post_MsgSizeLargerThanBody_Http400ThenClose(CancellationToken cancellationToken)
    {
        await using MemoryServingNode node = StartV1();
        byte[] whole = GetBlock(SegmentIdV1(V1Segment), 0);
        byte[] request = Patch(whole, 8, (uint)whole.Length + 8);

        await AssertDroppedAsync(node, request, cancellationToken);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task Post_TwoMessagesInOneBody_Http400ThenClose(CancellationToken cancellationToken)
    {
        // MS-PCCRR 2.1: the body is exactly one request message.
        await using MemoryServingNode node = StartV1();
        byte[] request = [.. GetBlock(SegmentIdV1(V1Segment), 0), .. Negotiate()];

        await AssertDroppedAsync(node, request, cancellationToken);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task Post_RequestOneByteOverPccrrLimit_Http413ThenClose(CancellationToken cancellationToken)
    {
        // MS-PCCRR 2.2.3: a request message is at most 98,304 bytes; the transport refuses a larger body on its
        // Content-Length (413, before the engine sees it), still never with a PCCRR message.
        await using MemoryServingNode node = StartV1();
        byte[] request = [.. LargestGetBlockList(), 0];
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(node.EndPoint, cancellationToken);

        RawHttpResponse response = await connection.PostAsync(request, cancellationToken);

        Assert.That(response.Head, Is.EqualTo("HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
        Assert.That(response.Body, Is.Empty);
        Assert.That(await connection.ClosedByServerAsync(cancellationToken), Is.True);
    }

    // ---- Answer rows ----

    [Test]
    [CancelAfter(10_000)]
    public async Task Post_LargestLegalRequest_Answered(CancellationToken cancellationToken)
    {
        // Exactly 98,304 bytes: a GETBLKLIST naming block 0 12,281 times, answered with the one normalised range.
        await using MemoryServingNode node = StartV1();
        byte[] request = LargestGetBlockList();
        Assert.That(request, Has.Length.EqualTo(98_304));
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(node.EndPoint, cancellationToken);

        RawHttpResponse response = await connection.PostAsync(request, cancellationToken);
        PccrrBlockListResponse list = PccrrBlockListResponse.Parse(CheckFraming(response, MsgBlkList, Version1));

        Assert.That(list.BlockRanges.ToArray(), Is.EqualTo(new[] { new PccrrBlockRange(0, 1) }));
        Assert.That(list.NextBlockIndex, Is.EqualTo(1u), "the first held block past the request");
    }

    [TestCase(0u, TestName = "Post_PccrrServer_MessageHeader_CryptoAlgoIdNoEncryption_DecryptsToOriginal")]
    [TestCase(1u, TestName = "Post_PccrrServer_MessageHeader_CryptoAlgoIdAES128_DecryptsToOriginal")]
    [TestCase(2u, TestName = "Post_PccrrServer_MessageHeader_CryptoAlgoIdAES192_DecryptsToOriginal")]
    [TestCase(3u, TestName = "Post_PccrrServer_MessageHeader_CryptoAlgoIdAES256_DecryptsToOriginal")]
    [CancelAfter(10_000)]
    public async Task Post_PccrrServer_MessageHeader_CryptoAlgoId_DecryptsToOriginal(uint cryptoAlgoId, CancellationToken cancellationToken)
    {
        (byte[] content, ContentInformation information) = s_v1.Value;
        ContentSegment segment = V1Segment;
        byte[] segmentId = SegmentIdV1(segment);
        byte[] kp = SegmentSecretV1(segment);
        await using MemoryServingNode node = StartV1(new PccrrServerOptions { CryptoAlgorithm = (PccrrCryptoAlgorithm)cryptoAlgoId });
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(node.EndPoint, cancellationToken);
        byte[] received = new byte[content.Length];

        // Every block on one kept-alive connection.
        for (uint i = 0; i < segment.BlockCount; i++)
        {
            RawHttpResponse response = await connection.PostAsync(GetBlock(segmentId, i), cancellationToken);
            PccrrBlockResponse block = ParseBlock(response, cryptoAlgoId);
            ContentRange range = segment.GetBlockRange((int)i);
            byte[] plaintext = DecryptBlock(block, cryptoAlgoId, kp, (int)range.Length);

            Assert.Multiple(() =>
            {
                Assert.That(block.SegmentId.ToArray(), Is.EqualTo(segmentId));
                Assert.That(block.BlockIndex, Is.EqualTo(i));
                Assert.That(block.NextBlockIndex, Is.EqualTo(i + 1 < segment.BlockCount ? i + 1 : 0u), "next held block, 0 after the last");
            });
            plaintext.CopyTo(received, range.Start);
        }

        Assert.That(received.AsSpan().SequenceEqual(content), Is.True, "the decrypted blocks are the original content");
        Assert.That(information.Segments, Has.Count.EqualTo(1));
    }

    [TestCase(0u, TestName = "Post_PccrrServer_MessageHeader_CryptoAlgoIdNoEncryptionV2_DecryptsToOriginal")]
    [TestCase(1u, TestName = "Post_PccrrServer_MessageHeader_CryptoAlgoIdAES128V2_DecryptsToOriginal")]
    [TestCase(2u, TestName = "Post_PccrrServer_MessageHeader_CryptoAlgoIdAES192V2_DecryptsToOriginal")]
    [TestCase(3u, TestName = "Post_PccrrServer_MessageHeader_CryptoAlgoIdAES256V2_DecryptsToOriginal")]
    [CancelAfter(10_000)]
    public async Task Post_PccrrServer_MessageHeader_CryptoAlgoIdV2_DecryptsToOriginal(uint cryptoAlgoId, CancellationToken cancellationToken)
    {
        (byte[] content, ContentInformation information) = s_v2.Value;
        Assert.That(information.Segments, Has.Count.GreaterThan(1), "several V2 segments");
        await using MemoryServingNode node = StartV2(new PccrrServerOptions { CryptoAlgorithm = (PccrrCryptoAlgorithm)cryptoAlgoId });
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(node.EndPoint, cancellationToken);
        byte[] received = new byte[content.Length];

        // wire.md §1.9: each V2 segment is one PCCRR block with index 0, NextBlockIndex 0.
        foreach (ContentSegment segment in information.Segments)
        {
            RawHttpResponse response = await connection.PostAsync(GetBlock(SegmentIdV2(segment), 0), cancellationToken);
            PccrrBlockResponse block = ParseBlock(response, cryptoAlgoId);
            Assert.That((block.BlockIndex, block.NextBlockIndex), Is.EqualTo((0u, 0u)));
            DecryptBlock(block, cryptoAlgoId, SegmentSecretV2(segment), segment.Length).CopyTo(received, segment.Offset);
        }

        Assert.That(received.AsSpan().SequenceEqual(content), Is.True, "the decrypted segments are the original content");
    }

    [TestCase(0u, false, TestName = "Post_PccrrServer_MessageHeader_CryptoAlgoIdNoEncryption_HostedCacheReplay_DecryptsToOriginal")]
    [TestCase(1u, false, TestName = "Post_PccrrServer_MessageHeader_CryptoAlgoIdAES128_HostedCacheReplay_DecryptsToOriginal")]
    [TestCase(2u, false, TestName = "Post_PccrrServer_MessageHeader_CryptoAlgoIdAES192_HostedCacheReplay_DecryptsToOriginal")]
    [TestCase(3u, false, TestName = "Post_PccrrServer_MessageHeader_CryptoAlgoIdAES256_HostedCacheReplay_DecryptsToOriginal")]
    [TestCase(0u, true, TestName = "Post_PccrrServer_MessageHeader_CryptoAlgoIdNoEncryptionV2_HostedCacheReplay_DecryptsToOriginal")]
    [TestCase(1u, true, TestName = "Post_PccrrServer_MessageHeader_CryptoAlgoIdAES128V2_HostedCacheReplay_DecryptsToOriginal")]
    [TestCase(2u, true, TestName = "Post_PccrrServer_MessageHeader_CryptoAlgoIdAES192V2_HostedCacheReplay_DecryptsToOriginal")]
    [TestCase(3u, true, TestName = "Post_PccrrServer_MessageHeader_CryptoAlgoIdAES256V2_HostedCacheReplay_DecryptsToOriginal")]
    [CancelAfter(10_000)]
    public async Task Post_PccrrServer_MessageHeader_CryptoAlgoId_HostedCacheReplay_DecryptsToOriginal(uint cryptoAlgoId, bool v2, CancellationToken cancellationToken)
    {
        // The WPTS rows' own scenario: a hosted cache received every block from an offering peer encrypted with this
        // algorithm, holds no Kp (segments registered without it), stored the records, and must replay them verbatim.
        (byte[] content, ContentInformation information) = v2 ? s_v2.Value : s_v1.Value;
        var stored = new Dictionary<(int Segment, int Block), (byte[] IV, byte[] Ciphertext)>();
        await using MemoryServingNode node = MemoryServingNode.Start(cache =>
        {
            for (int s = 0; s < information.Segments.Count; s++)
            {
                ContentSegment segment = information.Segments[s];
                byte[] kp = v2 ? SegmentSecretV2(segment) : SegmentSecretV1(segment);
                SegmentMetadata withoutSecret = SegmentMetadata.Create(
                    segment.HashAlgorithm, v2 ? SegmentIdV2(segment) : SegmentIdV1(segment), segment.HashOfData.Span, [], segment.Length,
                    segment.BlockSize, segment.FirstListedBlockIndex, segment.BlockHashes.Span);
                Assert.That(withoutSecret.HasSegmentSecret, Is.False);
                Assert.That(cache.RegisterSegment(withoutSecret), Is.True);
                for (int i = 0; i < segment.BlockCount; i++)
                {
                    ContentRange range = segment.GetBlockRange(i);
                    ReadOnlySpan<byte> plaintext = content.AsSpan((int)range.Start, (int)range.Length);
                    byte[] iv = cryptoAlgoId == 0 ? [] : Enumerable.Range((s * 37) + (i * 16), 16).Select(b => (byte)b).ToArray();
                    byte[] ciphertext = cryptoAlgoId == 0 ? plaintext.ToArray() : IndependentBlockCrypto.Encrypt(cryptoAlgoId, kp, iv, plaintext);
                    stored[(s, i)] = (iv, ciphertext);
                    Assert.That(cache.PutEncryptedBlock(segment.SegmentId.Span, i, new EncryptedBlock((int)cryptoAlgoId, iv, ciphertext)), Is.EqualTo(BlockPutResult.Stored));
                }
            }
        });
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(node.EndPoint, cancellationToken);
        byte[] received = new byte[content.Length];

        for (int s = 0; s < information.Segments.Count; s++)
        {
            ContentSegment segment = information.Segments[s];
            byte[] kp = v2 ? SegmentSecretV2(segment) : SegmentSecretV1(segment);
            for (int i = 0; i < segment.BlockCount; i++)
            {
                RawHttpResponse response = await connection.PostAsync(GetBlock(segment.SegmentId.Span, (uint)i), cancellationToken);
                PccrrBlockResponse block = ParseBlock(response, cryptoAlgoId);
                ContentRange range = segment.GetBlockRange(i);

                Assert.That(block.IV.ToArray(), Is.EqualTo(stored[(s, i)].IV), "the stored IV, replayed");
                Assert.That(block.Block.ToArray(), Is.EqualTo(stored[(s, i)].Ciphertext), "the stored ciphertext, replayed");
                DecryptBlock(block, cryptoAlgoId, kp, (int)range.Length).CopyTo(received, range.Start);
            }
        }

        Assert.That(received.AsSpan().SequenceEqual(content), Is.True, "the replayed blocks decrypt to the original content");
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task Post_PccrrServer_GetBlocks_BlockRangesEmpty_MsgBlkWithEmptyBlock(CancellationToken cancellationToken)
    {
        await using MemoryServingNode node = StartV1();
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(node.EndPoint, cancellationToken);

        RawHttpResponse response = await connection.PostAsync(GetBlocks(SegmentIdV1(V1Segment)), cancellationToken);
        PccrrBlockResponse block = ParseBlock(response, cryptoAlgoId: 0);

        Assert.That((block.Block.Length, block.IV.Length, block.BlockIndex, block.NextBlockIndex), Is.EqualTo((0L, 0, 0u, 0u)));
        Assert.That(block.SegmentId.ToArray(), Is.EqualTo(SegmentIdV1(V1Segment)));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task Post_PccrrServer_GetBlockList_BlockRangesEmpty_MsgBlkListWithNoRanges(CancellationToken cancellationToken)
    {
        await using MemoryServingNode node = StartV1();
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(node.EndPoint, cancellationToken);

        RawHttpResponse response = await connection.PostAsync(GetBlockList(SegmentIdV1(V1Segment)), cancellationToken);
        PccrrBlockListResponse list = PccrrBlockListResponse.Parse(CheckFraming(response, MsgBlkList, Version1));

        Assert.That(list.BlockRanges.Length, Is.Zero);
        Assert.That(list.NextBlockIndex, Is.Zero);
        Assert.That(list.SegmentId.ToArray(), Is.EqualTo(SegmentIdV1(V1Segment)));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task Post_GetBlockListPartlyHeldUnsortedRanges_NormalisedIntersection(CancellationToken cancellationToken)
    {
        // The node holds blocks 0, 1, 3, 4 of six; the request names 4..5 then 0..2.
        await using MemoryServingNode node = StartV1(hold: (_, block) => block is 0 or 1 or 3 or 4);
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(node.EndPoint, cancellationToken);

        RawHttpResponse response = await connection.PostAsync(GetBlockList(SegmentIdV1(V1Segment), null, (4u, 2u), (0u, 3u)), cancellationToken);
        PccrrBlockListResponse list = PccrrBlockListResponse.Parse(CheckFraming(response, MsgBlkList, Version1));

        Assert.That(list.BlockRanges.ToArray(), Is.EqualTo(new[] { new PccrrBlockRange(0, 2), new PccrrBlockRange(4, 1) }));
        Assert.That(list.NextBlockIndex, Is.Zero, "nothing held past the requested ranges");
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task Post_PccrrServer_GetSegList_ExtensibleBlob_SegmentListAnswered(CancellationToken cancellationToken)
    {
        ContentInformation information = s_v2.Value.Information;
        await using MemoryServingNode node = StartV2();
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(node.EndPoint, cancellationToken);
        byte[] blob = SegmentAgeBlob(units: 3, segmentIndex: 0, age: 1234); // hundredths of a second

        // Held, unknown, held: the answer's ranges index the request's ID array.
        byte[] request = GetSegmentList(s_requestId, blob, null, SegmentIdV2(information.Segments[0]), s_unknownSegmentId, SegmentIdV2(information.Segments[1]));
        RawHttpResponse response = await connection.PostAsync(request, cancellationToken);
        PccrrSegmentListResponse list = PccrrSegmentListResponse.Parse(CheckFraming(response, MsgSegList, Version2));

        Assert.That(list.RequestId.ToArray(), Is.EqualTo(s_requestId), "RequestID echoed verbatim");
        Assert.That(list.SegmentRanges.ToArray(), Is.EqualTo(new[] { new PccrrSegmentRange(0, 1), new PccrrSegmentRange(2, 1) }));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task Post_NegotiateRequest_NegotiateResponseWithServerVersions(CancellationToken cancellationToken)
    {
        await using MemoryServingNode node = StartV1();
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(node.EndPoint, cancellationToken);

        RawHttpResponse response = await connection.PostAsync(Negotiate(), cancellationToken);
        byte[] body = CheckFraming(response, MsgNegoResp, Version1);

        // MS-PCCRR 2.2.5.1: MinSupportedProtocolVersion, MaxSupportedProtocolVersion after the 16-byte header.
        Assert.That(body, Has.Length.EqualTo(4 + 16 + 8));
        Assert.That(BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(20)), Is.EqualTo(Version1));
        Assert.That(BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(24)), Is.EqualTo(Version2));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task Post_GetBlocksWithUnsupportedMajorVersion_NegotiateResponse(CancellationToken cancellationToken)
    {
        // MS-PCCRR 3.2.5 step 1: a request in an unsupported major version is answered with MSG_NEGO_RESP, not dropped.
        await using MemoryServingNode node = StartV1();
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(node.EndPoint, cancellationToken);

        RawHttpResponse response = await connection.PostAsync(GetBlocks(SegmentIdV1(V1Segment), null, 0x0000_0003, (0u, 1u)), cancellationToken);
        PccrrNegotiateResponse negotiate = PccrrNegotiateResponse.Parse(CheckFraming(response, MsgNegoResp, Version1));

        Assert.That((negotiate.MinSupportedVersion, negotiate.MaxSupportedVersion), Is.EqualTo((PccrrVersion.V1, PccrrVersion.V2)));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task Post_GetBlocksForUnknownSegment_SizeOfBlockZero(CancellationToken cancellationToken)
    {
        await using MemoryServingNode node = StartV1();
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(node.EndPoint, cancellationToken);

        RawHttpResponse response = await connection.PostAsync(GetBlock(s_unknownSegmentId, 2), cancellationToken);
        PccrrBlockResponse block = ParseBlock(response, cryptoAlgoId: 0);

        Assert.That((block.Block.Length, block.IV.Length, block.BlockIndex, block.NextBlockIndex), Is.EqualTo((0L, 0, 2u, 0u)));
    }

    // ---- Transport behaviour: busy threshold, keep-alive, pipelining, recovery ----

    [Test]
    [CancelAfter(10_000)]
    public async Task Post_ServerAtBusyThreshold_EmptyAnswersUntilTheSlotFrees(CancellationToken cancellationToken)
    {
        using var gate = new BlockReadGate();
        byte[] segmentId = SegmentIdV1(V1Segment);
        byte[] kp = SegmentSecretV1(V1Segment);
        await using MemoryServingNode node = StartV1(new PccrrServerOptions { MaxActiveClients = 1 }, wrapSource: source => new GatedBlockSource(source, gate));
        try
        {
            using RawHttpConnection held = await RawHttpConnection.ConnectAsync(node.EndPoint, cancellationToken);
            using RawHttpConnection other = await RawHttpConnection.ConnectAsync(node.EndPoint, cancellationToken);

            // Connection 1's GETBLKS enters the engine and stops in the block read, holding the only slot.
            gate.Arm();
            await held.SendAsync(RawHttpConnection.Post(GetBlock(segmentId, 2)), cancellationToken);
            Assert.That(gate.Entered.Wait(RawHttpConnection.OperationTimeout, cancellationToken), Is.True, "the held request reached the block source");
            Assert.That(node.Server.ActiveClientCount, Is.EqualTo(1));

            // MS-PCCRR 3.2.1: at the threshold every request gets the empty answer; negotiation is not counted.
            PccrrBlockResponse busyBlock = ParseBlock(await other.PostAsync(GetBlock(segmentId, 3), cancellationToken), cryptoAlgoId: 0);
            PccrrBlockListResponse busyList = PccrrBlockListResponse.Parse(
                CheckFraming(await other.PostAsync(GetBlockList(segmentId, null, (0u, 6u)), cancellationToken), MsgBlkList, Version1));
            PccrrSegmentListResponse busySegments = PccrrSegmentListResponse.Parse(
                CheckFraming(await other.PostAsync(GetSegmentList(s_requestId, [], null, segmentId), cancellationToken), MsgSegList, Version2));
            PccrrNegotiateResponse negotiated = PccrrNegotiateResponse.Parse(
                CheckFraming(await other.PostAsync(Negotiate(), cancellationToken), MsgNegoResp, Version1));

            Assert.Multiple(() =>
            {
                Assert.That((busyBlock.Block.Length, busyBlock.IV.Length, busyBlock.BlockIndex), Is.EqualTo((0L, 0, 3u)), "busy MSG_BLK: SizeOfBlock 0");
                Assert.That(busyList.BlockRanges.Length, Is.Zero, "busy MSG_BLKLIST: no ranges");
                Assert.That(busySegments.SegmentRanges.Length, Is.Zero, "busy MSG_SEGLIST: no ranges");
                Assert.That(busySegments.RequestId.ToArray(), Is.EqualTo(s_requestId));
                Assert.That(negotiated.MaxSupportedVersion, Is.EqualTo(PccrrVersion.V2));
            });

            // The held request completes with its block once released; then the slot is free again.
            gate.Release.Set();
            PccrrBlockResponse heldBlock = ParseBlock(await held.ReadResponseAsync(cancellationToken), cryptoAlgoId: 1);
            PccrrBlockResponse after = ParseBlock(await other.PostAsync(GetBlock(segmentId, 3), cancellationToken), cryptoAlgoId: 1);

            Assert.Multiple(() =>
            {
                Assert.That(DecryptBlock(heldBlock, 1, kp, PeerDistConstants.BlockSize), Is.EqualTo(s_v1.Value.Content.AsSpan(2 * PeerDistConstants.BlockSize, PeerDistConstants.BlockSize).ToArray()));
                Assert.That(DecryptBlock(after, 1, kp, PeerDistConstants.BlockSize), Is.EqualTo(s_v1.Value.Content.AsSpan(3 * PeerDistConstants.BlockSize, PeerDistConstants.BlockSize).ToArray()));
                Assert.That(node.Server.ActiveClientCount, Is.Zero);
            });
        }
        finally
        {
            // Never leave the engine blocked in the source: the node's shutdown would wait for it.
            gate.Release.Set();
        }
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task Post_EveryExchangeOnOneKeepAliveConnection_AllAnsweredInTurn(CancellationToken cancellationToken)
    {
        ContentSegment segment = V1Segment;
        byte[] segmentId = SegmentIdV1(segment);

        // This one runs on the on-disk cache (ServingNode: FileContentCache), the others on MemoryContentCache.
        await using ServingNode node = ServingNode.Start(s_v1.Value.Information, s_v1.Value.Content);
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(node.EndPoint, cancellationToken);

        RawHttpResponse negotiate = await connection.PostAsync(Negotiate(), cancellationToken);
        RawHttpResponse list = await connection.PostAsync(GetBlockList(segmentId, null, (0u, 512u)), cancellationToken);
        RawHttpResponse segments = await connection.PostAsync(GetSegmentList(s_requestId, [], null, segmentId), cancellationToken);
        var blocks = new List<RawHttpResponse>();
        for (uint i = 0; i < segment.BlockCount; i++)
        {
            blocks.Add(await connection.PostAsync(GetBlock(segmentId, i), cancellationToken));
        }

        Assert.Multiple(() =>
        {
            Assert.That(PccrrNegotiateResponse.Parse(CheckFraming(negotiate, MsgNegoResp, Version1)).MinSupportedVersion, Is.EqualTo(PccrrVersion.V1));
            Assert.That(PccrrBlockListResponse.Parse(CheckFraming(list, MsgBlkList, Version1)).BlockRanges.ToArray(), Is.EqualTo(new[] { new PccrrBlockRange(0, 6) }));
            Assert.That(PccrrSegmentListResponse.Parse(CheckFraming(segments, MsgSegList, Version2)).SegmentRanges.ToArray(), Is.EqualTo(new[] { new PccrrSegmentRange(0, 1) }));
            Assert.That(blocks.Select(b => ParseBlock(b, cryptoAlgoId: 1).BlockIndex), Is.EqualTo(new uint[] { 0, 1, 2, 3, 4, 5 }));
        });
        await AssertStillServesAsync(node.EndPoint, cancellationToken);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task Post_PipelinedRequestsInOneSend_AnsweredInOrder(CancellationToken cancellationToken)
    {
        ContentSegment segment = V1Segment;
        byte[] segmentId = SegmentIdV1(segment);
        byte[] kp = SegmentSecretV1(segment);
        await using MemoryServingNode node = StartV1();
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(node.EndPoint, cancellationToken);

        uint[] order = [5, 0, 3];
        await connection.SendAsync(order.SelectMany(i => RawHttpConnection.Post(GetBlock(segmentId, i))).ToArray(), cancellationToken);

        foreach (uint i in order)
        {
            PccrrBlockResponse block = ParseBlock(await connection.ReadResponseAsync(cancellationToken), cryptoAlgoId: 1);
            ContentRange range = segment.GetBlockRange((int)i);
            Assert.That(block.BlockIndex, Is.EqualTo(i));
            Assert.That(DecryptBlock(block, 1, kp, (int)range.Length), Is.EqualTo(s_v1.Value.Content.AsSpan((int)range.Start, (int)range.Length).ToArray()));
        }
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task Post_MalformedMessageOnKeepAliveConnection_400ThenCloseAndNextConnectionServed(CancellationToken cancellationToken)
    {
        byte[] segmentId = SegmentIdV1(V1Segment);
        await using MemoryServingNode node = StartV1();

        // The rejected connection stays open on the client side (the server lingers on it) while the next one is served.
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(node.EndPoint, cancellationToken);

        // A valid exchange keeps the connection open ...
        RawHttpResponse first = await connection.PostAsync(GetBlock(segmentId, 1), cancellationToken);
        Assert.That(ParseBlock(first, cryptoAlgoId: 1).BlockIndex, Is.EqualTo(1u));

        // ... then a malformed message, with a valid one pipelined right behind it: the malformed one gets the 400
        // and the connection ends there; the pipelined request is never answered.
        byte[] malformed = GetBlocks(segmentId, 10, Version1, (0u, 1u));
        byte[] both = [.. RawHttpConnection.Post(malformed), .. RawHttpConnection.Post(GetBlock(segmentId, 2))];
        await connection.SendAsync(both, cancellationToken);
        RawHttpResponse rejected = await connection.ReadResponseAsync(cancellationToken);

        AssertBadRequestHead(rejected);
        Assert.That(await connection.ClosedByServerAsync(cancellationToken), Is.True, "closed right after the 400, nothing else sent");

        // A new connection, and more than one request on it, are served normally.
        using RawHttpConnection next = await RawHttpConnection.ConnectAsync(node.EndPoint, cancellationToken);
        for (uint i = 0; i < 3; i++)
        {
            RawHttpResponse response = await next.PostAsync(GetBlock(segmentId, i), cancellationToken);
            PccrrBlockResponse block = ParseBlock(response, cryptoAlgoId: 1);
            Assert.That(DecryptBlock(block, 1, SegmentSecretV1(V1Segment), PeerDistConstants.BlockSize), Is.EqualTo(s_v1.Value.Content.AsSpan((int)i * PeerDistConstants.BlockSize, PeerDistConstants.BlockSize).ToArray()));
        }

        Assert.That(node.Server.ActiveClientCount, Is.Zero);
    }

    [TestCase(1)]
    [TestCase(7)]
    [TestCase(4096)]
    [CancelAfter(10_000)]
    public async Task Post_ChunkedRequestBody_AnsweredLikeContentLength(int chunkSize, CancellationToken cancellationToken)
    {
        byte[] segmentId = SegmentIdV1(V1Segment);
        await using MemoryServingNode node = StartV1();
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(node.EndPoint, cancellationToken);

        await connection.SendAsync(RawHttpConnection.PostChunked(GetBlockList(segmentId, null, (1u, 2u), (5u, 1u)), chunkSize), cancellationToken);
        PccrrBlockListResponse list = PccrrBlockListResponse.Parse(CheckFraming(await connection.ReadResponseAsync(cancellationToken), MsgBlkList, Version1));

        Assert.That(list.BlockRanges.ToArray(), Is.EqualTo(new[] { new PccrrBlockRange(1, 2), new PccrrBlockRange(5, 1) }));
    }

    // ---- Helpers ----

    private static (byte[] Content, ContentInformation Information) Build(int length, ContentInformationVersion version, ulong seed)
    {
        byte[] content = PseudoRandomContent.Create(seed, length);
        using ServerSecret secret = ServerSecret.FromKey(s_serverKey);
        ContentInformation information = ContentInformationBuilder.Create(
            (ReadOnlyMemory<byte>)content, secret, new ContentInformationBuilderOptions { Version = version, MaxDegreeOfParallelism = 1 });
        return (content, information);
    }

    /// <summary>A GETBLKLIST of exactly 98,304 bytes (the MS-PCCRR request maximum): 56 bytes of header and ID, then 12,281 ranges.</summary>
    private static byte[] LargestGetBlockList() =>
        GetBlockList(SegmentIdV1(V1Segment), null, Enumerable.Repeat((0u, 1u), (98_304 - 56) / 8).ToArray());

    private static MemoryServingNode StartV1(PccrrServerOptions? options = null, Func<ContentSegment, int, bool>? hold = null, Func<IBlockSource, IBlockSource>? wrapSource = null) =>
        MemoryServingNode.Start(s_v1.Value.Information, s_v1.Value.Content, options, hold, wrapSource);

    private static MemoryServingNode StartV2(PccrrServerOptions? options = null) =>
        MemoryServingNode.Start(s_v2.Value.Information, s_v2.Value.Content, options);

    /// <summary>Kp of a V1 segment derived here from the server secret and the content, checked against the content information.</summary>
    private static byte[] SegmentSecretV1(ContentSegment segment)
    {
        Assert.That(segment.HashAlgorithm, Is.EqualTo(ContentHashAlgorithm.Sha256));
        byte[] hashOfData = IndependentBlockCrypto.HashOfDataV1(s_v1.Value.Content.AsSpan((int)segment.Offset, segment.Length));
        Assert.That(hashOfData, Is.EqualTo(segment.HashOfData.ToArray()), "HoD = SHA-256(block hashes)");
        byte[] kp = IndependentBlockCrypto.SegmentSecretV1(s_serverKey, hashOfData);
        Assert.That(kp, Is.EqualTo(segment.SegmentSecret.ToArray()), "Kp = HMAC-SHA-256(SHA-256(key), HoD)");
        return kp;
    }

    /// <summary>The V1 segment ID (HoHoDk) derived here, checked against the content information.</summary>
    private static byte[] SegmentIdV1(ContentSegment segment)
    {
        byte[] id = IndependentBlockCrypto.SegmentIdV1(SegmentSecretV1(segment), segment.HashOfData.Span);
        Assert.That(id, Is.EqualTo(segment.SegmentId.ToArray()), "HoHoDk = HMAC-SHA-256(Kp, HoD ‖ label)");
        return id;
    }

    private static byte[] SegmentSecretV2(ContentSegment segment)
    {
        byte[] hashOfData = IndependentBlockCrypto.HashOfDataV2(s_v2.Value.Content.AsSpan((int)segment.Offset, segment.Length));
        Assert.That(hashOfData, Is.EqualTo(segment.HashOfData.ToArray()), "HoD = SHA-512(segment)[..32]");
        byte[] kp = IndependentBlockCrypto.SegmentSecretV2(s_serverKey, hashOfData);
        Assert.That(kp, Is.EqualTo(segment.SegmentSecret.ToArray()), "Kp = HMAC-SHA-512(SHA-512(key)[..32], HoD)[..32]");
        return kp;
    }

    private static byte[] SegmentIdV2(ContentSegment segment)
    {
        byte[] id = IndependentBlockCrypto.SegmentIdV2(SegmentSecretV2(segment), segment.HashOfData.Span);
        Assert.That(id, Is.EqualTo(segment.SegmentId.ToArray()), "HoHoDk = HMAC-SHA-512(Kp, HoD ‖ label)[..32]");
        return id;
    }

    /// <summary>
    /// Checks a 200 answer carrying one PCCRR response, byte by byte: kept alive, TRANSPORT_RESPONSE_HEADER Size = the
    /// rest of the body = MsgSize, and the expected MsgType and ProtVer. Returns the body for the message parser.
    /// </summary>
    private static byte[] CheckFraming(RawHttpResponse response, uint msgType, uint protVer)
    {
        byte[] body = response.Body;
        Assert.That(response.StatusCode, Is.EqualTo(200), response.Head);
        Assert.That(response.ConnectionClose, Is.False, "a PCCRR answer keeps the connection open");
        Assert.That(body, Has.Length.GreaterThanOrEqualTo(4 + 16));
        uint size = BinaryPrimitives.ReadUInt32BigEndian(body); // TRANSPORT_RESPONSE_HEADER Size
        Assert.Multiple(() =>
        {
            Assert.That(size, Is.EqualTo((uint)(body.Length - 4)), "Size = the message that follows");
            Assert.That(BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(4)), Is.EqualTo(protVer), "ProtVer");
            Assert.That(BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(8)), Is.EqualTo(msgType), "MsgType");
            Assert.That(BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(12)), Is.EqualTo(size), "MsgSize");
        });
        return body;
    }

    /// <summary>An MSG_BLK answer: framing, CryptoAlgoId in its header, and the IV length the algorithm needs (none for a miss).</summary>
    private static PccrrBlockResponse ParseBlock(RawHttpResponse response, uint cryptoAlgoId)
    {
        byte[] body = CheckFraming(response, MsgBlk, Version1);
        PccrrBlockResponse block = PccrrBlockResponse.Parse(body);
        Assert.That(BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(16)), Is.EqualTo(block.Block.IsEmpty ? 0u : cryptoAlgoId), "CryptoAlgoId actually used");
        Assert.That(block.IV.Length, Is.EqualTo(block.Block.IsEmpty || cryptoAlgoId == 0 ? 0 : 16), "SizeOfIVBlock");
        return block;
    }

    /// <summary>The plaintext of a served block: decrypted independently (or taken as is for CryptoAlgoId 0), length checked.</summary>
    private static byte[] DecryptBlock(PccrrBlockResponse block, uint cryptoAlgoId, byte[] kp, int plaintextLength)
    {
        byte[] data = block.Block.ToArray();
        if (cryptoAlgoId == 0)
        {
            Assert.That(data, Has.Length.EqualTo(plaintextLength), "a plaintext block is sent as is");
            return data;
        }

        Assert.That(data, Has.Length.EqualTo(IndependentBlockCrypto.PaddedLength(plaintextLength)), "SizeOfBlock = the PKCS#7-padded length");
        byte[] plaintext = IndependentBlockCrypto.Decrypt(cryptoAlgoId, kp, block.IV.Span, data);
        Assert.That(plaintext, Has.Length.EqualTo(plaintextLength));
        return plaintext;
    }

    private static void AssertBadRequestHead(RawHttpResponse response)
    {
        Assert.Multiple(() =>
        {
            Assert.That(response.Head, Is.EqualTo("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
            Assert.That(response.Body, Is.Empty, "never answered with a PCCRR message");
        });
    }

    /// <summary>
    /// A dropped request on the wire: 400 with an empty body and <c>Connection: close</c>, then end of stream; the engine's
    /// count is back to 0, and the node still answers a fresh connection.
    /// </summary>
    private static async Task AssertDroppedAsync(MemoryServingNode node, byte[] request, CancellationToken cancellationToken)
    {
        using (RawHttpConnection connection = await RawHttpConnection.ConnectAsync(node.EndPoint, cancellationToken))
        {
            RawHttpResponse response = await connection.PostAsync(request, cancellationToken);

            AssertBadRequestHead(response);
            Assert.That(await connection.ClosedByServerAsync(cancellationToken), Is.True, "the server closes after the 400");
        }

        Assert.That(node.Server.ActiveClientCount, Is.Zero);
        await AssertStillServesAsync(node.EndPoint, cancellationToken);
    }

    private static async Task AssertStillServesAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(endPoint, cancellationToken);
        RawHttpResponse response = await connection.PostAsync(Negotiate(), cancellationToken);
        Assert.That(PccrrNegotiateResponse.Parse(CheckFraming(response, MsgNegoResp, Version1)).MaxSupportedVersion, Is.EqualTo(PccrrVersion.V2));
    }

    private sealed class BlockReadGate : IDisposable
    {
        private int _armed;

        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public void Arm() => Volatile.Write(ref _armed, 1);

        /// <summary>True once, for the first read after <see cref="Arm"/>.</summary>
        public bool TryTake() => Interlocked.Exchange(ref _armed, 0) == 1;

        public void Dispose()
        {
            Release.Set();
            Entered.Dispose();
            Release.Dispose();
        }
    }

    /// <summary>Stops the armed plaintext read inside the engine (a slow upload) until released, bounded so it cannot hang.</summary>
    private sealed class GatedBlockSource(IBlockSource inner, BlockReadGate gate) : IBlockSource
    {
        public bool ContainsSegment(ReadOnlySpan<byte> segmentId) => inner.ContainsSegment(segmentId);

        public bool ContainsBlock(ReadOnlySpan<byte> segmentId, uint blockIndex) => inner.ContainsBlock(segmentId, blockIndex);

        public bool TryGetBlock(ReadOnlySpan<byte> segmentId, uint blockIndex, out BlockSourceBlock block) => inner.TryGetBlock(segmentId, blockIndex, out block);

        public bool TryReadPlaintext(ReadOnlySpan<byte> segmentId, uint blockIndex, Span<byte> destination)
        {
            if (gate.TryTake())
            {
                gate.Entered.Set();
                gate.Release.Wait(TimeSpan.FromSeconds(5));
            }

            return inner.TryReadPlaintext(segmentId, blockIndex, destination);
        }

        public bool TryReadSegmentSecret(ReadOnlySpan<byte> segmentId, Span<byte> destination, out int bytesWritten) =>
            inner.TryReadSegmentSecret(segmentId, destination, out bytesWritten);

        public bool TryReadEncrypted(ReadOnlySpan<byte> segmentId, uint blockIndex, Span<byte> ciphertext, Span<byte> iv) =>
            inner.TryReadEncrypted(segmentId, blockIndex, ciphertext, iv);

        public bool TryGetSegmentAge(ReadOnlySpan<byte> segmentId, out TimeSpan age) => inner.TryGetSegmentAge(segmentId, out age);

        public bool TryFindHeldBlock(ReadOnlySpan<byte> segmentId, uint startIndex, out uint blockIndex) =>
            inner.TryFindHeldBlock(segmentId, startIndex, out blockIndex);
    }
}
