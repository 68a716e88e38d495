using PeerDist.Content;

namespace PeerDist.Client;

/// <summary>
/// Some bytes of a content could not be obtained: not in the local cache, no peer delivered them, and there is no origin
/// (or the read was local-only). MS-PCCRR's <c>PEERDIST_ERROR_MISSING_DATA</c>. Nothing unverified was delivered.
/// </summary>
public sealed class PeerDistContentUnavailableException : IOException
{
    /// <summary>Creates the exception for <paramref name="missing"/>.</summary>
    public PeerDistContentUnavailableException(ContentRange missing, string reason)
        : base($"The content bytes {missing} could not be obtained: {reason}.")
    {
        Missing = missing;
    }

    /// <summary>Creates the exception with a message.</summary>
    public PeerDistContentUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public PeerDistContentUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public PeerDistContentUnavailableException()
    {
    }

    /// <summary>The first block-aligned range that was missing.</summary>
    public ContentRange Missing { get; }
}
