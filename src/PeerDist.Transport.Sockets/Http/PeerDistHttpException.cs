using System.Net;

namespace PeerDist.Transport.Http;

/// <summary>A <see cref="PeerDistHttpClient"/> request failed; <see cref="Error"/> says why.</summary>
public sealed class PeerDistHttpException : IOException
{
    /// <summary>Creates the exception.</summary>
    public PeerDistHttpException()
        : this(PeerDistHttpError.Unknown, null, 0, "HTTP transport error.", null)
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public PeerDistHttpException(string message)
        : this(PeerDistHttpError.Unknown, null, 0, message, null)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public PeerDistHttpException(string message, Exception? innerException)
        : this(PeerDistHttpError.Unknown, null, 0, message, innerException)
    {
    }

    internal PeerDistHttpException(PeerDistHttpError error, EndPoint? endPoint, int statusCode, string message, Exception? innerException)
        : base(message, innerException)
    {
        Error = error;
        EndPoint = endPoint;
        StatusCode = statusCode;
    }

    /// <summary>The reason.</summary>
    public PeerDistHttpError Error { get; }

    /// <summary>The peer the request went to.</summary>
    public EndPoint? EndPoint { get; }

    /// <summary>The HTTP status for <see cref="PeerDistHttpError.UnexpectedStatus"/>; otherwise 0.</summary>
    public int StatusCode { get; }
}
