using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PeerDist.Benchmarks.Http;

/// <summary>
/// A minimal MS-PCCRTP content server on 127.0.0.1, port 0, for the handler benchmark (the benchmark project has no
/// Kestrel): <c>GET /content</c> that lists <c>peerdist</c> in Accept-Encoding with an <c>X-P2P-PeerDist: Version=1.x</c>
/// header (and no Range, not a missing-data request) gets the content information with <c>Content-Encoding: peerdist</c>
/// and <c>X-P2P-PeerDist: Version=1.1, ContentLength=n</c>; anything else gets the plain bytes, whole or, with
/// <c>Range: bytes=a-b</c>, as a <c>206</c>. Keep-alive connections; just enough HTTP for one benchmark.
/// </summary>
internal sealed class PeerDistLoopbackOrigin : IAsyncDisposable
{
    private readonly byte[] _content;
    private readonly byte[] _contentInformation;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _peerDistResponses;
    private int _plainResponses;
    private long _bytesSent;

    /// <summary>Serves <paramref name="content"/> at <c>/content</c>, described by <paramref name="contentInformation"/> (V1, which every PeerDist 1.1 window includes).</summary>
    public PeerDistLoopbackOrigin(byte[] content, byte[] contentInformation)
    {
        _content = content;
        _contentInformation = contentInformation;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        Uri = new Uri($"http://{_listener.LocalEndPoint}/content");
        _accepting = AcceptAsync();
    }

    /// <summary>The content's address.</summary>
    public Uri Uri { get; }

    /// <summary>Responses that carried the content information.</summary>
    public int PeerDistResponses => Volatile.Read(ref _peerDistResponses);

    /// <summary>Responses that carried content bytes (whole or range).</summary>
    public int PlainResponses => Volatile.Read(ref _plainResponses);

    /// <summary>Content bytes sent so far (not counting content information).</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket = await _listener.AcceptAsync(_stop.Token);
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using (socket)
        {
            socket.NoDelay = true;
            byte[] buffer = new byte[16 * 1024];
            int filled = 0;
            try
            {
                while (true)
                {
                    int end;
                    while ((end = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
                    {
                        int n = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, _stop.Token);
                        if (n == 0 || filled + n == buffer.Length)
                        {
                            return;
                        }

                        filled += n;
                    }

                    string head = Encoding.ASCII.GetString(buffer, 0, end);
                    buffer.AsSpan(end + 4, filled - end - 4).CopyTo(buffer);
                    filled -= end + 4;
                    await AnswerAsync(socket, ParseHead(head));
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The client went away (a first-byte benchmark closes mid-body) or the origin is stopping.
            }
        }
    }

    private async Task AnswerAsync(Socket socket, Dictionary<string, string> headers)
    {
        headers.TryGetValue("accept-encoding", out string? codings);
        headers.TryGetValue("x-p2p-peerdist", out string? peerDist);
        headers.TryGetValue("range", out string? range);
        bool missingData = peerDist?.Contains("MissingDataRequest=true", StringComparison.OrdinalIgnoreCase) == true;
        if (range is null && !missingData && codings?.Contains("peerdist", StringComparison.OrdinalIgnoreCase) == true &&
            peerDist?.StartsWith("Version=1.", StringComparison.Ordinal) == true)
        {
            Interlocked.Increment(ref _peerDistResponses);
            string peerDistHead =
                $"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Encoding: peerdist\r\n" +
                $"X-P2P-PeerDist: Version=1.1, ContentLength={_content.Length}\r\nETag: \"bench\"\r\n" +
                $"Content-Length: {_contentInformation.Length}\r\n\r\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(peerDistHead), SocketFlags.None, _stop.Token);
            await SendAllAsync(socket, _contentInformation);
            return;
        }

        long start = 0;
        long length = _content.Length;
        string status = "200 OK";
        string contentRange = "";
        if (range is not null && range.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            string[] bounds = range["bytes=".Length..].Split('-');
            start = long.Parse(bounds[0], CultureInfo.InvariantCulture);
            long last = bounds[1].Length == 0 ? _content.Length - 1 : Math.Min(_content.Length - 1, long.Parse(bounds[1], CultureInfo.InvariantCulture));
            length = last - start + 1;
            status = "206 Partial Content";
            contentRange = $"Content-Range: bytes {start}-{last}/{_content.Length}\r\n";
        }

        Interlocked.Increment(ref _plainResponses);
        string plainHead = $"HTTP/1.1 {status}\r\nContent-Type: application/octet-stream\r\nETag: \"bench\"\r\nAccept-Ranges: bytes\r\n{contentRange}Content-Length: {length}\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(plainHead), SocketFlags.None, _stop.Token);
        await SendAllAsync(socket, _content.AsMemory((int)start, (int)length));
        Interlocked.Add(ref _bytesSent, length);
    }

    private async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> bytes)
    {
        for (int sent = 0; sent < bytes.Length;)
        {
            sent += await socket.SendAsync(bytes.Slice(sent, Math.Min(1 << 20, bytes.Length - sent)), SocketFlags.None, _stop.Token);
        }
    }

    private static Dictionary<string, string> ParseHead(string head)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in head.Split("\r\n").Skip(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
            }
        }

        return headers;
    }
}
