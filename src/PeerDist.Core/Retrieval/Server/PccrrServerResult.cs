namespace PeerDist.Retrieval.Server;

/// <summary>The outcome of one <see cref="PccrrServer"/> request.</summary>
/// <param name="Action">Whether a response was written.</param>
/// <param name="Reason">Why, for logs and metrics.</param>
/// <param name="RequestType">The request's message type, when the header could be decoded as a request.</param>
/// <param name="Error">For <see cref="PccrrServerReason.Malformed"/>: the decoder's reason.</param>
/// <param name="ErrorOffset">For <see cref="PccrrServerReason.Malformed"/>: the offset in the request of the bad field.</param>
public readonly record struct PccrrServerResult(
    PccrrServerAction Action,
    PccrrServerReason Reason,
    PccrrMessageType? RequestType = null,
    PeerDistFormatError Error = PeerDistFormatError.Unknown,
    long ErrorOffset = 0)
{
    /// <summary>Whether a response was written.</summary>
    public bool IsRespond => Action == PccrrServerAction.Respond;
}
