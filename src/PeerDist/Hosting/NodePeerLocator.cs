using System.Net;
using PeerDist.Client;
using PeerDist.Content;

namespace PeerDist.Hosting;

/// <summary>
/// The locator the node's client is created with: the node's client exists from construction, but discovery can only be
/// set up once the PCCRR endpoint is bound (the node must not find itself), so the real locator is plugged in at start and
/// taken out at stop. Without one, nobody is known (the cache and the origin still work).
/// </summary>
internal sealed class NodePeerLocator : IPeerLocator
{
    private IPeerLocator? _inner;

    public NodePeerLocator(IPeerLocator? inner = null) => _inner = inner;

    public IPeerLocator? Inner
    {
        get => Volatile.Read(ref _inner);
        set => Volatile.Write(ref _inner, value);
    }

    public async ValueTask<IReadOnlyList<IReadOnlyList<EndPoint>>> LocateAsync(IReadOnlyList<ContentSegment> segments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(segments);
        IPeerLocator? inner = Inner;
        if (inner is not null)
        {
            try
            {
                return await inner.LocateAsync(segments, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // The node stopped while this download asked: no peers, as before start.
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var none = new IReadOnlyList<EndPoint>[segments.Count];
        Array.Fill(none, []);
        return none;
    }
}
