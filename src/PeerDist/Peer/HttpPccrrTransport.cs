using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using PeerDist.Retrieval.Client;
using PeerDist.Transport.Http;

namespace PeerDist.Peer;

/// <summary>
/// Carries <see cref="PccrrClient"/> exchanges over <see cref="PeerDistHttpClient"/>: one HTTP POST to the MS-PCCRR path
/// (<see cref="PeerDistHttpPaths.Retrieval"/>) of the peer's <see cref="IPEndPoint"/> per exchange (MS-PCCRR 2.1).
/// </summary>
/// <remarks>
/// <para>
/// The pooled response body is handed to <see cref="PccrrTransportResponse"/> without a copy: a small owner wraps the
/// <see cref="PeerDistHttpResponse"/>, and disposing the transport response returns the HTTP buffer to its pool (one small
/// wrapper object per exchange).
/// </para>
/// <para>
/// Failures map to <see cref="PccrrTransportStatus"/>: connect failure → <see cref="PccrrTransportStatus.ConnectFailed"/>;
/// connect or request timeout → <see cref="PccrrTransportStatus.TimedOut"/>; a status other than 200, a malformed or
/// oversized response → <see cref="PccrrTransportStatus.HttpError"/>; a connection closed or reset early, or another
/// socket error → <see cref="PccrrTransportStatus.ConnectionClosed"/>. Cancellation of the token throws
/// <see cref="OperationCanceledException"/> (the client tells its Request Timer from its caller's cancellation).
/// </para>
/// <para>The HTTP client stays owned by the caller; it may be shared with other protocols.</para>
/// </remarks>
public sealed class HttpPccrrTransport : IPccrrTransport
{
    private readonly PeerDistHttpClient _client;
    private readonly string _path;

    /// <summary>Creates a transport posting to <paramref name="path"/> (default: the MS-PCCRR path).</summary>
    public HttpPccrrTransport(PeerDistHttpClient client, string path = PeerDistHttpPaths.Retrieval)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(path);
        _client = client;
        _path = path;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="peer"/> is not an <see cref="IPEndPoint"/>.</exception>
    public async ValueTask<PccrrTransportResponse> SendAsync(EndPoint peer, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        if (peer is not IPEndPoint endPoint)
        {
            ThrowHelper.ThrowArgument("The peer must be an IPEndPoint.", nameof(peer));
            return null!; // not reached
        }

        PeerDistHttpResponse response;
        try
        {
            response = await _client.PostAsync(endPoint, _path, request, cancellationToken).ConfigureAwait(false);
        }
        catch (PeerDistHttpException e)
        {
            return PccrrTransportResponse.Failure(Map(e.Error));
        }
        catch (SocketException)
        {
            return PccrrTransportResponse.Failure(PccrrTransportStatus.ConnectionClosed);
        }
        catch (IOException)
        {
            return PccrrTransportResponse.Failure(PccrrTransportStatus.ConnectionClosed);
        }

        var owner = new ResponseOwner(response);
        return PccrrTransportResponse.FromBody(owner, owner.Memory.Length);
    }

    internal static PccrrTransportStatus Map(PeerDistHttpError error) => error switch
    {
        PeerDistHttpError.ConnectFailed => PccrrTransportStatus.ConnectFailed,
        PeerDistHttpError.ConnectTimeout or PeerDistHttpError.RequestTimeout => PccrrTransportStatus.TimedOut,
        PeerDistHttpError.UnexpectedStatus or PeerDistHttpError.ResponseTooLarge or PeerDistHttpError.MalformedResponse => PccrrTransportStatus.HttpError,
        _ => PccrrTransportStatus.ConnectionClosed,
    };

    /// <summary>Lends the HTTP response's pooled body to <see cref="PccrrTransportResponse"/> and returns it on dispose.</summary>
    private sealed class ResponseOwner : IMemoryOwner<byte>
    {
        private readonly PeerDistHttpResponse _response;

        public ResponseOwner(PeerDistHttpResponse response)
        {
            _response = response;

            // The body is only read by the client; the writable view exists because IMemoryOwner demands one.
            Memory = MemoryMarshal.AsMemory(response.Body);
        }

        public Memory<byte> Memory { get; }

        public void Dispose() => _response.Dispose();
    }
}
