using System.Buffers;
using System.Net;

namespace PeerDist.Transport.Http;

/// <summary>
/// Answers one HTTP POST body with one response body. The transport calls it with bytes and sends bytes;
/// it never looks inside them (the engines parse MS-PCCRR / MS-PCHC).
/// </summary>
public interface IPeerDistRequestHandler
{
    /// <summary>Handles one request.</summary>
    /// <param name="requestBody">
    /// The complete request body (Content-Length or de-chunked). Valid only until the returned task completes;
    /// copy it to keep it longer.
    /// </param>
    /// <param name="remoteEndPoint">The peer that sent the request.</param>
    /// <param name="responseBody">
    /// Where the response body goes. Write block payloads straight into it: the bytes are sent from the
    /// writer's pooled buffers without another copy. Ignored unless the result is <see cref="PeerDistHandlerResult.Respond"/>.
    /// </param>
    /// <param name="cancellationToken">Cancelled when the server aborts (shutdown timeout passed).</param>
    /// <returns>What to send.</returns>
    ValueTask<PeerDistHandlerResult> HandleAsync(
        ReadOnlySequence<byte> requestBody,
        EndPoint remoteEndPoint,
        IBufferWriter<byte> responseBody,
        CancellationToken cancellationToken);
}
