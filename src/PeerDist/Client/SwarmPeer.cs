using System.Net;

namespace PeerDist.Client;

/// <summary>What a cooperative download knows about one peer: which of the content's blocks it holds and how it behaves.</summary>
internal sealed class SwarmPeer
{
    public SwarmPeer(EndPoint endPoint, int blockCount, long now)
    {
        EndPoint = endPoint;
        Seed = SwarmOwnership.Seed(endPoint);
        Has = new bool[blockCount];
        SaidMissing = new bool[blockCount];
        LastGrowth = now;
    }

    public EndPoint EndPoint { get; }

    /// <summary>The peer's rendezvous-hash seed.</summary>
    public ulong Seed { get; }

    /// <summary>Blocks (download-wide index) the peer is known to hold.</summary>
    public bool[] Has { get; }

    /// <summary>Blocks the peer answered "missing" for; discovery alone does not mark them held again.</summary>
    public bool[] SaidMissing { get; }

    public int HasCount { get; set; }

    /// <summary>When the peer was last seen holding more than before (or was found).</summary>
    public long LastGrowth { get; set; }

    /// <summary>Block requests to it in flight from this download.</summary>
    public int InFlight { get; set; }

    /// <summary>Until when it is not asked (it answered "busy").</summary>
    public long BusyUntil { get; set; }

    /// <summary>Excluded after repeated failures; its blocks no longer count.</summary>
    public bool Gone { get; set; }
}
