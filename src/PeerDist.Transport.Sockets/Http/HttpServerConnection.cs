using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Authentication;

namespace PeerDist.Transport.Http;

/// <summary>
/// One accepted connection: reads requests in order (pipelined ones too), calls the handler, writes each
/// response with one gather send. Timers: <see cref="PeerDistHttpServerOptions.IdleTimeout"/> while waiting for
/// the first byte of a request, <see cref="PeerDistHttpServerOptions.UploadTimeout"/> from that byte to the end
/// of the body; none while the handler runs.
/// </summary>
internal sealed class HttpServerConnection : IDisposable
{
    private const int HeaderScratchSize = 64;

    /// <summary>
    /// After an error response the server stops sending and reads (and drops) what the client still sends for
    /// up to this long, so closing with unread input does not reset the connection before the client has read
    /// the status.
    /// </summary>
    private static readonly TimeSpan s_lingerTimeout = TimeSpan.FromSeconds(2);

    private static readonly byte[] s_continue = HttpResponses.Continue.ToArray();

    private readonly PeerDistHttpServer _server;
    private readonly PeerDistHttpServerOptions _options;
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private PipeReader _reader;
    private SslStream? _tls;
    private readonly EndPoint _remote;
    private readonly CancellationTokenSource _readTimeout;
    private readonly SegmentedBufferWriter _response = new();
    private readonly List<ArraySegment<byte>> _sendList = new(4);
    private readonly byte[] _responseHead = new byte[HeaderScratchSize];
    private readonly Lock _gate = new();
    private byte[] _scratch = [];
    private PooledBufferWriter? _chunkedBody;
    private bool _idle;
    private bool _stopRequested;
    private bool _timedOut;
    private bool _disposed;

    public HttpServerConnection(PeerDistHttpServer server, Socket socket)
    {
        _server = server;
        _options = server.Options;
        _socket = socket;
        _remote = socket.RemoteEndPoint ?? new IPEndPoint(IPAddress.None, 0);
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = _options.Tls is null ? CreateReader(_stream) : PipeReader.Create(Stream.Null);
        _readTimeout = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _options.TimeProvider);
        _readTimeout.Token.UnsafeRegister(static state => ((HttpServerConnection)state!).OnReadTimeout(), this);
    }

    /// <summary>Graceful stop: an idle connection closes now, a busy one after its current response.</summary>
    public void RequestStop()
    {
        lock (_gate)
        {
            _stopRequested = true;
            if (_idle && !_disposed)
            {
                _readTimeout.Cancel();
            }
        }
    }

    /// <summary>Hard stop: the socket goes away under whatever is running.</summary>
    public void Abort()
    {
        RequestStop();
        _socket.Dispose();
    }

    public async Task RunAsync()
    {
        try
        {
            if (_options.Tls is SslServerAuthenticationOptions tls && !await AuthenticateAsync(tls).ConfigureAwait(false))
            {
                return;
            }

            while (await ProcessRequestAsync().ConfigureAwait(false))
            {
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or AuthenticationException)
        {
            if (_timedOut && !_idle && !IsStopRequested())
            {
                await TrySendAsync(HttpResponses.Get(HttpRequestRejection.RequestTimeout).ToArray()).ConfigureAwait(false);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        _reader.Complete();
        _tls?.Dispose();
        _stream.Dispose();
        _socket.Dispose();
        _readTimeout.Dispose();
        _response.Dispose();
        _chunkedBody?.Dispose();
        if (_scratch.Length != 0)
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = [];
        }
    }

    private static PipeReader CreateReader(Stream stream) =>
        PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, leaveOpen: true));

    /// <summary>The TLS handshake, bounded by the upload timeout; false when it fails (the connection just closes).</summary>
    private async ValueTask<bool> AuthenticateAsync(SslServerAuthenticationOptions tls)
    {
        _tls = new SslStream(_stream, leaveInnerStreamOpen: true);
        using var handshake = new CancellationTokenSource(_options.UploadTimeout, _options.TimeProvider);
        using CancellationTokenRegistration abort = _server.AbortToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), handshake);
        try
        {
            await _tls.AuthenticateAsServerAsync(tls, handshake.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            return false;
        }

        _reader.Complete();
        _reader = CreateReader(_tls);
        return true;
    }

    /// <summary>Handles one request; false when the connection is to close.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ProcessRequestAsync()
    {
        // Idle: wait for the first byte of the next request.
        lock (_gate)
        {
            if (_stopRequested)
            {
                return false;
            }

            _idle = true;
            ArmTimer(_options.IdleTimeout);
        }

        ReadResult result = await _reader.ReadAsync(_readTimeout.Token).ConfigureAwait(false);
        ReadOnlySequence<byte> buffer = result.Buffer;
        while (buffer.IsEmpty)
        {
            if (result.IsCompleted || result.IsCanceled)
            {
                return false;
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
            result = await _reader.ReadAsync(_readTimeout.Token).ConfigureAwait(false);
            buffer = result.Buffer;
        }

        lock (_gate)
        {
            _idle = false;
            ArmTimer(_options.UploadTimeout);
        }

        // Head.
        if (_scratch.Length == 0)
        {
            _scratch = ArrayPool<byte>.Shared.Rent(_options.MaxRequestHeaderBytes);
        }

        HttpRequestHead head;
        long headLength;
        while (true)
        {
            OperationStatus status = HttpRequestParser.TryParse(
                buffer, _options.MaxRequestHeaderBytes, _server.RoutePaths, _scratch, out head, out headLength, out HttpRequestRejection rejection);
            if (status == OperationStatus.Done)
            {
                break;
            }

            if (status == OperationStatus.InvalidData)
            {
                await RejectAsync(rejection).ConfigureAwait(false);
                return false;
            }

            if (result.IsCompleted)
            {
                return false;
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
            result = await _reader.ReadAsync(_readTimeout.Token).ConfigureAwait(false);
            buffer = result.Buffer;
        }

        HttpRequestRejection semantic = HttpRequestParser.Validate(head, _options.MaxRequestBodyBytes);
        if (semantic != HttpRequestRejection.None)
        {
            await RejectAsync(semantic).ConfigureAwait(false);
            return false;
        }

        // Body.
        ReadOnlySequence<byte> body;
        SequencePosition requestEnd;
        if (!head.IsChunked)
        {
            long total = headLength + head.ContentLength;
            if (head.ExpectContinue && head.IsHttp11 && head.ContentLength > 0 && buffer.Length < total)
            {
                await SendAsync(s_continue).ConfigureAwait(false);
            }

            while (buffer.Length < total)
            {
                if (result.IsCompleted)
                {
                    return false;
                }

                _reader.AdvanceTo(buffer.Start, buffer.End);
                result = await _reader.ReadAsync(_readTimeout.Token).ConfigureAwait(false);
                buffer = result.Buffer;
            }

            body = buffer.Slice(headLength, head.ContentLength);
            requestEnd = body.End;
        }
        else
        {
            if (head.ExpectContinue && head.IsHttp11 && buffer.Length == headLength)
            {
                await SendAsync(s_continue).ConfigureAwait(false);
            }

            _chunkedBody ??= new PooledBufferWriter(4096);
            _chunkedBody.Clear();
            var decoder = default(ChunkedBodyDecoder);
            buffer = buffer.Slice(headLength);
            while (true)
            {
                ChunkedDecodeStatus status = decoder.Decode(
                    buffer, _chunkedBody, _options.MaxRequestBodyBytes, _options.MaxRequestHeaderBytes, out SequencePosition consumed);
                if (status == ChunkedDecodeStatus.Done)
                {
                    requestEnd = consumed;
                    break;
                }

                if (status != ChunkedDecodeStatus.NeedMoreData)
                {
                    await RejectAsync(status == ChunkedDecodeStatus.TooLarge ? HttpRequestRejection.PayloadTooLarge : HttpRequestRejection.BadRequest)
                        .ConfigureAwait(false);
                    return false;
                }

                if (result.IsCompleted)
                {
                    return false;
                }

                _reader.AdvanceTo(consumed, buffer.End);
                result = await _reader.ReadAsync(_readTimeout.Token).ConfigureAwait(false);
                buffer = result.Buffer;
            }

            body = new ReadOnlySequence<byte>(_chunkedBody.WrittenMemory);
        }

        lock (_gate)
        {
            ArmTimer(Timeout.InfiniteTimeSpan);
        }

        // Handler.
        _response.Reset();
        PeerDistHandlerResult handled = await _server.Handlers[head.RouteIndex]
            .HandleAsync(body, _remote, _response, _server.AbortToken)
            .ConfigureAwait(false);
        _reader.AdvanceTo(requestEnd);

        if (handled == PeerDistHandlerResult.Close)
        {
            _response.Reset();
            return false;
        }

        if (handled != PeerDistHandlerResult.Respond)
        {
            _response.Reset();
            await RejectAsync(HttpRequestRejection.BadRequest).ConfigureAwait(false);
            return false;
        }

        bool close = head.ConnectionClose || IsStopRequested();
        int headBytes = HttpAscii.WriteOkHead(_responseHead, _response.WrittenCount, close);
        _sendList.Clear();
        _sendList.Add(new ArraySegment<byte>(_responseHead, 0, headBytes));
        _response.AddTo(_sendList);
        await SendAsync(_sendList).ConfigureAwait(false);
        _response.Reset();
        _sendList.Clear();
        return !close;
    }

    private bool IsStopRequested()
    {
        lock (_gate)
        {
            return _stopRequested;
        }
    }

    private void ArmTimer(TimeSpan timeout)
    {
        _readTimeout.CancelAfter(timeout);
    }

    private void OnReadTimeout() => _timedOut = true;

    private async ValueTask RejectAsync(HttpRequestRejection rejection)
    {
        lock (_gate)
        {
            ArmTimer(Timeout.InfiniteTimeSpan);
        }

        await TrySendAsync(HttpResponses.Get(rejection).ToArray()).ConfigureAwait(false);

        // Half-close so the client reads the status before it sees the connection go away, then linger.
        try
        {
            if (_tls is not null)
            {
                await _tls.ShutdownAsync().ConfigureAwait(false);
            }

            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            return;
        }

        await LingerAsync().ConfigureAwait(false);
    }

    private async ValueTask LingerAsync()
    {
        long limit = _options.MaxRequestBodyBytes + _options.MaxRequestHeaderBytes;
        byte[] sink = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            using var linger = new CancellationTokenSource(s_lingerTimeout, _options.TimeProvider);
            using CancellationTokenRegistration abort = _server.AbortToken.UnsafeRegister(
                static state => ((CancellationTokenSource)state!).Cancel(), linger);
            long total = 0;
            while (total < limit)
            {
                int n = await _socket.ReceiveAsync(sink, SocketFlags.None, linger.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                total += n;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(sink);
        }
    }

    private async ValueTask TrySendAsync(byte[] bytes)
    {
        try
        {
            await SendAsync(bytes).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
        }
    }

    private async ValueTask SendAsync(ReadOnlyMemory<byte> bytes)
    {
        if (_tls is not null)
        {
            await _tls.WriteAsync(bytes).ConfigureAwait(false);
            return;
        }

        while (!bytes.IsEmpty)
        {
            int sent = await _socket.SendAsync(bytes, SocketFlags.None).ConfigureAwait(false);
            bytes = bytes[sent..];
        }
    }

    private async ValueTask SendAsync(List<ArraySegment<byte>> segments)
    {
        if (_tls is not null)
        {
            // TLS records are built per write: no gather send, the copies into records are unavoidable.
            foreach (ArraySegment<byte> part in segments)
            {
                await _tls.WriteAsync(part.AsMemory()).ConfigureAwait(false);
            }

            await _tls.FlushAsync().ConfigureAwait(false);
            return;
        }

        int total = 0;
        foreach (ArraySegment<byte> segment in segments)
        {
            total += segment.Count;
        }

        int sent = await _socket.SendAsync(segments, SocketFlags.None).ConfigureAwait(false);
        if (sent == total)
        {
            return;
        }

        // A short gather send is rare (non-blocking partial write); finish segment by segment.
        foreach (ArraySegment<byte> segment in segments)
        {
            if (sent >= segment.Count)
            {
                sent -= segment.Count;
                continue;
            }

            await SendAsync(segment.AsMemory(sent)).ConfigureAwait(false);
            sent = 0;
        }
    }
}
