using System.Net;

namespace PeerDist.Retrieval.Client;

/// <summary>
/// Carries one PCCRR request to a peer and brings back the response body (MS-PCCRR 2.1: one HTTP POST per exchange, no
/// state between exchanges). The socket transport adapts to this; tests answer from memory.
/// </summary>
/// <remarks>
/// The transport must not keep <c>request</c> after the returned task completes. A failure is reported as a typed
/// <see cref="PccrrTransportResponse"/> (never as a response body). When <c>cancellationToken</c> is cancelled the
/// transport may either throw <see cref="OperationCanceledException"/> or return
/// <see cref="PccrrTransportStatus.TimedOut"/>; <see cref="PccrrClient"/> tells its own timeout from the caller's
/// cancellation either way.
/// </remarks>
public interface IPccrrTransport
{
    /// <summary>Sends <paramref name="request"/> (one request message) to <paramref name="peer"/> and returns the response body.</summary>
    ValueTask<PccrrTransportResponse> SendAsync(EndPoint peer, ReadOnlyMemory<byte> request, CancellationToken cancellationToken);
}
