using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PeerDist.Transport.Http;

/// <summary>
/// Posts request bodies to Peer Distribution HTTP servers (MS-PCCRR 2.1, MS-PCHC 2.1) and returns the
/// response bodies in pooled buffers, keeping a bounded pool of keep-alive connections per peer.
/// </summary>
/// <remarks>
/// <para>
/// Why an own client over <see cref="Socket"/> and System.IO.Pipelines instead of <c>SocketsHttpHandler</c>
/// (decided by reasoning; the benchmark is still to be written):
/// the envelope is one POST with a body of at most 98 KiB and a response of at most 384 KiB, so
/// (1) the response body goes straight from the pipe into one pooled array the caller disposes, with no
/// <c>HttpResponseMessage</c>/<c>HttpContent</c>/header collection allocations per request, which matters
/// when a download issues one request per 64 KiB block to many peers;
/// (2) the limits (response head and body size, checked on the declared length before buffering) and the
/// two timeouts (connect, request) are ours and exact, typed as <see cref="PeerDistHttpError"/>, instead of
/// being reconstructed from <c>HttpRequestException</c>/<c>TaskCanceledException</c>;
/// (3) there is no proxy, redirect, cookie, decompression or authentication logic to switch off: a peer
/// address from discovery must never be routed through a system proxy;
/// (4) the pool is keyed by <see cref="IPEndPoint"/> (discovery gives addresses, not host names) and is bounded
/// per peer. What <c>SocketsHttpHandler</c> would give for free and this client lacks: HTTP/2, TLS (needed
/// for MS-PCHC v1 later) and years of hardening.
/// </para>
/// <para>
/// A request that fails on a reused pooled connection before any response byte arrived is retried once on a
/// new connection (the peer may have closed the idle connection in the meantime). MS-PCCRR and MS-PCHC
/// requests are safe to repeat.
/// </para>
/// </remarks>
public sealed class PeerDistHttpClient : IDisposable
{
    private readonly PeerDistHttpClientOptions _options;
    private readonly ConcurrentDictionary<IPEndPoint, EndPointPool> _pools = new();
    private volatile bool _disposed;

    /// <summary>Creates a client with default options.</summary>
    public PeerDistHttpClient()
        : this(new PeerDistHttpClientOptions())
    {
    }

    /// <summary>Creates a client.</summary>
    public PeerDistHttpClient(PeerDistHttpClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>The validated options.</summary>
    public PeerDistHttpClientOptions Options => _options;

    /// <summary>TCP connections opened so far (a measure of keep-alive reuse).</summary>
    public long ConnectionsOpened => Interlocked.Read(ref _connectionsOpened);

    private long _connectionsOpened;

    /// <summary>
    /// POSTs <paramref name="body"/> to <paramref name="path"/> on <paramref name="endPoint"/> and returns the
    /// 200 response body; the caller disposes it.
    /// </summary>
    /// <exception cref="PeerDistHttpException">Connect failure or timeout, request timeout, a status other than
    /// 200, an oversized or malformed response, or a connection closed early.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<PeerDistHttpResponse> PostAsync(
        IPEndPoint endPoint,
        string path,
        ReadOnlyMemory<byte> body,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0 || path[0] != '/' || !Ascii.IsValid(path) || path.AsSpan().IndexOfAny(" \r\n") >= 0)
        {
            HttpThrowHelper.ThrowArgument("The path must be an ASCII absolute path without spaces.", nameof(path));
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();

        EndPointPool pool = _pools.GetOrAdd(endPoint, static (ep, max) => new EndPointPool(max), _options.MaxConnectionsPerEndPoint);
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _options.TimeProvider);
        using CancellationTokenRegistration link = cancellationToken.UnsafeRegister(
            static state => ((CancellationTokenSource)state!).Cancel(), timeout);

        try
        {
            await pool.Slots.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw HttpThrowHelper.Create(PeerDistHttpError.ConnectTimeout, endPoint);
        }

        try
        {
            for (int attempt = 0; ; attempt++)
            {
                HttpClientConnection? connection = attempt == 0 ? pool.TryRent(_options) : null;
                bool reused = connection is not null;
                if (connection is null)
                {
                    connection = await ConnectAsync(endPoint, timeout, cancellationToken).ConfigureAwait(false);
                }

                timeout.CancelAfter(_options.RequestTimeout);
                try
                {
                    (PeerDistHttpResponse response, bool keepAlive) = await connection
                        .ExchangeAsync(path, body, _options, timeout.Token)
                        .ConfigureAwait(false);
                    if (keepAlive && !_disposed)
                    {
                        connection.LastUsed = _options.TimeProvider.GetTimestamp();
                        pool.Return(connection);
                    }
                    else
                    {
                        connection.Dispose();
                    }

                    return response;
                }
                catch (Exception e) when (reused && !connection.ReceivedAny && !timeout.IsCancellationRequested && IsConnectionLoss(e))
                {
                    connection.Dispose(); // stale keep-alive connection: try once more on a new one
                }
                catch (Exception e)
                {
                    connection.Dispose();
                    throw Map(e, endPoint, PeerDistHttpError.RequestTimeout, cancellationToken);
                }
            }
        }
        finally
        {
            pool.Slots.Release();
        }
    }

    /// <summary>Closes every pooled connection; requests in flight finish on their own connections.</summary>
    public void Dispose()
    {
        _disposed = true;
        foreach (EndPointPool pool in _pools.Values)
        {
            pool.Clear();
        }
    }

    private static bool IsConnectionLoss(Exception e) =>
        e is SocketException or IOException
        && !(e is PeerDistHttpException { Error: not PeerDistHttpError.ConnectionClosed });

    private static Exception Map(Exception e, EndPoint endPoint, PeerDistHttpError timeoutError, CancellationToken cancellationToken) => e switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => new OperationCanceledException(e.Message, e, cancellationToken),
        OperationCanceledException => HttpThrowHelper.Create(timeoutError, endPoint, inner: e),
        PeerDistHttpException => e,
        SocketException or IOException or ObjectDisposedException => HttpThrowHelper.Create(PeerDistHttpError.ConnectionClosed, endPoint, inner: e),
        _ => e,
    };

    private async ValueTask<HttpClientConnection> ConnectAsync(IPEndPoint endPoint, CancellationTokenSource timeout, CancellationToken cancellationToken)
    {
        timeout.CancelAfter(_options.ConnectTimeout);
        try
        {
            HttpClientConnection connection = await HttpClientConnection.ConnectAsync(endPoint, timeout.Token).ConfigureAwait(false);
            Interlocked.Increment(ref _connectionsOpened);
            return connection;
        }
        catch (SocketException e)
        {
            throw HttpThrowHelper.Create(PeerDistHttpError.ConnectFailed, endPoint, inner: e);
        }
        catch (Exception e)
        {
            throw Map(e, endPoint, PeerDistHttpError.ConnectTimeout, cancellationToken);
        }
    }

    /// <summary>The idle connections and the slot count of one peer.</summary>
    private sealed class EndPointPool(int maxConnections)
    {
        private readonly ConcurrentStack<HttpClientConnection> _idle = new();

        public SemaphoreSlim Slots { get; } = new(maxConnections, maxConnections);

        public HttpClientConnection? TryRent(PeerDistHttpClientOptions options)
        {
            while (_idle.TryPop(out HttpClientConnection? connection))
            {
                TimeSpan idleFor = options.TimeProvider.GetElapsedTime(connection.LastUsed);
                if (idleFor < options.PooledConnectionIdleTimeout && connection.IsReusable())
                {
                    return connection;
                }

                connection.Dispose();
            }

            return null;
        }

        public void Return(HttpClientConnection connection) => _idle.Push(connection);

        public void Clear()
        {
            while (_idle.TryPop(out HttpClientConnection? connection))
            {
                connection.Dispose();
            }
        }
    }
}
