namespace PeerDist.Transport.Http;

/// <summary>Why a <see cref="PeerDistHttpClient"/> request failed.</summary>
public enum PeerDistHttpError
{
    /// <summary>Not set.</summary>
    Unknown = 0,

    /// <summary>The TCP connection was refused or could not be made.</summary>
    ConnectFailed = 1,

    /// <summary>The TCP connection was not made within the connect timeout.</summary>
    ConnectTimeout = 2,

    /// <summary>The whole response did not arrive within the request timeout.</summary>
    RequestTimeout = 3,

    /// <summary>The peer closed or reset the connection before the response was complete.</summary>
    ConnectionClosed = 4,

    /// <summary>The peer answered with a status other than 200; see <see cref="PeerDistHttpException.StatusCode"/>.</summary>
    UnexpectedStatus = 5,

    /// <summary>The response header or body is larger than the configured limit.</summary>
    ResponseTooLarge = 6,

    /// <summary>The response is not valid HTTP/1.1.</summary>
    MalformedResponse = 7,
}
