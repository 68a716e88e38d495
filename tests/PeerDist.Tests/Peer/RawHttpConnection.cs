using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using PeerDist.Transport.Http;

namespace PeerDist.Tests.Peer;

/// <summary>
/// A raw HTTP/1.1 client on one loopback socket for the PCCRR-over-sockets tests: it writes exactly the bytes it is
/// given (so framing can be wrong on purpose) and reads one response at a time (head plus Content-Length body), keeping
/// any bytes that arrive after it. Every read is bounded by <see cref="OperationTimeout"/> as well as by the caller's
/// token, so a server that never answers fails the test instead of hanging it.
/// </summary>
internal sealed class RawHttpConnection : IDisposable
{
    /// <summary>The longest any single connect, send or read may take.</summary>
    public static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(4);

    private const int MaxHeadBytes = 8 * 1024;

    private readonly Socket _socket;
    private readonly List<byte> _pending = [];
    private readonly byte[] _buffer = new byte[64 * 1024];

    private RawHttpConnection(Socket socket) => _socket = socket;

    public static async Task<RawHttpConnection> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        Assert.That(IPAddress.IsLoopback(endPoint.Address), Is.True, "tests talk to loopback only");
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using CancellationTokenSource timeout = Bounded(cancellationToken);
            await socket.ConnectAsync(endPoint, timeout.Token);
            return new RawHttpConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The head of a POST to the MS-PCCRR path with a Content-Length.</summary>
    public static byte[] PostHead(int contentLength, bool close = false, string path = PeerDistHttpPaths.Retrieval) =>
        Encoding.ASCII.GetBytes(
            $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {contentLength.ToString(CultureInfo.InvariantCulture)}\r\n" +
            (close ? "Connection: close\r\n" : string.Empty) + "\r\n");

    /// <summary>A whole POST request (head and body) to the MS-PCCRR path.</summary>
    public static byte[] Post(ReadOnlySpan<byte> body, bool close = false) => [.. PostHead(body.Length, close), .. body];

    /// <summary>A POST with a chunked body cut into chunks of at most <paramref name="chunkSize"/> bytes.</summary>
    public static byte[] PostChunked(ReadOnlySpan<byte> body, int chunkSize)
    {
        var request = new List<byte>(Encoding.ASCII.GetBytes(
            $"POST {PeerDistHttpPaths.Retrieval} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"));
        for (int offset = 0; offset < body.Length; offset += chunkSize)
        {
            ReadOnlySpan<byte> chunk = body.Slice(offset, Math.Min(chunkSize, body.Length - offset));
            request.AddRange(Encoding.ASCII.GetBytes(chunk.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n"));
            request.AddRange(chunk);
            request.AddRange("\r\n"u8);
        }

        request.AddRange("0\r\n\r\n"u8);
        return [.. request];
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        using CancellationTokenSource timeout = Bounded(cancellationToken);
        while (!bytes.IsEmpty)
        {
            int sent = await _socket.SendAsync(bytes, SocketFlags.None, timeout.Token);
            bytes = bytes[sent..];
        }
    }

    /// <summary>Sends one POST of <paramref name="body"/> and reads its response.</summary>
    public async Task<RawHttpResponse> PostAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        await SendAsync(Post(body.Span), cancellationToken);
        return await ReadResponseAsync(cancellationToken);
    }

    /// <summary>Reads exactly one response: status line, headers and a Content-Length body (the server always sends one).</summary>
    public async Task<RawHttpResponse> ReadResponseAsync(CancellationToken cancellationToken)
    {
        using CancellationTokenSource timeout = Bounded(cancellationToken);
        int headEnd;
        while ((headEnd = IndexOfHeadEnd()) < 0)
        {
            Assert.That(_pending, Has.Count.LessThan(MaxHeadBytes), "response head too long");
            if (await ReceiveAsync(timeout.Token) == 0)
            {
                Assert.Fail("the server closed the connection before a complete response head: " + Latin1(_pending.Count));
            }
        }

        string head = Latin1(headEnd + 4);
        _pending.RemoveRange(0, headEnd + 4);
        string[] lines = head[..^4].Split("\r\n");
        string[] status = lines[0].Split(' ', 3);
        Assert.That(status[0], Is.EqualTo("HTTP/1.1"), head);
        int statusCode = int.Parse(status[1], NumberStyles.None, CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in lines.AsSpan(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            Assert.That(colon, Is.GreaterThan(0), head);
            Assert.That(headers.TryAdd(line[..colon].Trim(), line[(colon + 1)..].Trim()), Is.True, "repeated header: " + head);
        }

        Assert.That(headers.TryGetValue("Content-Length", out string? lengthText), Is.True, "every response carries a Content-Length: " + head);
        int length = int.Parse(lengthText!, NumberStyles.None, CultureInfo.InvariantCulture);
        while (_pending.Count < length)
        {
            if (await ReceiveAsync(timeout.Token) == 0)
            {
                Assert.Fail($"the server closed the connection after {_pending.Count} of {length} body bytes");
            }
        }

        byte[] body = _pending.GetRange(0, length).ToArray();
        _pending.RemoveRange(0, length);
        return new RawHttpResponse(statusCode, head, headers, body);
    }

    /// <summary>
    /// Waits for the server to close its side: true when the next read returns end of stream (or the connection is
    /// reset) with no byte in between; false when more bytes arrive or nothing happens within the timeout.
    /// </summary>
    public async Task<bool> ClosedByServerAsync(CancellationToken cancellationToken)
    {
        if (_pending.Count != 0)
        {
            return false;
        }

        using CancellationTokenSource timeout = Bounded(cancellationToken);
        try
        {
            return await ReceiveAsync(timeout.Token) == 0;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public void Dispose() => _socket.Dispose();

    private static CancellationTokenSource Bounded(CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(OperationTimeout);
        return source;
    }

    private async Task<int> ReceiveAsync(CancellationToken cancellationToken)
    {
        int n = await _socket.ReceiveAsync(_buffer, SocketFlags.None, cancellationToken);
        _pending.AddRange(_buffer.AsSpan(0, n));
        return n;
    }

    private int IndexOfHeadEnd()
    {
        for (int i = 0; i + 4 <= _pending.Count; i++)
        {
            if (_pending[i] == '\r' && _pending[i + 1] == '\n' && _pending[i + 2] == '\r' && _pending[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    private string Latin1(int count) => Encoding.Latin1.GetString(_pending.GetRange(0, count).ToArray());
}
