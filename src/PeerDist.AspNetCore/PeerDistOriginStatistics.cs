namespace PeerDist.AspNetCore;

/// <summary>An immutable snapshot of the origin's counters (the same figures the "PeerDist.Origin" meter reports).</summary>
public sealed record PeerDistOriginStatistics
{
    /// <summary>Responses that carried content information (<c>Content-Encoding: peerdist</c>).</summary>
    public long PeerDistResponses { get; init; }

    /// <summary>Requests that asked for peerdist (or sent <c>X-P2P-PeerDist</c>) and got the plain content, for any reason.</summary>
    public long PlainResponses { get; init; }

    /// <summary>Of <see cref="PlainResponses"/>: those sent with <c>MakeHashRequest=true</c> because hashes were not ready.</summary>
    public long MakeHashResponses { get; init; }

    /// <summary>Requests with <c>X-P2P-PeerDist: MissingDataRequest=true</c>: data a client's peers did not have.</summary>
    public long MissingDataRequests { get; init; }

    /// <summary>Bytes of content information sent (bodies of peerdist responses to GET).</summary>
    public long ContentInformationBytes { get; init; }

    /// <summary>Content information generations that completed.</summary>
    public long Generations { get; init; }

    /// <summary>Content information generations that failed or were canceled.</summary>
    public long FailedGenerations { get; init; }
}
