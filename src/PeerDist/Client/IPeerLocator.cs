using System.Net;
using PeerDist.Content;

namespace PeerDist.Client;

/// <summary>
/// Finds the peers that may hold segments of a content: MS-PCCRD discovery, a static list, or a hosted cache treated as a
/// peer. The download client asks once per batch of segments it is missing and remembers the answer for the download.
/// </summary>
public interface IPeerLocator
{
    /// <summary>
    /// Returns, for each of <paramref name="segments"/> (same order, same count), the PCCRR endpoints worth asking for it;
    /// an empty list when nobody is known to hold it. Must not throw for network trouble: an unreachable network is
    /// simply no peers. Throws <see cref="OperationCanceledException"/> when cancelled.
    /// </summary>
    ValueTask<IReadOnlyList<IReadOnlyList<EndPoint>>> LocateAsync(IReadOnlyList<ContentSegment> segments, CancellationToken cancellationToken);
}
