using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PeerDist.Tests.Shared;

/// <summary>
/// A minimal HTTP/1.1 origin on a loopback address for tests and benchmarks (the benchmark project links this file): answers <c>GET /content</c> with the whole content or,
/// with <c>Range: bytes=a-b</c>, with <c>206</c> and that range, on keep-alive connections. Just enough HTTP to be the
/// "plain download" baseline and the fallback origin of the download client; not a general server.
/// </summary>
public sealed class LoopbackHttpOrigin : IAsyncDisposable
{
    private readonly byte[] _content;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _requests;
    private long _bytesSent;

    /// <summary>Serves <paramref name="content"/> at <c>/content</c> on <paramref name="address"/> (127.0.0.1 by default), port 0.</summary>
    public LoopbackHttpOrigin(byte[] content, IPAddress? address = null)
    {
        _content = content;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(address ?? IPAddress.Loopback, 0));
        _listener.Listen(64);
        Uri = new Uri($"http://{_listener.LocalEndPoint}/content");
        _accepting = AcceptAsync();
    }

    /// <summary>The content's address.</summary>
    public Uri Uri { get; }

    /// <summary>Requests answered so far (whole or range).</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Content bytes sent so far.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
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
            byte[] buffer = new byte[8192];
            int filled = 0;
            try
            {
                while (true)
                {
                    int end;
                    while ((end = IndexOfHeadEnd(buffer.AsSpan(0, filled))) < 0)
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
                    (long start, long length, bool partial) = ParseRange(head, _content.Length);
                    Interlocked.Increment(ref _requests);
                    Interlocked.Add(ref _bytesSent, length);
                    string status = partial ? "206 Partial Content" : "200 OK";
                    string range = partial ? $"Content-Range: bytes {start}-{start + length - 1}/{_content.Length}\r\n" : "";
                    byte[] responseHead = Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Length: {length}\r\n{range}Accept-Ranges: bytes\r\n\r\n");
                    await socket.SendAsync(responseHead, SocketFlags.None, _stop.Token);
                    for (long sent = 0; sent < length;)
                    {
                        sent += await socket.SendAsync(_content.AsMemory((int)(start + sent), (int)Math.Min(1 << 20, length - sent)), SocketFlags.None, _stop.Token);
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }

    private static int IndexOfHeadEnd(ReadOnlySpan<byte> bytes) => bytes.IndexOf("\r\n\r\n"u8);

    private static (long Start, long Length, bool Partial) ParseRange(string head, long total)
    {
        foreach (string line in head.Split("\r\n"))
        {
            if (line.StartsWith("Range: bytes=", StringComparison.OrdinalIgnoreCase))
            {
                string[] bounds = line["Range: bytes=".Length..].Split('-');
                long start = long.Parse(bounds[0], CultureInfo.InvariantCulture);
                long last = bounds[1].Length == 0 ? total - 1 : Math.Min(total - 1, long.Parse(bounds[1], CultureInfo.InvariantCulture));
                return (start, last - start + 1, true);
            }
        }

        return (0, total, false);
    }
}
