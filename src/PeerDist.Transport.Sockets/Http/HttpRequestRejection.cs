namespace PeerDist.Transport.Http;

/// <summary>Why the server refuses a request; each value maps to one HTTP status in <see cref="HttpResponses"/>.</summary>
internal enum HttpRequestRejection
{
    None = 0,
    BadRequest,
    NotFound,
    MethodNotAllowed,
    LengthRequired,
    PayloadTooLarge,
    HeadersTooLarge,
    ExpectationFailed,
    NotImplemented,
    VersionNotSupported,
    RequestTimeout,
}
