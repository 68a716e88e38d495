using System.Net;

namespace PeerDist.Hosting;

/// <summary>
/// A <see cref="PeerDistNode"/> could not start: a port in use or needing privileges, a locked cache directory, an unknown
/// discovery interface. The message says what to change (the option and the <c>peerdist serve</c> switch).
/// </summary>
public sealed class PeerDistNodeStartException : IOException
{
    /// <summary>Creates an exception with a generic message.</summary>
    public PeerDistNodeStartException()
        : this("The PeerDist node could not start.")
    {
    }

    /// <summary>Creates an exception with <paramref name="message"/>.</summary>
    public PeerDistNodeStartException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with <paramref name="message"/> caused by <paramref name="innerException"/>.</summary>
    public PeerDistNodeStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Why the node could not start.</summary>
    public PeerDistNodeStartError Error { get; private init; }

    /// <summary>The endpoint concerned (for the port errors); null otherwise.</summary>
    public IPEndPoint? EndPoint { get; private init; }

    internal static PeerDistNodeStartException Create(PeerDistNodeStartError error, string message, IPEndPoint? endPoint = null, Exception? inner = null) =>
        inner is null
            ? new PeerDistNodeStartException(message) { Error = error, EndPoint = endPoint }
            : new PeerDistNodeStartException(message, inner) { Error = error, EndPoint = endPoint };
}
