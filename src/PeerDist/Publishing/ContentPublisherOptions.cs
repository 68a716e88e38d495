using PeerDist.Content;

namespace PeerDist.Publishing;

/// <summary>The settings of a <see cref="ContentPublisher"/>; validated when the publisher is created.</summary>
public sealed record ContentPublisherOptions
{
    /// <summary>The default bound on content information generations running at once.</summary>
    public const int DefaultMaxConcurrentGenerations = 2;

    /// <summary>
    /// Where content information is kept across restarts (created when missing). Null (default): in memory only, which
    /// suits tests and short-lived processes.
    /// </summary>
    public string? CacheDirectory { get; init; }

    /// <summary>How many generations run at once (default 2); further requests queue.</summary>
    public int MaxConcurrentGenerations { get; init; } = DefaultMaxConcurrentGenerations;

    /// <summary>
    /// Threads each generation hashes on (default 1, so a web server spends at most
    /// <see cref="MaxConcurrentGenerations"/> cores on hashing); -1 means one per processor.
    /// </summary>
    public int HashingParallelism { get; init; } = 1;

    /// <summary>Whether V2 content information (MS-PCCRC 2.4) is generated besides V1. Default true.</summary>
    public bool GenerateV2 { get; init; } = true;

    /// <summary>The V1 hash algorithm. Default SHA-256, the only one Windows 7 reads (pccrc.md P15).</summary>
    public ContentHashAlgorithm V1HashAlgorithm { get; init; } = ContentHashAlgorithm.Sha256;

    /// <summary>The clock of the timestamps in the statistics. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws for a value outside its documented range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentGenerations, 1, nameof(MaxConcurrentGenerations));
        if (HashingParallelism == 0 || HashingParallelism < -1)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(HashingParallelism), "Use -1 for all processors or a positive count.");
        }

        if (V1HashAlgorithm is not (ContentHashAlgorithm.Sha256 or ContentHashAlgorithm.Sha384 or ContentHashAlgorithm.Sha512))
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(V1HashAlgorithm), "V1 content information uses SHA-256, SHA-384 or SHA-512.");
        }

        if (CacheDirectory is { Length: 0 })
        {
            ThrowHelper.ThrowArgument("The cache directory must not be empty; use null for an in-memory store.", nameof(CacheDirectory));
        }

        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }
}
