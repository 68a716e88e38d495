namespace PeerDist.Publishing;

/// <summary>An immutable snapshot of a <see cref="ContentPublisher"/>'s counters.</summary>
public sealed record ContentPublisherStatistics
{
    /// <summary>Generations that completed and were stored.</summary>
    public long Generations { get; init; }

    /// <summary>Generations that failed (I/O error, content changed while hashing, empty content) or were canceled.</summary>
    public long FailedGenerations { get; init; }

    /// <summary>Generations running or queued right now.</summary>
    public int PendingGenerations { get; init; }

    /// <summary>Content bytes hashed by completed generations.</summary>
    public long BytesHashed { get; init; }

    /// <summary>Retrievals that found content information.</summary>
    public long Hits { get; init; }

    /// <summary>Retrievals that found nothing (never published, or published for another validator).</summary>
    public long Misses { get; init; }

    /// <summary>Stored entries dropped because their validator no longer matched the content, or because they were damaged.</summary>
    public long Invalidations { get; init; }
}
