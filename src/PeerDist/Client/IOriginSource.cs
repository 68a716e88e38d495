namespace PeerDist.Client;

/// <summary>
/// The origin fallback of a download: reads a byte range of the identity content from wherever it is published (the
/// content server, with MS-PCCRTP's <c>MissingDataRequest=true</c> for HTTP). The download client verifies every block
/// it gets from here against the content information before it is cached or handed out.
/// </summary>
public interface IOriginSource
{
    /// <summary>
    /// Reads content bytes from <paramref name="offset"/> into <paramref name="destination"/>, filling it completely unless
    /// the content ends first; returns the number of bytes written. Throws (any exception; the client reports it as an
    /// origin failure) when the origin cannot be read.
    /// </summary>
    ValueTask<int> ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken);
}
