using System.Buffers;
using System.Text;
using PeerDist.Transport.Http;

namespace PeerDist.Transport.Tests.Http;

[TestFixture]
public sealed class HttpRequestParserTests
{
    private static readonly byte[][] s_routes = [HttpRequestParser.NormalizeRoute(PeerDistHttpPaths.Retrieval)];

    private static readonly string[] s_valid =
    [
        "POST /116B50EB-ECE2-41ac-8429-9F9E963361B7/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 68\r\n\r\n",
        "POST /116b50eb-ece2-41ac-8429-9f9e963361b7 HTTP/1.0\r\nContent-Length:0\r\n\r\n",
        "POST /116B50EB-ECE2-41ac-8429-9F9E963361B7/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\nConnection: keep-alive, close\r\n\r\n",
    ];

    [Test]
    public void TryParse_ValidHead_ReadsFields()
    {
        byte[] bytes = Encoding.ASCII.GetBytes(s_valid[0] + "BODY");

        OperationStatus status = Parse(new ReadOnlySequence<byte>(bytes), out HttpRequestHead head, out long length, out _);

        Assert.That(status, Is.EqualTo(OperationStatus.Done));
        Assert.That(length, Is.EqualTo(s_valid[0].Length), "consumes the head only, never the body");
        Assert.That(head.RouteIndex, Is.Zero);
        Assert.That(head.IsPost, Is.True);
        Assert.That(head.IsHttp11, Is.True);
        Assert.That(head.ContentLength, Is.EqualTo(68));
        Assert.That(head.ConnectionClose, Is.False);
    }

    [Test]
    public void TryParse_ChunkedExpectClose_ReadsFlags()
    {
        OperationStatus status = Parse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(s_valid[2])), out HttpRequestHead head, out _, out _);

        Assert.That(status, Is.EqualTo(OperationStatus.Done));
        Assert.That(head.IsChunked, Is.True);
        Assert.That(head.ExpectContinue, Is.True);
        Assert.That(head.ConnectionClose, Is.True);
        Assert.That(head.ContentLength, Is.EqualTo(-1));
    }

    [Test]
    public void TryParse_Http10_ClosesConnection()
    {
        Parse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(s_valid[1])), out HttpRequestHead head, out _, out _);

        Assert.That(head.IsHttp11, Is.False);
        Assert.That(head.ConnectionClose, Is.True);
        Assert.That(head.ContentLength, Is.Zero);
    }

    [TestCaseSource(nameof(s_valid))]
    public void TryParse_EveryProperPrefix_NeedsMoreData(string request)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(request);
        for (int i = 0; i < bytes.Length; i++)
        {
            OperationStatus status = Parse(new ReadOnlySequence<byte>(bytes, 0, i), out _, out long length, out _);
            Assert.That(status, Is.EqualTo(OperationStatus.NeedMoreData), $"prefix {i}");
            Assert.That(length, Is.Zero);
        }
    }

    [TestCaseSource(nameof(s_valid))]
    public void TryParse_EverySegmentation_SameResult(string request)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(request);
        Parse(new ReadOnlySequence<byte>(bytes), out HttpRequestHead expected, out long expectedLength, out _);

        foreach (ReadOnlySequence<byte> sequence in Sequences.All(bytes))
        {
            OperationStatus status = Parse(sequence, out HttpRequestHead head, out long length, out _);
            Assert.That(status, Is.EqualTo(OperationStatus.Done));
            Assert.That(length, Is.EqualTo(expectedLength));
            Assert.That(head, Is.EqualTo(expected));
        }
    }

    [Test]
    public void TryParse_UnterminatedHeadAtLimit_HeadersTooLarge()
    {
        byte[] bytes = Encoding.ASCII.GetBytes("POST / HTTP/1.1\r\nX: " + new string('a', 300));

        OperationStatus status = HttpRequestParser.TryParse(
            new ReadOnlySequence<byte>(bytes), 256, s_routes, new byte[256], out _, out _, out HttpRequestRejection rejection);

        Assert.That(status, Is.EqualTo(OperationStatus.InvalidData));
        Assert.That(rejection, Is.EqualTo(HttpRequestRejection.HeadersTooLarge));
    }

    [TestCase("POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\n", ExpectedResult = "NotFound")]
    [TestCase("PUT /116B50EB-ECE2-41ac-8429-9F9E963361B7/ HTTP/1.1\r\nContent-Length: 5\r\n\r\n", ExpectedResult = "MethodNotAllowed")]
    [TestCase("post /116B50EB-ECE2-41ac-8429-9F9E963361B7/ HTTP/1.1\r\nContent-Length: 5\r\n\r\n", ExpectedResult = "MethodNotAllowed")] // methods are case-sensitive
    [TestCase("POST /116B50EB-ECE2-41ac-8429-9F9E963361B7/ HTTP/1.1\r\n\r\n", ExpectedResult = "LengthRequired")]
    [TestCase("POST /116B50EB-ECE2-41ac-8429-9F9E963361B7/ HTTP/1.1\r\nContent-Length: 101\r\n\r\n", ExpectedResult = "PayloadTooLarge")]
    [TestCase("POST /116B50EB-ECE2-41ac-8429-9F9E963361B7/ HTTP/1.1\r\nContent-Length: 100\r\n\r\n", ExpectedResult = "None")]
    public string Validate_Head_Rejection(string request)
    {
        OperationStatus status = Parse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(request)), out HttpRequestHead head, out _, out _);
        Assert.That(status, Is.EqualTo(OperationStatus.Done));
        return HttpRequestParser.Validate(head, maxBodyBytes: 100).ToString();
    }

    [TestCase("POST /a HTTP/1.1 \r\n\r\n")]
    [TestCase(" POST /a HTTP/1.1\r\n\r\n")]
    [TestCase("POST a HTTP/1.1\r\n\r\n")]
    [TestCase("POST /a\x01 HTTP/1.1\r\n\r\n")]
    [TestCase("POST /a HTTP/1.1\r\nX: a\x01\r\n\r\n")]
    [TestCase("POST /a HTTP/1.1\r\n: novalue\r\n\r\n")]
    [TestCase("POST /a HTTP/1.1\r\nX : a\r\n\r\n")]
    [TestCase("POST /a HTTP/1.1\r\nContent-Length: -1\r\n\r\n")]
    [TestCase("POST /a HTTP/1.1\r\nContent-Length: 1234567890123456789\r\n\r\n")]
    [TestCase("POST /a HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [TestCase("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n")]
    public void TryParse_Malformed_BadRequest(string request)
    {
        OperationStatus status = Parse(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(request)), out _, out long length, out HttpRequestRejection rejection);

        Assert.That(status, Is.EqualTo(OperationStatus.InvalidData));
        Assert.That(rejection, Is.EqualTo(HttpRequestRejection.BadRequest));
        Assert.That(length, Is.Zero);
    }

    [TestCase("")]
    [TestCase("nope")]
    [TestCase("/a?b")]
    public void NormalizeRoute_Invalid_Throws(string path)
    {
        Assert.That(() => HttpRequestParser.NormalizeRoute(path), Throws.ArgumentException);
    }

    private static OperationStatus Parse(ReadOnlySequence<byte> input, out HttpRequestHead head, out long length, out HttpRequestRejection rejection) =>
        HttpRequestParser.TryParse(input, 8192, s_routes, new byte[8192], out head, out length, out rejection);
}
