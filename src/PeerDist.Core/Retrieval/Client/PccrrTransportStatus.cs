namespace PeerDist.Retrieval.Client;

/// <summary>How one transport exchange ended.</summary>
public enum PccrrTransportStatus
{
    /// <summary>An HTTP 200 response arrived; its body is in <see cref="PccrrTransportResponse.Body"/>.</summary>
    Success = 0,

    /// <summary>The connection could not be opened.</summary>
    ConnectFailed = 1,

    /// <summary>The transport gave up waiting (its own timer, or the request's cancellation token fired).</summary>
    TimedOut = 2,

    /// <summary>The peer answered with an HTTP status other than 200 (how Windows "silently discards" a request, wire.md §1.1).</summary>
    HttpError = 3,

    /// <summary>The connection closed before a whole response arrived.</summary>
    ConnectionClosed = 4,
}
