using System.Net;

namespace PeerDist.Client;

/// <summary>What a content handle has delivered so far and where it came from (a snapshot).</summary>
public sealed record PeerDistContentStatistics
{
    /// <summary>Bytes delivered from the local cache.</summary>
    public long BytesFromCache { get; init; }

    /// <summary>Bytes fetched from peers (hosted cache included), all peers together.</summary>
    public long BytesFromPeers { get; init; }

    /// <summary>Bytes fetched from each peer.</summary>
    public IReadOnlyDictionary<EndPoint, long> BytesByPeer { get; init; } = new Dictionary<EndPoint, long>();

    /// <summary>Bytes fetched from the origin fallback.</summary>
    public long BytesFromOrigin { get; init; }

    /// <summary>Bytes the caller supplied through <see cref="PeerDistContent.AddDataAsync"/> and that were verified.</summary>
    public long BytesFromCaller { get; init; }

    /// <summary>Block requests that had to be retried with another peer or the origin.</summary>
    public long BlocksRetried { get; init; }

    /// <summary>Blocks rejected because they failed verification or were malformed (from a peer, the origin or the caller).</summary>
    public long BlocksRejected { get; init; }

    /// <summary>Peers excluded for this content after too many failures.</summary>
    public int PeersExcluded { get; init; }

    /// <summary>Time since the content was opened.</summary>
    public TimeSpan Elapsed { get; init; }
}
