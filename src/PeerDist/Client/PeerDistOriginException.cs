namespace PeerDist.Client;

/// <summary>
/// The origin fallback failed: it could not be read, returned fewer bytes than the content information describes, or
/// returned bytes that do not match the content information (never cached, never delivered).
/// </summary>
public sealed class PeerDistOriginException : IOException
{
    /// <summary>Creates the exception.</summary>
    public PeerDistOriginException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public PeerDistOriginException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the origin's own error.</summary>
    public PeerDistOriginException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
