namespace PeerDist.Transport.Http;

/// <summary>What the server does after an <see cref="IPeerDistRequestHandler"/> returns.</summary>
public enum PeerDistHandlerResult
{
    /// <summary>Send <c>200 OK</c> with the bytes the handler wrote as the body, with a Content-Length.</summary>
    Respond = 0,

    /// <summary>Discard whatever the handler wrote, send <c>400 Bad Request</c> and close the connection.</summary>
    Reject = 1,

    /// <summary>Send nothing and close the connection (the Windows "silently discard" behaviour).</summary>
    Close = 2,
}
