using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace PeerDist.Transport.Http;

/// <summary>
/// A small HTTP/1.1 server for the POST envelope of MS-PCCRR (2.1) and MS-PCHC (2.1): one request body in,
/// one response body out, keep-alive, pipelining, chunked uploads and <c>Expect: 100-continue</c>.
/// It routes by path to an <see cref="IPeerDistRequestHandler"/> and never parses the bodies.
/// </summary>
/// <remarks>
/// Anything that does not fit gets a status and a closed connection: 400 malformed, 404 unknown path,
/// 405 not POST, 411 no length, 413 body over <see cref="PeerDistHttpServerOptions.MaxRequestBodyBytes"/>,
/// 417 unknown expectation, 431 head over <see cref="PeerDistHttpServerOptions.MaxRequestHeaderBytes"/>,
/// 501 unknown transfer coding, 505 other HTTP versions, 408 upload timeout. A malformed request never gets
/// a protocol message back (wire notes 1.1). <see cref="DisposeAsync"/> is the graceful shutdown: stop
/// accepting, close idle connections, let in-flight requests answer, abort what is left after
/// <see cref="PeerDistHttpServerOptions.ShutdownTimeout"/>.
/// </remarks>
public sealed class PeerDistHttpServer : IAsyncDisposable
{
    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly ConcurrentDictionary<HttpServerConnection, Task> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _aborting = new();
    private int _connectionCount;
    private long _acceptedCount;
    private int _state; // 0 created, 1 started, 2 stopped

    /// <summary>Creates a server that serves <paramref name="handler"/> at <see cref="PeerDistHttpPaths.Retrieval"/>.</summary>
    public PeerDistHttpServer(PeerDistHttpServerOptions options, IPeerDistRequestHandler handler)
        : this(options, new Dictionary<string, IPeerDistRequestHandler>(StringComparer.Ordinal) { [PeerDistHttpPaths.Retrieval] = handler })
    {
    }

    /// <summary>Creates a server with one handler per path (compared case-insensitively, trailing '/' optional).</summary>
    public PeerDistHttpServer(PeerDistHttpServerOptions options, IReadOnlyDictionary<string, IPeerDistRequestHandler> routes)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(routes);
        options.Validate();
        if (routes.Count == 0)
        {
            HttpThrowHelper.ThrowArgument("At least one route is required.", nameof(routes));
        }

        Options = options;
        var paths = new byte[routes.Count][];
        var handlers = new IPeerDistRequestHandler[routes.Count];
        int i = 0;
        foreach (KeyValuePair<string, IPeerDistRequestHandler> route in routes)
        {
            ArgumentNullException.ThrowIfNull(route.Value, nameof(routes));
            paths[i] = HttpRequestParser.NormalizeRoute(route.Key);
            for (int j = 0; j < i; j++)
            {
                if (System.Text.Ascii.EqualsIgnoreCase(paths[j], paths[i]))
                {
                    HttpThrowHelper.ThrowArgument("Two routes differ only in case or trailing '/'.", nameof(routes));
                }
            }

            handlers[i] = route.Value;
            i++;
        }

        RoutePaths = paths;
        Handlers = handlers;
    }

    /// <summary>The validated options.</summary>
    public PeerDistHttpServerOptions Options { get; }

    /// <summary>The end points actually bound (port 0 resolved), once <see cref="Start"/> has run.</summary>
    public IReadOnlyList<IPEndPoint> LocalEndPoints { get; private set; } = [];

    /// <summary>Connections accepted so far (including ones closed for the connection limit).</summary>
    public long AcceptedConnectionCount => Interlocked.Read(ref _acceptedCount);

    /// <summary>Connections open now.</summary>
    public int ActiveConnectionCount => Volatile.Read(ref _connectionCount);

    internal byte[][] RoutePaths { get; }

    internal IPeerDistRequestHandler[] Handlers { get; }

    internal CancellationToken StoppingToken => _stopping.Token;

    internal CancellationToken AbortToken => _aborting.Token;

    /// <summary>Binds every end point and starts accepting. Throws <see cref="SocketException"/> when a bind fails.</summary>
    public void Start()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            HttpThrowHelper.ThrowInvalidOperation("The server was already started.");
        }

        var bound = new List<IPEndPoint>(Options.EndPoints.Count);
        try
        {
            foreach (IPEndPoint endPoint in Options.EndPoints)
            {
                var listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                _listeners.Add(listener);
                if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    // Bind exactly what was asked: [::] is IPv6 only; bind 0.0.0.0 as well for IPv4.
                    listener.DualMode = false;
                }

                listener.Bind(endPoint);
                listener.Listen(Options.ListenBacklog);
                bound.Add((IPEndPoint)listener.LocalEndPoint!);
            }
        }
        catch
        {
            foreach (Socket listener in _listeners)
            {
                listener.Dispose();
            }

            _listeners.Clear();
            throw;
        }

        LocalEndPoints = bound;
        foreach (Socket listener in _listeners)
        {
            _acceptLoops.Add(AcceptLoopAsync(listener));
        }
    }

    /// <summary>
    /// Graceful shutdown: stops accepting, closes idle keep-alive connections, waits for in-flight requests
    /// until <paramref name="cancellationToken"/> fires, then aborts the rest (handlers see their token cancelled).
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (Socket listener in _listeners)
        {
            listener.Dispose();
        }

        foreach (HttpServerConnection connection in _connections.Keys)
        {
            connection.RequestStop();
        }

        try
        {
            await Task.WhenAll(_acceptLoops).ConfigureAwait(false);
            await Task.WhenAll(_connections.Values).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await _aborting.CancelAsync().ConfigureAwait(false);
            foreach (HttpServerConnection connection in _connections.Keys)
            {
                connection.Abort();
            }

            await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        }
    }

    /// <summary>Stops as <see cref="StopAsync"/> does, bounded by <see cref="PeerDistHttpServerOptions.ShutdownTimeout"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(Options.ShutdownTimeout, Options.TimeProvider))
        {
            await StopAsync(timeout.Token).ConfigureAwait(false);
        }

        _stopping.Dispose();
        _aborting.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }

                // Out of descriptors or a reset before accept: back off briefly instead of spinning.
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(10), Options.TimeProvider, _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            Interlocked.Increment(ref _acceptedCount);
            if (Interlocked.Increment(ref _connectionCount) > Options.MaxConcurrentConnections || _stopping.IsCancellationRequested)
            {
                Interlocked.Decrement(ref _connectionCount);
                socket.Dispose();
                continue;
            }

            socket.NoDelay = true;
            var connection = new HttpServerConnection(this, socket);
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _connections[connection] = started.Task;
            _ = RunConnectionAsync(connection, started);
        }
    }

    private async Task RunConnectionAsync(HttpServerConnection connection, TaskCompletionSource completion)
    {
        try
        {
            await Task.Yield();
            if (_stopping.IsCancellationRequested)
            {
                connection.RequestStop();
            }

            await connection.RunAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A faulty handler closes its connection, never the server.
        catch (Exception)
        {
        }
#pragma warning restore CA1031
        finally
        {
            connection.Dispose();
            _connections.TryRemove(connection, out _);
            Interlocked.Decrement(ref _connectionCount);
            completion.TrySetResult();
        }
    }
}
