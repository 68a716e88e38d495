using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PeerDist.Transport.Http;

/// <summary>One keep-alive connection of <see cref="PeerDistHttpClient"/>: writes a POST, reads one response.</summary>
internal sealed class HttpClientConnection : IDisposable
{
    /// <summary>Bodies up to this size are copied behind the head and sent in one write; larger ones are sent as they are.</summary>
    private const int CoalesceLimit = 16 * 1024;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _reader;
    private readonly IPEndPoint _endPoint;
    private byte[] _scratch = [];

    private HttpClientConnection(Socket socket, IPEndPoint endPoint)
    {
        _socket = socket;
        _endPoint = endPoint;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, leaveOpen: true));
    }

    /// <summary>Timestamp (<see cref="TimeProvider.GetTimestamp"/>) of the last completed exchange.</summary>
    public long LastUsed { get; set; }

    /// <summary>False until the first response byte of the current exchange arrives.</summary>
    public bool ReceivedAny { get; private set; }

    public static async ValueTask<HttpClientConnection> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return new HttpClientConnection(socket, endPoint);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A pooled connection is reusable when the peer has neither closed it nor sent anything unasked.</summary>
    public bool IsReusable()
    {
        try
        {
            return !_socket.Poll(0, SelectMode.SelectRead) && !_socket.Poll(0, SelectMode.SelectError);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Sends one POST and reads its response. Returns the response and whether the connection may be reused.</summary>
    public async ValueTask<(PeerDistHttpResponse Response, bool KeepAlive)> ExchangeAsync(
        string path,
        ReadOnlyMemory<byte> body,
        PeerDistHttpClientOptions options,
        CancellationToken cancellationToken)
    {
        ReceivedAny = false;
        await SendRequestAsync(path, body, cancellationToken).ConfigureAwait(false);

        if (_scratch.Length == 0)
        {
            _scratch = ArrayPool<byte>.Shared.Rent(options.MaxResponseHeaderBytes);
        }

        // Head (1xx interim responses are skipped).
        ReadResult result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        ReadOnlySequence<byte> buffer = result.Buffer;
        HttpResponseHead head;
        while (true)
        {
            ReceivedAny |= !buffer.IsEmpty;
            OperationStatus status = HttpResponseParser.TryParse(
                buffer, options.MaxResponseHeaderBytes, _scratch, out head, out long headLength, out bool tooLarge);
            if (status == OperationStatus.Done)
            {
                if (head.StatusCode is >= 100 and < 200)
                {
                    buffer = buffer.Slice(headLength);
                    continue;
                }

                buffer = buffer.Slice(headLength);
                break;
            }

            if (status == OperationStatus.InvalidData)
            {
                HttpThrowHelper.Throw(tooLarge ? PeerDistHttpError.ResponseTooLarge : PeerDistHttpError.MalformedResponse, _endPoint);
            }

            if (result.IsCompleted)
            {
                HttpThrowHelper.Throw(PeerDistHttpError.ConnectionClosed, _endPoint);
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
            result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            buffer = result.Buffer;
        }

        if (head.StatusCode != 200)
        {
            HttpThrowHelper.Throw(PeerDistHttpError.UnexpectedStatus, _endPoint, head.StatusCode);
        }

        if (head.ContentLength > options.MaxResponseBodyBytes)
        {
            HttpThrowHelper.Throw(PeerDistHttpError.ResponseTooLarge, _endPoint);
        }

        PooledBufferWriter output = new(head.ContentLength > 0 ? (int)head.ContentLength : 4096);
        try
        {
            bool keepAlive = !head.ConnectionClose;
            if (head.ContentLength >= 0)
            {
                // What the pipe already holds is copied; the rest is received straight into the body buffer, so a
                // 64 KiB block crosses user space once and in a few large reads rather than through the pipe's segments.
                // Safe: once everything buffered is consumed the pipe has no read pending and holds nothing.
                int bodyLength = (int)head.ContentLength;
                Memory<byte> target = output.GetMemory(bodyLength)[..bodyLength];
                long buffered = Math.Min(buffer.Length, bodyLength);
                buffer.Slice(0, buffered).CopyTo(target.Span);
                _reader.AdvanceTo(buffer.GetPosition(buffered));
                int filled = (int)buffered;
                while (filled < bodyLength)
                {
                    if (result.IsCompleted)
                    {
                        HttpThrowHelper.Throw(PeerDistHttpError.ConnectionClosed, _endPoint);
                    }

                    int received = await _stream.ReadAsync(target[filled..], cancellationToken).ConfigureAwait(false);
                    if (received == 0)
                    {
                        HttpThrowHelper.Throw(PeerDistHttpError.ConnectionClosed, _endPoint);
                    }

                    filled += received;
                }

                output.Advance(bodyLength);
            }
            else if (head.IsChunked)
            {
                var decoder = default(ChunkedBodyDecoder);
                while (true)
                {
                    ChunkedDecodeStatus status = decoder.Decode(
                        buffer, output, options.MaxResponseBodyBytes, options.MaxResponseHeaderBytes, out SequencePosition consumed);
                    if (status == ChunkedDecodeStatus.Done)
                    {
                        _reader.AdvanceTo(consumed);
                        break;
                    }

                    if (status != ChunkedDecodeStatus.NeedMoreData)
                    {
                        HttpThrowHelper.Throw(
                            status == ChunkedDecodeStatus.TooLarge ? PeerDistHttpError.ResponseTooLarge : PeerDistHttpError.MalformedResponse, _endPoint);
                    }

                    if (result.IsCompleted)
                    {
                        HttpThrowHelper.Throw(PeerDistHttpError.ConnectionClosed, _endPoint);
                    }

                    _reader.AdvanceTo(consumed, buffer.End);
                    result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    buffer = result.Buffer;
                }
            }
            else
            {
                // No framing: the body runs to the end of the connection (RFC 9112 6.3 rule 8).
                keepAlive = false;
                while (!result.IsCompleted)
                {
                    if (buffer.Length > options.MaxResponseBodyBytes)
                    {
                        HttpThrowHelper.Throw(PeerDistHttpError.ResponseTooLarge, _endPoint);
                    }

                    _reader.AdvanceTo(buffer.Start, buffer.End);
                    result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    buffer = result.Buffer;
                }

                if (buffer.Length > options.MaxResponseBodyBytes)
                {
                    HttpThrowHelper.Throw(PeerDistHttpError.ResponseTooLarge, _endPoint);
                }

                buffer.CopyTo(output.GetSpan((int)buffer.Length));
                output.Advance((int)buffer.Length);
                _reader.AdvanceTo(buffer.End);
            }

            byte[] array = output.Detach(out int length);
            return (new PeerDistHttpResponse(head.StatusCode, array, length), keepAlive);
        }
        finally
        {
            output.Dispose();
        }
    }

    public void Dispose()
    {
        _reader.Complete();
        _stream.Dispose();
        _socket.Dispose();
        if (_scratch.Length != 0)
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = [];
        }
    }

    private async ValueTask SendRequestAsync(string path, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        // "POST " path " HTTP/1.1\r\nHost: " host "\r\nContent-Length: " n "\r\n\r\n"
        int headCapacity = 96 + path.Length + 64;
        bool coalesce = body.Length <= CoalesceLimit;
        byte[] rented = ArrayPool<byte>.Shared.Rent(headCapacity + (coalesce ? body.Length : 0));
        try
        {
            int n = WriteHead(rented, path, body.Length);
            if (coalesce)
            {
                body.Span.CopyTo(rented.AsSpan(n));
                await SendAllAsync(rented.AsMemory(0, n + body.Length), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await SendAllAsync(rented.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                await SendAllAsync(body, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private int WriteHead(Span<byte> destination, string path, int contentLength)
    {
        int n = 0;
        n += Append(destination[n..], "POST "u8);
        n += Encoding.ASCII.GetBytes(path, destination[n..]);
        n += Append(destination[n..], " HTTP/1.1\r\nHost: "u8);
        bool ok = _endPoint.Address.AddressFamily == AddressFamily.InterNetworkV6
            ? TryWriteBracketed(destination[n..], out int written)
            : _endPoint.Address.TryFormat(destination[n..], out written);
        System.Diagnostics.Debug.Assert(ok);
        n += written;
        destination[n++] = (byte)':';
        ok = _endPoint.Port.TryFormat(destination[n..], out written, default, System.Globalization.CultureInfo.InvariantCulture);
        System.Diagnostics.Debug.Assert(ok);
        n += written;
        n += Append(destination[n..], "\r\nContent-Length: "u8);
        ok = contentLength.TryFormat(destination[n..], out written, default, System.Globalization.CultureInfo.InvariantCulture);
        System.Diagnostics.Debug.Assert(ok);
        n += written;
        n += Append(destination[n..], "\r\n\r\n"u8);
        return n;
    }

    private bool TryWriteBracketed(Span<byte> destination, out int written)
    {
        destination[0] = (byte)'[';
        bool ok = _endPoint.Address.TryFormat(destination[1..], out int inner);
        destination[inner + 1] = (byte)']';
        written = inner + 2;
        return ok;
    }

    private static int Append(Span<byte> destination, ReadOnlySpan<byte> value)
    {
        value.CopyTo(destination);
        return value.Length;
    }

    private async ValueTask SendAllAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        while (!bytes.IsEmpty)
        {
            int sent = await _socket.SendAsync(bytes, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            bytes = bytes[sent..];
        }
    }
}
