using System.Net;
using PeerDist.Content;

namespace PeerDist.Client;

/// <summary>
/// A fixed set of peers asked for every segment: configured branch peers, or a hosted cache (MS-PCHC) treated as a peer
/// that holds everything it was offered.
/// </summary>
public sealed class StaticPeerLocator : IPeerLocator
{
    private readonly EndPoint[] _peers;

    /// <summary>Creates a locator that answers <paramref name="peers"/> for every segment.</summary>
    /// <exception cref="ArgumentException">A peer is null.</exception>
    public StaticPeerLocator(IEnumerable<EndPoint> peers)
    {
        ArgumentNullException.ThrowIfNull(peers);
        _peers = [.. peers];
        if (Array.Exists(_peers, static p => p is null))
        {
            ThrowHelper.ThrowArgument("A peer endpoint is null.", nameof(peers));
        }
    }

    /// <summary>The peers.</summary>
    public IReadOnlyList<EndPoint> Peers => _peers;

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<IReadOnlyList<EndPoint>>> LocateAsync(IReadOnlyList<ContentSegment> segments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(segments);
        cancellationToken.ThrowIfCancellationRequested();
        var result = new IReadOnlyList<EndPoint>[segments.Count];
        Array.Fill(result, _peers);
        return ValueTask.FromResult<IReadOnlyList<IReadOnlyList<EndPoint>>>(result);
    }
}
