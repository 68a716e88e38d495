using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using PeerDist.Caching;
using PeerDist.Content;
using PeerDist.Peer;
using PeerDist.Retrieval.Server;
using PeerDist.Tests.Caching;

namespace PeerDist.Tests.Client;

/// <summary>
/// A peer on a raw loopback socket that speaks just enough HTTP/1.1 to read one MS-PCCRR POST per connection, builds the
/// real answer with a <see cref="PccrrServer"/> over a full cache, sends only part of it and closes the connection.
/// </summary>
internal sealed class DisconnectingPeer : IAsyncDisposable
{
    /// <summary>The longest any read or write of a connection may take.</summary>
    private static readonly TimeSpan s_operationTimeout = TimeSpan.FromSeconds(4);

    private const int MaxHeadBytes = 8 * 1024;

    private readonly Socket _listener;
    private readonly MemoryContentCache _cache;
    private readonly PccrrServer _server;
    private readonly DisconnectPoint _point;
    private readonly int _holdUntilRequests;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;
    private int _requests;

    private DisconnectingPeer(Socket listener, MemoryContentCache cache, DisconnectPoint point, int holdUntilRequests)
    {
        _listener = listener;
        _cache = cache;
        _server = new PccrrServer(new ContentCacheBlockSource(cache));
        _point = point;
        _holdUntilRequests = holdUntilRequests;
        EndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _accepting = AcceptAsync();
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Requests read (one per connection).</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>
    /// Starts the peer for <paramref name="content"/>; no request is answered (cut off) before
    /// <paramref name="holdUntilRequests"/> have arrived, bounded by a few seconds.
    /// </summary>
    public static DisconnectingPeer Start(TestContent content, DisconnectPoint point, int holdUntilRequests = 0)
    {
        var cache = new MemoryContentCache(new ContentCacheOptions { MaxSizeBytes = 1L << 30 });
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            foreach (ContentSegment segment in content.Segments)
            {
                Assert.That(cache.RegisterSegment(segment), Is.True);
                for (int i = 0; i < segment.BlockCount; i++)
                {
                    Assert.That(cache.PutBlock(segment.SegmentId.Span, i, content.Block(segment, i).Span), Is.EqualTo(BlockPutResult.Stored));
                }
            }

            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(64);
            return new DisconnectingPeer(listener, cache, point, holdUntilRequests);
        }
        catch
        {
            listener.Dispose();
            cache.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        try
        {
            await Task.WhenAll([_accepting, .. connections]).WaitAsync(s_operationTimeout);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
            // Shutting down: connections end however they end.
        }

        _stop.Dispose();
        _cache.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_connections)
            {
                _connections.Add(ServeAsync(socket));
            }
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using (socket)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(s_operationTimeout);
            try
            {
                byte[]? body = await ReadRequestBodyAsync(socket, timeout.Token);
                if (body is null)
                {
                    return;
                }

                if (Interlocked.Increment(ref _requests) >= _holdUntilRequests)
                {
                    _held.TrySetResult();
                }

                try
                {
                    await _held.Task.WaitAsync(TimeSpan.FromSeconds(3), timeout.Token);
                }
                catch (TimeoutException)
                {
                    // Answer anyway: the test then fails on its counts rather than hanging.
                }

                var answer = new ArrayBufferWriter<byte>();
                if (!_server.Handle(new ReadOnlySequence<byte>(body), answer).IsRespond)
                {
                    return;
                }

                byte[] head = Encoding.ASCII.GetBytes(
                    "HTTP/1.1 200 OK\r\nContent-Length: " + answer.WrittenCount.ToString(CultureInfo.InvariantCulture) + "\r\n\r\n");
                int sent = _point == DisconnectPoint.MidBody ? answer.WrittenCount / 2 : 0;
                await SendAsync(socket, head, timeout.Token);
                await SendAsync(socket, answer.WrittenMemory[..sent], timeout.Token);
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The client went away first, or the peer is shutting down.
            }
        }
    }

    /// <summary>Reads one request head and its Content-Length body; null when the client closed the connection first.</summary>
    private static async Task<byte[]?> ReadRequestBodyAsync(Socket socket, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[MaxHeadBytes + (64 * 1024)];
        int filled = 0;
        int headEnd;
        while ((headEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (filled >= MaxHeadBytes)
            {
                return null;
            }

            int read = await socket.ReceiveAsync(buffer.AsMemory(filled, MaxHeadBytes - filled), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                return null;
            }

            filled += read;
        }

        int contentLength = ParseContentLength(Encoding.ASCII.GetString(buffer, 0, headEnd));
        int bodyStart = headEnd + 4;
        if (contentLength < 0 || bodyStart + contentLength > buffer.Length)
        {
            return null;
        }

        while (filled < bodyStart + contentLength)
        {
            int read = await socket.ReceiveAsync(buffer.AsMemory(filled, bodyStart + contentLength - filled), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                return null;
            }

            filled += read;
        }

        return buffer.AsSpan(bodyStart, contentLength).ToArray();
    }

    private static int ParseContentLength(string head)
    {
        foreach (string line in head.Split("\r\n"))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                return int.Parse(line.AsSpan(colon + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
            }
        }

        return -1;
    }

    private static async Task SendAsync(Socket socket, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        while (!bytes.IsEmpty)
        {
            int sent = await socket.SendAsync(bytes, SocketFlags.None, cancellationToken);
            bytes = bytes[sent..];
        }
    }
}
