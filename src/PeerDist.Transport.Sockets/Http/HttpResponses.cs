namespace PeerDist.Transport.Http;

/// <summary>The fixed responses the server sends; every error response closes the connection.</summary>
internal static class HttpResponses
{
    public static ReadOnlySpan<byte> Continue => "HTTP/1.1 100 Continue\r\n\r\n"u8;

    public static ReadOnlySpan<byte> BadRequest => "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8;

    public static ReadOnlySpan<byte> Get(HttpRequestRejection rejection) => rejection switch
    {
        HttpRequestRejection.NotFound => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8,
        HttpRequestRejection.MethodNotAllowed => "HTTP/1.1 405 Method Not Allowed\r\nAllow: POST\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8,
        HttpRequestRejection.RequestTimeout => "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8,
        HttpRequestRejection.LengthRequired => "HTTP/1.1 411 Length Required\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8,
        HttpRequestRejection.PayloadTooLarge => "HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8,
        HttpRequestRejection.ExpectationFailed => "HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8,
        HttpRequestRejection.HeadersTooLarge => "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8,
        HttpRequestRejection.NotImplemented => "HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8,
        HttpRequestRejection.VersionNotSupported => "HTTP/1.1 505 HTTP Version Not Supported\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8,
        _ => BadRequest,
    };
}
