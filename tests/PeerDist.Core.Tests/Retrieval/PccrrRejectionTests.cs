using System.Buffers;
using System.Buffers.Binary;
using PeerDist.Retrieval;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Retrieval;

/// <summary>
/// One test per rejection reason of the PCCRR readers, each a documented change to a vector (offsets are those of the
/// layouts in wire.md §1.3–1.5; responses count the 4-byte TRANSPORT_RESPONSE_HEADER). Every rejection is checked through
/// the frame decoder (InvalidData, nothing consumed) and through the span Parse path (same reason and offset).
/// </summary>
public class PccrrRejectionTests
{
    private const string NegoReq = "derived-nego-req";
    private const string GetBlks = "derived-getblks-block5";
    private const string GetBlkList = "derived-getblklist-two-ranges";
    private const string BlkList = "derived-blklist-one-range";
    private const string BlkNotFound = "derived-blk-not-found";
    private const string GetSegList = "derived-getseglist-one-segment";

    [TestCase(NegoReq, 4, 8u, PeerDistFormatError.UnknownMessageType, 4)] // MsgType 8 is undefined
    [TestCase(NegoReq, 4, 0xFEFEu, PeerDistFormatError.UnknownMessageType, 4)] // WPTS MessageHeader_MsgTypeInvalid
    [TestCase(BlkNotFound, 8, 9u, PeerDistFormatError.UnknownMessageType, 8)]
    [TestCase(GetBlks, 4, 5u, PeerDistFormatError.UnexpectedMessageType, 4)] // MSG_BLK where a request belongs
    [TestCase(BlkList, 8, 3u, PeerDistFormatError.UnexpectedMessageType, 8)] // MSG_GETBLKS where a response belongs
    [TestCase(GetBlks, 12, 4u, PeerDistFormatError.InvalidCryptoAlgorithm, 12)] // CryptoAlgoId 4
    [TestCase(BlkNotFound, 16, 0xFEFEu, PeerDistFormatError.InvalidCryptoAlgorithm, 16)] // WPTS MessageHeader_CryptoAlgoIdInvalid
    [TestCase(GetBlks, 8, 15u, PeerDistFormatError.MessageSizeMismatch, 8)] // MsgSize below the header
    [TestCase(BlkList, 12, 0x48u, PeerDistFormatError.MessageSizeMismatch, 12)] // MsgSize disagrees with the transport Size
    [TestCase(BlkList, 0, 15u, PeerDistFormatError.MessageSizeMismatch, 0)] // transport Size below a header
    [TestCase(GetBlks, 52, 10u, PeerDistFormatError.MessageSizeMismatch, 56)] // WPTS GetBlocks_BlockRangeCountNotMatch
    [TestCase(GetBlkList, 52, 10u, PeerDistFormatError.MessageSizeMismatch, 56)] // WPTS GetBlockList_BlockRangeCountNotMatch
    [TestCase(GetBlkList, 52, 0xFFFF_FFFFu, PeerDistFormatError.MessageSizeMismatch, 56)] // count checked before allocating
    [TestCase(GetBlks, 64, 1u, PeerDistFormatError.MessageSizeMismatch, 68)] // SizeOfDataForVrfBlock past MsgSize
    [TestCase(GetSegList, 32, 2u, PeerDistFormatError.MessageSizeMismatch, 36)] // WPTS GetSegList_SegmentIDCountNotMatch
    [TestCase(GetSegList, 32, 0xFFFF_FFFFu, PeerDistFormatError.MessageSizeMismatch, 36)]
    [TestCase(GetSegList, 72, 4u, PeerDistFormatError.MessageSizeMismatch, 76)] // SizeOfExtensibleBlob past MsgSize
    [TestCase(BlkNotFound, 64, 9u, PeerDistFormatError.MessageSizeMismatch, 68)] // SizeOfBlock past MsgSize
    [TestCase(BlkNotFound, 72, 16u, PeerDistFormatError.MessageSizeMismatch, 76)] // SizeOfIVBlock past MsgSize
    [TestCase(GetBlks, 60, 0u, PeerDistFormatError.InvalidBlockRange, 56)] // BLOCK_RANGE Count 0
    [TestCase(GetBlks, 56, 512u, PeerDistFormatError.InvalidBlockRange, 56)] // BLOCK_RANGE Index 512
    [TestCase(GetBlkList, 64, 511u, PeerDistFormatError.InvalidBlockRange, 64)] // [511, 2] ends past block 511
    [TestCase(BlkNotFound, 56, 512u, PeerDistFormatError.InvalidBlockRange, 56)] // BlockIndex 512
    [TestCase(BlkNotFound, 60, 0xFFFF_FFFFu, PeerDistFormatError.InvalidBlockRange, 60)] // NextBlockIndex
    [TestCase(BlkList, 68, 512u, PeerDistFormatError.InvalidBlockRange, 68)] // NextBlockIndex
    [TestCase(GetBlks, 16, 31u, PeerDistFormatError.InvalidSegmentIdLength, 16)]
    [TestCase(GetBlks, 16, 0u, PeerDistFormatError.InvalidSegmentIdLength, 16)]
    [TestCase(GetBlks, 16, 16u, PeerDistFormatError.InvalidSegmentIdLength, 16)]
    [TestCase(GetBlks, 16, 0xFFFF_FFFFu, PeerDistFormatError.InvalidSegmentIdLength, 16)]
    [TestCase(BlkNotFound, 20, 33u, PeerDistFormatError.InvalidSegmentIdLength, 20)]
    [TestCase(GetSegList, 36, 65u, PeerDistFormatError.InvalidSegmentIdLength, 36)]
    public void TryRead_MutatedField_IsRejected(string vectorName, int offset, uint value, PeerDistFormatError reason, long errorOffset)
    {
        TestVectors.Vector vector = TestVectors.Load(PccrrTestData.Folder, vectorName);
        byte[] bytes = PccrcTestData.WithUInt32BigEndian(vector.Bytes, offset, value);

        AssertRejected(bytes, PccrrTestData.IsResponse(vector), reason, errorOffset);
    }

    [TestCase(GetBlks, 16, 48)] // SizeOfSegmentID 48 (SHA-384 digest)
    [TestCase(GetBlks, 16, 64)] // SizeOfSegmentID 64 (SHA-512 digest)
    public void TryRead_SegmentIdOfOtherDigestSize_IsAccepted(string vectorName, int offset, int idLength)
    {
        byte[] id = [.. Enumerable.Range(0, idLength).Select(i => (byte)i)];
        var message = new PccrrGetBlocksRequest(id, new[] { new PccrrBlockRange(5, 1) });
        byte[] bytes = new byte[message.GetEncodedLength()];
        message.TryWrite(bytes, out _);

        PccrrMessage decoded = PccrrTestData.Decode(bytes, response: false);

        Assert.That(BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset)), Is.EqualTo((uint)idLength), vectorName);
        Assert.That(decoded.GetBlocks.SegmentId.ToArray(), Is.EqualTo(id));
    }

    [TestCase(0u, 512u)] // the whole segment
    [TestCase(511u, 1u)] // the last block
    public void TryRead_BlockRangeAtTheLimits_IsAccepted(uint index, uint count)
    {
        byte[] bytes = TestVectors.Load(PccrrTestData.Folder, GetBlks).Bytes;
        bytes = PccrcTestData.WithUInt32BigEndian(bytes, 56, index);
        bytes = PccrcTestData.WithUInt32BigEndian(bytes, 60, count);

        Assert.That(PccrrTestData.Decode(bytes, response: false).GetBlocks.BlockRanges[0], Is.EqualTo(new PccrrBlockRange(index, count)));
    }

    [Test]
    public void TryReadRequest_HeaderDeclaringMoreThanTheLimit_IsRejectedBeforeTheBody()
    {
        // MS-PCCRR 2.2.3: a request is at most 98,304 bytes. Only the 16 header bytes are present: no waiting for the body.
        byte[] header = PccrcTestData.WithUInt32BigEndian(TestVectors.Load(PccrrTestData.Folder, GetBlks).Bytes[..16], 8, 98_305);

        AssertRejected(header, response: false, PeerDistFormatError.MessageTooLarge, 8, checkSpanPath: false);
        AssertRejected(PccrcTestData.WithUInt32BigEndian(header, 8, uint.MaxValue), response: false, PeerDistFormatError.MessageTooLarge, 8, checkSpanPath: false);
    }

    [Test]
    public void TryReadRequest_HeaderDeclaringExactlyTheLimit_WaitsForTheBody()
    {
        byte[] header = PccrcTestData.WithUInt32BigEndian(TestVectors.Load(PccrrTestData.Folder, GetBlks).Bytes[..16], 8, 98_304);

        OperationStatus status = PccrrFrameDecoderTests.Read(new ReadOnlySequence<byte>(header), response: false, out _, out _, out _, out _);

        Assert.That(status, Is.EqualTo(OperationStatus.NeedMoreData));
    }

    [Test]
    public void TryReadResponse_TransportSizeAboveTheLimit_IsRejectedAfterFourBytes()
    {
        // MS-PCCRR 2.2.3: a response is at most 393,216 bytes; the transport header alone is enough to refuse it.
        byte[] four = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(four, 393_217);

        AssertRejected(four, response: true, PeerDistFormatError.MessageTooLarge, 0, checkSpanPath: false);
    }

    [Test]
    public void TryRead_SmallerConfiguredLimit_RejectsAValidMessage()
    {
        var options = new PccrrReaderOptions { MaxRequestMessageSize = 64, MaxResponseMessageSize = 64 };

        AssertRejected(TestVectors.Load(PccrrTestData.Folder, GetBlks).Bytes, response: false, PeerDistFormatError.MessageTooLarge, 8, options);
        AssertRejected(TestVectors.Load(PccrrTestData.Folder, BlkList).Bytes, response: true, PeerDistFormatError.MessageTooLarge, 0, options);
    }

    [Test]
    public void Options_LimitBelowAHeader_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new PccrrReaderOptions { MaxRequestMessageSize = 15 });
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new PccrrReaderOptions { MaxResponseMessageSize = 0 });
    }

    [Test]
    public void TryRead_MsgSizeLargerThanTheFields_IsTrailingData()
    {
        // MsgSize 72 but the fields of MSG_GETBLKS end at 68: the four extra bytes inside the message are not allowed.
        byte[] bytes = [.. PccrcTestData.WithUInt32BigEndian(TestVectors.Load(PccrrTestData.Folder, GetBlks).Bytes, 8, 72), 0, 0, 0, 0];

        AssertRejected(bytes, response: false, PeerDistFormatError.TrailingData, 68);
    }

    [Test]
    public void TryRead_MsgSizeSmallerThanTheFields_IsMessageSizeMismatch()
    {
        byte[] bytes = PccrcTestData.WithUInt32BigEndian(TestVectors.Load(PccrrTestData.Folder, GetBlks).Bytes, 8, 64)[..64];

        AssertRejected(bytes, response: false, PeerDistFormatError.MessageSizeMismatch, 64);
    }

    [Test]
    public void Parse_ByteAfterTheMessage_IsTrailingData()
    {
        byte[] bytes = [.. TestVectors.Load(PccrrTestData.Folder, GetBlks).Bytes, 0];

        var e = Assert.Throws<PeerDistFormatException>(() => PccrrGetBlocksRequest.Parse(bytes));

        Assert.That((e.Error, e.Offset), Is.EqualTo((PeerDistFormatError.TrailingData, 68L)));
    }

    [Test]
    public void Parse_Prefix_ThrowsTruncated()
    {
        byte[] bytes = TestVectors.Load(PccrrTestData.Folder, BlkNotFound).Bytes[..40];

        var e = Assert.Throws<PeerDistFormatException>(() => PccrrBlockResponse.Parse(bytes));

        Assert.That((e.Error, e.Offset), Is.EqualTo((PeerDistFormatError.Truncated, 40L)));
    }

    [Test]
    public void TryRead_NonZeroPadding_IsAcceptedByDefaultAndRejectedWhenRequired()
    {
        // A 1-byte plaintext block is followed by 3 ZeroPad_2 bytes (MS-PCCRR 2.2.5.3).
        byte[] bytes = BlockResponseWithOneByteBlock();
        const int PadOffset = 4 + 16 + 36 + 12 + 1;
        Assert.That(bytes.AsSpan(PadOffset, 3).ToArray(), Is.EqualTo(new byte[3]));
        bytes[PadOffset + 1] = 0x5A;
        var strict = new PccrrReaderOptions { RequireZeroPadding = true };

        PccrrMessage lenient = PccrrTestData.Decode(bytes, response: true);
        AssertRejected(bytes, response: true, PeerDistFormatError.NonZeroPadding, PadOffset + 1, strict);

        Assert.That(lenient.Block.Block.ToArray(), Is.EqualTo(new byte[] { 0xAB }));
    }

    [Test]
    public void TryRead_PaddingCutShortByMsgSize_IsMessageSizeMismatch()
    {
        byte[] bytes = BlockResponseWithOneByteBlock();
        const int PadOffset = 4 + 16 + 36 + 12 + 1;
        byte[] cut = bytes[..(PadOffset + 2)];
        BinaryPrimitives.WriteUInt32BigEndian(cut, (uint)(cut.Length - 4));
        BinaryPrimitives.WriteUInt32BigEndian(cut.AsSpan(12), (uint)(cut.Length - 4));

        AssertRejected(cut, response: true, PeerDistFormatError.MessageSizeMismatch, PadOffset);
    }

    [TestCase(0u, 0u, 28)] // Count 0
    [TestCase(0xFFFF_FFFFu, 2u, 28)] // Index + Count overflows 32 bits
    public void TryRead_InvalidSegmentRange_IsRejected(uint index, uint count, long errorOffset)
    {
        var valid = new PccrrSegmentListResponse(new byte[16], new[] { new PccrrSegmentRange(0, 1) });
        byte[] bytes = new byte[valid.GetEncodedLength()];
        valid.TryWrite(bytes, out _);
        bytes = PccrcTestData.WithUInt32BigEndian(bytes, 40, index);
        bytes = PccrcTestData.WithUInt32BigEndian(bytes, 44, count);

        AssertRejected(bytes, response: true, PeerDistFormatError.InvalidSegmentRange, errorOffset + 12);
    }

    [Test]
    public void TryRead_SegmentRangeEndingAtTwoToThe32_IsAccepted()
    {
        var message = new PccrrSegmentListResponse(new byte[16], new[] { new PccrrSegmentRange(0xFFFF_FFFF, 1) });
        byte[] bytes = new byte[message.GetEncodedLength()];
        message.TryWrite(bytes, out _);

        Assert.That(PccrrTestData.Decode(bytes, response: true).SegmentList.SegmentRanges.Span[0], Is.EqualTo(new PccrrSegmentRange(0xFFFF_FFFF, 1)));
    }

    [TestCase(GetBlks)]
    [TestCase(GetBlkList)]
    public void TryRead_ZeroRanges_IsAccepted(string vectorName)
    {
        // WPTS GetBlocks_BlockRangesEmpty / GetBlockList_BlockRangesEmpty expect an (empty) answer, so this is not a syntax error.
        byte[] source = TestVectors.Load(PccrrTestData.Folder, vectorName).Bytes;
        int rangesEnd = vectorName == GetBlks ? 64 : 72;
        byte[] bytes = [.. source.AsSpan(0, 52), 0, 0, 0, 0, .. source.AsSpan(rangesEnd)];
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), (uint)bytes.Length);

        PccrrMessage message = PccrrTestData.Decode(bytes, response: false);

        Assert.That(message.MessageType == PccrrMessageType.GetBlocks ? message.GetBlocks.BlockRanges.Length : message.GetBlockList.BlockRanges.Length, Is.Zero);
    }

    [Test]
    public void Options_Defaults_AreTheLimitsOfTheSpec()
    {
        // MS-PCCRR 2.2.3 MsgSize: 16..98,304 for requests, 16..393,216 for responses; ZeroPad checked only when asked.
        PccrrReaderOptions options = PccrrReaderOptions.Default;

        Assert.That((options.MaxRequestMessageSize, options.MaxResponseMessageSize, options.RequireZeroPadding), Is.EqualTo((98_304, 393_216, false)));
    }

    [Test]
    public void TryParse_Failure_ReturnsDefaultValueAndDoesNotThrow()
    {
        byte[] bytes = PccrcTestData.WithUInt32BigEndian(TestVectors.Load(PccrrTestData.Folder, GetBlks).Bytes, 60, 0);

        bool ok = PccrrGetBlocksRequest.TryParse(bytes, out PccrrGetBlocksRequest value, out PeerDistFormatError error, out long offset);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((ok, error, offset), Is.EqualTo((false, PeerDistFormatError.InvalidBlockRange, 56L)));
            Assert.That(value.SegmentId.IsEmpty && value.BlockRanges.IsEmpty, Is.True);
        }
    }

    internal static byte[] BlockResponseWithOneByteBlock()
    {
        var message = new PccrrBlockResponse(new byte[32], 1, 0, new ReadOnlySequence<byte>(new byte[] { 0xAB }), default, PccrrCryptoAlgorithm.None);
        byte[] bytes = new byte[message.GetEncodedLength()];
        Assert.That(message.TryWrite(bytes, out int written), Is.True);
        Assert.That(written, Is.EqualTo(bytes.Length));
        return bytes;
    }

    private static void AssertRejected(byte[] bytes, bool response, PeerDistFormatError reason, long errorOffset, PccrrReaderOptions? options = null, bool checkSpanPath = true)
    {
        var input = new ReadOnlySequence<byte>(bytes);
        OperationStatus status = response
            ? PccrrFrameDecoder.TryReadResponse(input, options, out _, out SequencePosition consumed, out SequencePosition examined, out PeerDistFormatError error, out long offset)
            : PccrrFrameDecoder.TryReadRequest(input, options, out _, out consumed, out examined, out error, out offset);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((status, error, offset), Is.EqualTo((OperationStatus.InvalidData, reason, errorOffset)));
            Assert.That(consumed, Is.EqualTo(input.Start), "nothing consumed");
            Assert.That(examined, Is.EqualTo(input.End));
        }

        if (checkSpanPath)
        {
            int prefix = response ? 4 : 0;
            var type = (PccrrMessageType)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(prefix + 4));
            bool ok = PccrrMessageDecoder.TryParse(bytes, response, type, options, out _, out PeerDistFormatError spanError, out long spanOffset);
            Assert.That((ok, spanError, spanOffset), Is.EqualTo((false, reason, errorOffset)), "span path");
        }
    }
}
