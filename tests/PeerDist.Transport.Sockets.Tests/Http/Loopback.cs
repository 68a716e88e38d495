using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using PeerDist.Transport.Http;

namespace PeerDist.Transport.Tests.Http;

/// <summary>Loopback-only helpers: servers on port 0, raw clients that write exact bytes.</summary>
internal static class Loopback
{
    public static IPEndPoint Any(bool ipv6 = false) => new(ipv6 ? IPAddress.IPv6Loopback : IPAddress.Loopback, 0);

    public static PeerDistHttpServerOptions Options(bool ipv6 = false) => new() { EndPoints = [Any(ipv6)] };

    public static PeerDistHttpServer Start(IPeerDistRequestHandler handler, PeerDistHttpServerOptions? options = null)
    {
        var server = new PeerDistHttpServer(options ?? Options(), handler);
        server.Start();
        return server;
    }

    public static void RequireIPv6()
    {
        if (!Socket.OSSupportsIPv6)
        {
            Assert.Ignore("IPv6 is not supported on this host.");
        }

        try
        {
            using var probe = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        }
        catch (SocketException)
        {
            Assert.Ignore("::1 is not available on this host.");
        }
    }

    public static async Task<Socket> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint, cancellationToken);
        return socket;
    }

    public static Task SendAsync(Socket socket, string ascii, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.ASCII.GetBytes(ascii), SocketFlags.None, cancellationToken).AsTask();

    /// <summary>Reads until the peer closes; returns everything as Latin-1 text.</summary>
    public static async Task<string> ReadToEndAsync(Socket socket, CancellationToken cancellationToken)
    {
        var all = new List<byte>();
        byte[] buffer = new byte[16 * 1024];
        while (true)
        {
            int n;
            try
            {
                n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                break;
            }

            if (n == 0)
            {
                break;
            }

            all.AddRange(buffer.AsSpan(0, n));
        }

        return Encoding.Latin1.GetString(all.ToArray());
    }

    /// <summary>Sends <paramref name="request"/> on a new connection and reads until the server closes.</summary>
    public static async Task<string> ExchangeUntilCloseAsync(IPEndPoint endPoint, string request, CancellationToken cancellationToken)
    {
        using Socket socket = await ConnectAsync(endPoint, cancellationToken);
        await SendAsync(socket, request, cancellationToken);
        return await ReadToEndAsync(socket, cancellationToken);
    }

    /// <summary>Reads exactly one response (head plus Content-Length body); <paramref name="pending"/> keeps extra bytes.</summary>
    public static async Task<(string Head, byte[] Body)> ReadResponseAsync(Socket socket, List<byte> pending, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[16 * 1024];
        int headEnd;
        while ((headEnd = IndexOf(pending, "\r\n\r\n"u8)) < 0)
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (n == 0)
            {
                throw new IOException("closed before the head was complete: " + Encoding.Latin1.GetString(pending.ToArray()));
            }

            pending.AddRange(buffer.AsSpan(0, n));
        }

        string head = Encoding.Latin1.GetString(pending.GetRange(0, headEnd + 4).ToArray());
        pending.RemoveRange(0, headEnd + 4);
        int length = 0;
        foreach (string line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                length = int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        while (pending.Count < length)
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (n == 0)
            {
                throw new IOException("closed before the body was complete");
            }

            pending.AddRange(buffer.AsSpan(0, n));
        }

        byte[] body = pending.GetRange(0, length).ToArray();
        pending.RemoveRange(0, length);
        return (head, body);
    }

    public static byte[] Pattern(int length, int seed = 0)
    {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)((i * 31) + seed + (i >> 8));
        }

        return bytes;
    }

    private static int IndexOf(List<byte> bytes, ReadOnlySpan<byte> value)
    {
        for (int i = 0; i + value.Length <= bytes.Count; i++)
        {
            bool match = true;
            for (int j = 0; j < value.Length && match; j++)
            {
                match = bytes[i + j] == value[j];
            }

            if (match)
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>Writes the request body back as the response body.</summary>
internal sealed class EchoHandler : IPeerDistRequestHandler
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public ValueTask<PeerDistHandlerResult> HandleAsync(
        ReadOnlySequence<byte> requestBody, EndPoint remoteEndPoint, IBufferWriter<byte> responseBody, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        foreach (ReadOnlyMemory<byte> segment in requestBody)
        {
            responseBody.Write(segment.Span);
        }

        return ValueTask.FromResult(PeerDistHandlerResult.Respond);
    }
}

/// <summary>Runs a delegate per request.</summary>
internal sealed class DelegateHandler(
    Func<ReadOnlySequence<byte>, IBufferWriter<byte>, CancellationToken, ValueTask<PeerDistHandlerResult>> handle) : IPeerDistRequestHandler
{
    public ValueTask<PeerDistHandlerResult> HandleAsync(
        ReadOnlySequence<byte> requestBody, EndPoint remoteEndPoint, IBufferWriter<byte> responseBody, CancellationToken cancellationToken) =>
        handle(requestBody, responseBody, cancellationToken);
}

/// <summary>A listener that accepts connections and never answers (for client timeouts).</summary>
internal sealed class SilentListener : IDisposable
{
    private readonly Socket _listener;
    private readonly List<Socket> _accepted = [];
    private readonly Task _loop;

    public SilentListener(int backlog = 16, bool accept = true)
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(Loopback.Any());
        _listener.Listen(backlog);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _loop = accept ? AcceptLoopAsync() : Task.CompletedTask;
    }

    public IPEndPoint EndPoint { get; }

    public void Dispose()
    {
        _listener.Dispose();
        lock (_accepted)
        {
            foreach (Socket socket in _accepted)
            {
                socket.Dispose();
            }
        }

        _ = _loop;
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                Socket socket = await _listener.AcceptAsync();
                lock (_accepted)
                {
                    _accepted.Add(socket);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }
}
