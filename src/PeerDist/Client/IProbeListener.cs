using System.Net;

namespace PeerDist.Client;

/// <summary>Something that wants to know who probes for which segments (a cooperative download, for its co-downloaders).</summary>
internal interface IProbeListener
{
    /// <summary>A Probe from <paramref name="source"/> named <paramref name="segmentIds"/>. Called on the responder's receive loop: be quick.</summary>
    void OnProbe(IReadOnlyList<ReadOnlyMemory<byte>> segmentIds, IPAddress source);
}
