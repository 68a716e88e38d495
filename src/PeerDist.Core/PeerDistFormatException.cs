namespace PeerDist;

/// <summary>
/// Bytes from a file or a peer do not follow the specification. <see cref="Error"/> says which rule was broken and
/// <see cref="Offset"/> where. Messages never contain key material.
/// </summary>
public sealed class PeerDistFormatException : FormatException
{
    /// <summary>Creates an exception with a generic message.</summary>
    public PeerDistFormatException()
        : this(PeerDistFormatError.Unknown, 0)
    {
    }

    /// <summary>Creates an exception with a custom message.</summary>
    public PeerDistFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a custom message and an inner exception.</summary>
    public PeerDistFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for <paramref name="error"/> detected at byte <paramref name="offset"/>.</summary>
    public PeerDistFormatException(PeerDistFormatError error, long offset)
        : base(ThrowHelper.GetFormatMessage(error, offset))
    {
        Error = error;
        Offset = offset;
    }

    /// <summary>The rule that was broken.</summary>
    public PeerDistFormatError Error { get; }

    /// <summary>The byte offset in the input where the problem was detected.</summary>
    public long Offset { get; }
}
