using PeerDist.Transport.Http;

namespace PeerDist.Transport.Tests.Http;

/// <summary>The client against scripted responses: framings and malformed answers a real peer might send.</summary>
[TestFixture]
[Category("Socket")]
public sealed class PeerDistHttpClientResponseTests
{
    private const string Path = PeerDistHttpPaths.Retrieval;

    [TestCase("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", false)]
    [TestCase("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: Microsoft-HTTPAPI/2.0\r\n\r\nabcde", false)]
    [TestCase("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabcde", false)]
    [TestCase("HTTP/1.0 200 OK\r\n\r\nabcde", true)] // no framing: body runs to the close
    [TestCase("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabcde", true)]
    [CancelAfter(5000)]
    public async Task PostAsync_ResponseFraming_BodyDecoded(string response, bool close, CancellationToken cancellationToken)
    {
        using var server = new ScriptedServer(response, close);
        using var client = new PeerDistHttpClient();

        using PeerDistHttpResponse result = await client.PostAsync(server.EndPoint, Path, "x"u8.ToArray(), cancellationToken);

        Assert.That(result.Body.ToArray(), Is.EqualTo("abcde"u8.ToArray()));
    }

    [TestCase(997)]
    [TestCase(16_411)]
    [TestCase(30_000)]
    [CancelAfter(10_000)]
    public async Task PostAsync_LargeBodyArrivingInPieces_ExactBodyAndConnectionReused(int pieceSize, CancellationToken cancellationToken)
    {
        // The body is received straight into the response buffer once the pipe is drained; the next response on the same
        // connection must start exactly after it.
        string body = string.Concat(Enumerable.Range(0, 100_000).Select(i => (char)('a' + (i * 7 % 26))));
        string response = $"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n{body}";
        using var server = new ScriptedServer(response, closeAfterResponse: false, pieceSize: pieceSize);
        using var client = new PeerDistHttpClient();

        for (int i = 0; i < 2; i++)
        {
            using PeerDistHttpResponse result = await client.PostAsync(server.EndPoint, Path, "x"u8.ToArray(), cancellationToken);
            Assert.That(System.Text.Encoding.Latin1.GetString(result.Body.Span), Is.EqualTo(body), $"response {i}");
        }

        Assert.That(client.ConnectionsOpened, Is.EqualTo(1));
    }

    [TestCase("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", PeerDistHttpError.ConnectionClosed)]
    [TestCase("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc", PeerDistHttpError.ConnectionClosed)]
    [TestCase("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", PeerDistHttpError.MalformedResponse)]
    [TestCase("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10001\r\n", PeerDistHttpError.ResponseTooLarge)] // 0x10001 > 65,536
    [TestCase("HTTP/1.1 200 OK\r\nContent-Length: 70000\r\n\r\n", PeerDistHttpError.ResponseTooLarge)]
    [TestCase("HTTP/1.1 2000 OK\r\n\r\n", PeerDistHttpError.MalformedResponse)]
    [TestCase("HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", PeerDistHttpError.MalformedResponse)]
    [TestCase("SSH-2.0-OpenSSH\r\n\r\n", PeerDistHttpError.MalformedResponse)]
    [TestCase("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", PeerDistHttpError.UnexpectedStatus)]
    [CancelAfter(5000)]
    public void PostAsync_BadResponse_TypedError(string response, PeerDistHttpError expected, CancellationToken cancellationToken)
    {
        using var server = new ScriptedServer(response, closeAfterResponse: true);
        using var client = new PeerDistHttpClient(new PeerDistHttpClientOptions { MaxResponseBodyBytes = 65_536 });

        PeerDistHttpException? e = Assert.ThrowsAsync<PeerDistHttpException>(
            async () => await client.PostAsync(server.EndPoint, Path, "x"u8.ToArray(), cancellationToken));

        Assert.That(e!.Error, Is.EqualTo(expected));
    }

    [Test]
    [CancelAfter(5000)]
    public void PostAsync_ResponseHeadOverLimit_ResponseTooLarge(CancellationToken cancellationToken)
    {
        using var server = new ScriptedServer("HTTP/1.1 200 OK\r\nX-Big: " + new string('a', 2000) + "\r\n\r\n", closeAfterResponse: false);
        using var client = new PeerDistHttpClient(new PeerDistHttpClientOptions { MaxResponseHeaderBytes = 1024 });

        PeerDistHttpException? e = Assert.ThrowsAsync<PeerDistHttpException>(
            async () => await client.PostAsync(server.EndPoint, Path, "x"u8.ToArray(), cancellationToken));

        Assert.That(e!.Error, Is.EqualTo(PeerDistHttpError.ResponseTooLarge));
    }
}
