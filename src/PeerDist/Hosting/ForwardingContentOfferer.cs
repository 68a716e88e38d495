using PeerDist.Client;
using PeerDist.Content;

namespace PeerDist.Hosting;

/// <summary>
/// The node's offerer as its client sees it: created with the client (whose options are fixed then), it forwards to the
/// <see cref="PeerDist.HostedCache.HostedCacheOfferer"/> the node creates at start, once its MS-PCCRR port is known.
/// Segments completed while no target is set (before start, after stop) are not offered.
/// </summary>
internal sealed class ForwardingContentOfferer : IContentOfferer
{
    private IContentOfferer? _target;

    /// <summary>Where offers go; null drops them.</summary>
    public IContentOfferer? Target
    {
        get => Volatile.Read(ref _target);
        set => Volatile.Write(ref _target, value);
    }

    /// <inheritdoc/>
    public void OfferSegment(ContentInformation information, ContentSegment segment) => Target?.OfferSegment(information, segment);
}
