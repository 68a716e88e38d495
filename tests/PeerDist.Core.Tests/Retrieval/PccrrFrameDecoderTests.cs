using System.Buffers;
using PeerDist.Retrieval;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Retrieval;

/// <summary>
/// The vectors of spec-vectors/pccrr through both public entry points: the frame decoder over every sequence shape and
/// every proper prefix, and each message type's Parse over a span; fields as the JSON says, byte-exact re-encoding,
/// and pipelined messages read one at a time.
/// </summary>
public class PccrrFrameDecoderTests
{
    [TestCaseSource(typeof(PccrrTestData), nameof(PccrrTestData.Vectors))]
    public void TryRead_Vector_DecodesToExpectedFields(TestVectors.Vector vector)
    {
        PccrrMessage message = PccrrTestData.Decode(vector.Bytes, PccrrTestData.IsResponse(vector));

        PccrrTestData.AssertFields(vector, message);
    }

    [TestCaseSource(typeof(PccrrTestData), nameof(PccrrTestData.Vectors))]
    public void Write_DecodedVector_ReproducesTheBytes(TestVectors.Vector vector)
    {
        PccrrMessage message = PccrrTestData.Decode(vector.Bytes, PccrrTestData.IsResponse(vector));

        ByteAssert.AreEqual(PccrrTestData.Encode(message), vector.Bytes);
    }

    [TestCaseSource(typeof(PccrrTestData), nameof(PccrrTestData.Vectors))]
    public void TryParse_VectorThroughTypedSpanApi_Succeeds(TestVectors.Vector vector)
    {
        bool ok = PccrrTestData.TryParseTyped(PccrrTestData.MessageType(vector), vector.Bytes, out PeerDistFormatError error, out long offset);

        Assert.That(ok, Is.True, $"{error} at {offset}");
    }

    [TestCaseSource(typeof(PccrrTestData), nameof(PccrrTestData.SmallVectors))]
    public void TryRead_EverySequenceShape_DecodesTheSameMessage(TestVectors.Vector vector)
    {
        bool response = PccrrTestData.IsResponse(vector);
        var failures = new List<string>();
        int shapes = 0;
        foreach ((string name, ReadOnlySequence<byte> sequence) in SequenceVariants.All(vector.Bytes))
        {
            shapes++;
            OperationStatus status = Read(sequence, response, out PccrrMessage message, out SequencePosition consumed, out SequencePosition examined, out PeerDistFormatError error);
            if (status != OperationStatus.Done)
            {
                failures.Add($"{name}: {status} {error}");
                continue;
            }

            if (!consumed.Equals(sequence.End) || !examined.Equals(sequence.End))
            {
                failures.Add($"{name}: consumed/examined not at the end");
            }

            if (!PccrrTestData.Encode(message).AsSpan().SequenceEqual(vector.Bytes))
            {
                failures.Add($"{name}: re-encoding differs");
            }
        }

        Assert.That(failures, Is.Empty);
        Assert.That(shapes, Is.EqualTo(vector.Bytes.Length + 2));
    }

    [Test]
    public void TryRead_EncryptedBlockInSampledShapes_DecodesTheSameMessage()
    {
        TestVectors.Vector vector = TestVectors.Load(PccrrTestData.Folder, PccrrTestData.EncryptedBlock);
        foreach ((string name, ReadOnlySequence<byte> sequence) in SequenceVariants.Sampled(vector.Bytes))
        {
            OperationStatus status = Read(sequence, response: true, out PccrrMessage message, out SequencePosition consumed, out _, out PeerDistFormatError error);
            Assert.That(status, Is.EqualTo(OperationStatus.Done), $"{name}: {error}");
            Assert.That(consumed, Is.EqualTo(sequence.End), name);
            ByteAssert.AreEqual(message.Block.Block.ToArray(), vector.Bytes.AsSpan(68, 65552), name);
            ByteAssert.AreEqual(PccrrTestData.Encode(message), vector.Bytes, name);
        }
    }

    [TestCaseSource(typeof(PccrrTestData), nameof(PccrrTestData.Vectors))]
    public void TryRead_EveryProperPrefix_ReturnsNeedMoreDataAndConsumesNothing(TestVectors.Vector vector)
    {
        bool response = PccrrTestData.IsResponse(vector);
        var failures = new List<int>();
        int step = vector.Bytes.Length > 4096 ? 97 : 1; // the 64 KiB block: every 97th prefix plus the edges
        for (int length = 0; length < vector.Bytes.Length; length++)
        {
            if (step > 1 && length > 128 && length < vector.Bytes.Length - 128 && length % step != 0)
            {
                continue;
            }

            var input = new ReadOnlySequence<byte>(vector.Bytes, 0, length);
            OperationStatus status = Read(input, response, out _, out SequencePosition consumed, out SequencePosition examined, out _);
            if (status != OperationStatus.NeedMoreData || !consumed.Equals(input.Start) || !examined.Equals(input.End))
            {
                failures.Add(length);
            }
        }

        Assert.That(failures, Is.Empty);
    }

    [TestCaseSource(typeof(PccrrTestData), nameof(PccrrTestData.SmallVectors))]
    public void TryParse_EveryProperPrefix_IsTruncated(TestVectors.Vector vector)
    {
        PccrrMessageType type = PccrrTestData.MessageType(vector);
        var failures = new List<string>();
        for (int length = 0; length < vector.Bytes.Length; length++)
        {
            bool ok = PccrrTestData.TryParseTyped(type, vector.Bytes[..length], out PeerDistFormatError error, out long offset);
            if (ok || error != PeerDistFormatError.Truncated || offset != length)
            {
                failures.Add($"{length}: {ok} {error} at {offset}");
            }
        }

        Assert.That(failures, Is.Empty);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void TryRead_AllVectorsOfOneDirectionInOneBuffer_ReadsThemOneAtATime(bool response)
    {
        // The anti-pattern this guards against: consuming by input.Slice(n).End would swallow the messages that follow.
        TestVectors.Vector[] vectors = [.. TestVectors.Names(PccrrTestData.Folder)
            .Select(n => TestVectors.Load(PccrrTestData.Folder, n))
            .Where(v => PccrrTestData.IsResponse(v) == response)];
        byte[] all = [.. vectors.SelectMany(v => v.Bytes)];

        foreach ((string name, ReadOnlySequence<byte> shape) in new[] { ("single", new ReadOnlySequence<byte>(all)), ("chunks-of-5", SequenceVariants.Chunked(all, 5)) })
        {
            ReadOnlySequence<byte> input = shape;
            foreach (TestVectors.Vector vector in vectors)
            {
                OperationStatus status = Read(input, response, out PccrrMessage message, out SequencePosition consumed, out SequencePosition examined, out PeerDistFormatError error);
                Assert.That(status, Is.EqualTo(OperationStatus.Done), $"{name}/{vector.Name}: {error}");
                Assert.That(message.MessageType, Is.EqualTo(PccrrTestData.MessageType(vector)), $"{name}/{vector.Name}");
                Assert.That(consumed, Is.EqualTo(examined));
                ByteAssert.AreEqual(PccrrTestData.Encode(message), vector.Bytes, $"{name}/{vector.Name}");
                input = input.Slice(consumed);
            }

            Assert.That(input.Length, Is.Zero, name);
            Assert.That(Read(input, response, out _, out _, out _, out _), Is.EqualTo(OperationStatus.NeedMoreData), name);
        }
    }

    [Test]
    public void TryReadRequest_MessageFollowedByPartOfAnother_ConsumesOnlyTheFirst()
    {
        byte[] first = TestVectors.Load(PccrrTestData.Folder, "derived-getblks-block5").Bytes;
        byte[] second = TestVectors.Load(PccrrTestData.Folder, "derived-nego-req").Bytes;
        byte[] both = [.. first, .. second.AsSpan(0, 10)];
        var input = new ReadOnlySequence<byte>(both);

        OperationStatus one = PccrrFrameDecoder.TryReadRequest(input, null, out _, out SequencePosition consumed, out _, out _, out _);
        ReadOnlySequence<byte> rest = input.Slice(consumed);
        OperationStatus two = PccrrFrameDecoder.TryReadRequest(rest, null, out _, out SequencePosition consumed2, out SequencePosition examined2, out _, out _);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(one, Is.EqualTo(OperationStatus.Done));
            Assert.That(input.Slice(0, consumed).Length, Is.EqualTo(first.Length));
            Assert.That(two, Is.EqualTo(OperationStatus.NeedMoreData));
            Assert.That(consumed2, Is.EqualTo(rest.Start));
            Assert.That(examined2, Is.EqualTo(rest.End));
        }
    }

    [Test]
    public void TryRead_WrongDirectionDecoder_ReturnsUnexpectedMessageType()
    {
        byte[] request = TestVectors.Load(PccrrTestData.Folder, "derived-nego-req").Bytes;
        byte[] response = TestVectors.Load(PccrrTestData.Folder, "derived-nego-resp").Bytes;

        OperationStatus asResponse = PccrrFrameDecoder.TryReadResponse(new ReadOnlySequence<byte>([.. new byte[] { 0, 0, 0, 0x18 }, .. request]), null, out _, out _, out _, out PeerDistFormatError e1, out long o1);
        OperationStatus asRequest = PccrrFrameDecoder.TryReadRequest(new ReadOnlySequence<byte>(response.AsMemory(4)), null, out _, out _, out _, out PeerDistFormatError e2, out long o2);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((asResponse, e1, o1), Is.EqualTo((OperationStatus.InvalidData, PeerDistFormatError.UnexpectedMessageType, 8L)));
            Assert.That((asRequest, e2, o2), Is.EqualTo((OperationStatus.InvalidData, PeerDistFormatError.UnexpectedMessageType, 4L)));
        }
    }

    [Test]
    public void Parse_OtherMessageTypeOfSameDirection_ThrowsUnexpectedMessageType()
    {
        byte[] bytes = TestVectors.Load(PccrrTestData.Folder, "derived-getblks-block5").Bytes;

        var e = Assert.Throws<PeerDistFormatException>(() => PccrrGetBlockListRequest.Parse(bytes));

        Assert.That((e.Error, e.Offset), Is.EqualTo((PeerDistFormatError.UnexpectedMessageType, 4L)));
    }

    [Test]
    public void MessageProperty_OfAnotherType_ThrowsInvalidOperation()
    {
        PccrrMessage message = PccrrTestData.Decode(TestVectors.Load(PccrrTestData.Folder, "derived-nego-req").Bytes, response: false);

        Assert.Throws<InvalidOperationException>(() => _ = message.GetBlocks);
        Assert.Throws<InvalidOperationException>(() => _ = default(PccrrMessage).NegotiateRequest);
    }

    internal static OperationStatus Read(
        in ReadOnlySequence<byte> input,
        bool response,
        out PccrrMessage message,
        out SequencePosition consumed,
        out SequencePosition examined,
        out PeerDistFormatError error,
        PccrrReaderOptions? options = null) =>
        response
            ? PccrrFrameDecoder.TryReadResponse(input, options, out message, out consumed, out examined, out error, out _)
            : PccrrFrameDecoder.TryReadRequest(input, options, out message, out consumed, out examined, out error, out _);
}
