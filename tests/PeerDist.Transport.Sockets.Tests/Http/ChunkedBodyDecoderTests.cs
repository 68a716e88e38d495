using System.Buffers;
using System.Text;
using PeerDist.Transport.Http;

namespace PeerDist.Transport.Tests.Http;

[TestFixture]
public sealed class ChunkedBodyDecoderTests
{
    private const string Body = "4\r\nWiki\r\n6;name=value\r\npedia \r\nE \r\nin \r\n\r\nchunks.\r\n0\r\nTrailer: x\r\n\r\n";
    private const string Decoded = "Wikipedia in \r\n\r\nchunks.";

    [Test]
    public void Decode_WholeBodyAnySegmentation_DecodesAndConsumesExactly()
    {
        byte[] bytes = Encoding.ASCII.GetBytes(Body + "NEXT");
        foreach (ReadOnlySequence<byte> sequence in Sequences.All(bytes))
        {
            using var output = new PooledBufferWriter();
            var decoder = default(ChunkedBodyDecoder);

            ChunkedDecodeStatus status = decoder.Decode(sequence, output, 1000, 1000, out SequencePosition consumed);

            Assert.That(status, Is.EqualTo(ChunkedDecodeStatus.Done));
            Assert.That(Encoding.ASCII.GetString(output.WrittenMemory.Span), Is.EqualTo(Decoded));
            Assert.That(sequence.Slice(consumed).Length, Is.EqualTo(4), "a pipelined next request is not swallowed");
        }
    }

    [Test]
    public void Decode_FedOneByteAtATime_ResumesWhereItStopped()
    {
        byte[] bytes = Encoding.ASCII.GetBytes(Body);
        using var output = new PooledBufferWriter();
        var decoder = default(ChunkedBodyDecoder);
        var pending = new List<byte>();
        ChunkedDecodeStatus status = ChunkedDecodeStatus.NeedMoreData;
        foreach (byte b in bytes)
        {
            Assert.That(status, Is.EqualTo(ChunkedDecodeStatus.NeedMoreData));
            pending.Add(b);
            var input = new ReadOnlySequence<byte>(pending.ToArray());
            status = decoder.Decode(input, output, 1000, 1000, out SequencePosition consumed);
            pending.RemoveRange(0, (int)input.Slice(0, consumed).Length);
        }

        Assert.That(status, Is.EqualTo(ChunkedDecodeStatus.Done));
        Assert.That(pending, Is.Empty);
        Assert.That(Encoding.ASCII.GetString(output.WrittenMemory.Span), Is.EqualTo(Decoded));
    }

    [TestCase("5\r\nabc\r\n0\r\n\r\n", ExpectedResult = "Invalid")] // data shorter than declared: CRLF check fails
    [TestCase("3\r\nabcX\r\n", ExpectedResult = "Invalid")]
    [TestCase("g\r\n", ExpectedResult = "Invalid")]
    [TestCase("\r\n", ExpectedResult = "Invalid")]
    [TestCase("3\n", ExpectedResult = "Invalid")]
    [TestCase("3x\r\n", ExpectedResult = "Invalid")]
    [TestCase("1000000000000000\r\n", ExpectedResult = "Invalid")]
    [TestCase("65\r\n", ExpectedResult = "TooLarge")] // 101 > 100
    [TestCase("64\r\n", ExpectedResult = "NeedMoreData")] // 100 fits
    [TestCase("0\r\nX: y\n", ExpectedResult = "Invalid")]
    public string Decode_Input_Status(string input)
    {
        using var output = new PooledBufferWriter();
        var decoder = default(ChunkedBodyDecoder);
        return decoder.Decode(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(input)), output, 100, 100, out _).ToString();
    }

    [Test]
    public void Decode_EndlessSizeLine_InvalidOnceOverLimit()
    {
        using var output = new PooledBufferWriter();
        var decoder = default(ChunkedBodyDecoder);
        byte[] bytes = Encoding.ASCII.GetBytes("1;" + new string('e', 2000));

        Assert.That(decoder.Decode(new ReadOnlySequence<byte>(bytes), output, 100, 100, out _), Is.EqualTo(ChunkedDecodeStatus.Invalid));
    }
}
