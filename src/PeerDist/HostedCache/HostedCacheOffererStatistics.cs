namespace PeerDist.HostedCache;

/// <summary>What a <see cref="HostedCacheOfferer"/> has done since it started.</summary>
public sealed record HostedCacheOffererStatistics
{
    /// <summary>Segments the hosted cache accepted (answered OK).</summary>
    public long SegmentsOffered { get; init; }

    /// <summary>Offer requests sent (retries and SEGMENT_INFO follow-ups included).</summary>
    public long RequestsSent { get; init; }

    /// <summary>Requests that failed (unreachable, timeout, a status other than 200, a malformed answer).</summary>
    public long RequestsFailed { get; init; }

    /// <summary>INITIAL_OFFERs answered INTERESTED (followed by a SEGMENT_INFO).</summary>
    public long InterestedAnswers { get; init; }

    /// <summary>Segments given up: every attempt failed, or the queue was full.</summary>
    public long SegmentsDropped { get; init; }
}
