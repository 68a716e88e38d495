namespace PeerDist.Transport.Http;

/// <summary>What the client needs from a status line and its headers.</summary>
internal struct HttpResponseHead
{
    public int StatusCode;

    /// <summary>Declared Content-Length, or -1 when absent.</summary>
    public long ContentLength;

    public bool IsChunked;

    public bool ConnectionClose;
}
