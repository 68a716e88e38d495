namespace PeerDist.HostedCache;

/// <summary>What a <see cref="HostedCacheServer"/> has done since it started.</summary>
public sealed record HostedCacheStatistics
{
    /// <summary>Well-formed offers answered (INITIAL_OFFER, SEGMENT_INFO, BATCHED_OFFER requests).</summary>
    public long OffersAnswered { get; init; }

    /// <summary>Requests dropped as malformed (wrong version or type, bad lengths, 0 or more than 128 descriptors).</summary>
    public long OffersDropped { get; init; }

    /// <summary>INITIAL_OFFERs answered INTERESTED (the hosted cache lacked the segment's hashes).</summary>
    public long InterestedAnswers { get; init; }

    /// <summary>Offered segments answered OK but not pulled: unknown hash algorithm, no usable segment, inconsistent hashes, queue full.</summary>
    public long SegmentsNotPulled { get; init; }

    /// <summary>Offered segments not pulled because a pull of the same segment was already pending or running.</summary>
    public long DuplicateOffers { get; init; }

    /// <summary>Segment pulls that ended with every offered block held.</summary>
    public long PullsCompleted { get; init; }

    /// <summary>Segment pulls that stopped early (bad reply, timeout, unreachable client, incompatible version).</summary>
    public long PullsFailed { get; init; }

    /// <summary>Blocks stored by pulls.</summary>
    public long BlocksPulled { get; init; }

    /// <summary>Bytes stored by pulls.</summary>
    public long BytesPulled { get; init; }
}
