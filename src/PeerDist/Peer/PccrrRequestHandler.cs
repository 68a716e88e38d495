using System.Buffers;
using System.Net;
using PeerDist.Retrieval.Server;
using PeerDist.Transport.Http;

namespace PeerDist.Peer;

/// <summary>
/// Connects <see cref="PeerDistHttpServer"/> to <see cref="PccrrServer"/>: each POST body on the MS-PCCRR path is one
/// request message, answered with <c>200 OK</c> and the response body the engine wrote, or refused with
/// <c>400 Bad Request</c> (never a PCCRR message, wire.md §1.1) when the engine drops it.
/// </summary>
/// <remarks>
/// The handler takes no <see cref="ActiveClientScope"/> of its own: <see cref="PccrrServer.Handle(in ReadOnlySequence{byte}, IBufferWriter{byte})"/>
/// counts the request while it builds the reply, and the response is written straight into the server's pooled writer,
/// so nothing of the upload outlives the call. A second count around the call would double every request (with a
/// threshold of 1, every request would be answered as busy).
/// </remarks>
public sealed class PccrrRequestHandler : IPeerDistRequestHandler
{
    private readonly PccrrServer _server;

    /// <summary>Creates a handler over <paramref name="server"/>.</summary>
    public PccrrRequestHandler(PccrrServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        _server = server;
    }

    /// <summary>The engine answering the requests.</summary>
    public PccrrServer Server => _server;

    /// <inheritdoc/>
    public ValueTask<PeerDistHandlerResult> HandleAsync(
        ReadOnlySequence<byte> requestBody,
        EndPoint remoteEndPoint,
        IBufferWriter<byte> responseBody,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(responseBody);
        PccrrServerResult result = _server.Handle(requestBody, responseBody);
        return new ValueTask<PeerDistHandlerResult>(result.IsRespond ? PeerDistHandlerResult.Respond : PeerDistHandlerResult.Reject);
    }
}
