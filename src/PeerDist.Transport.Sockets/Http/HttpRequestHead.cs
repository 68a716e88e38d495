namespace PeerDist.Transport.Http;

/// <summary>What the server needs from a request line and its headers; everything else is skipped.</summary>
internal struct HttpRequestHead
{
    /// <summary>Index into the server's route table, or -1 when no route matches.</summary>
    public int RouteIndex;

    public bool IsPost;

    public bool IsHttp11;

    /// <summary>Declared Content-Length, or -1 when absent.</summary>
    public long ContentLength;

    public bool IsChunked;

    /// <summary>A Transfer-Encoding other than <c>chunked</c> was sent.</summary>
    public bool HasUnsupportedTransferEncoding;

    public bool ExpectContinue;

    /// <summary>An Expect value other than <c>100-continue</c> was sent.</summary>
    public bool HasUnsupportedExpectation;

    /// <summary>The connection closes after the response (Connection: close, or HTTP/1.0).</summary>
    public bool ConnectionClose;
}
