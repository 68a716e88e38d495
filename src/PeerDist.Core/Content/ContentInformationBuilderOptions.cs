namespace PeerDist.Content;

/// <summary>How a <see cref="ContentInformationBuilder"/> hashes content. Validated when the builder is created.</summary>
public sealed record ContentInformationBuilderOptions
{
    /// <summary>The format to produce. Default V1, which every Windows version since 7 reads.</summary>
    public ContentInformationVersion Version { get; init; } = ContentInformationVersion.V1;

    /// <summary>
    /// The V1 hash: SHA-256 (default; the only one Windows 7 peers accept, pccrc.md P15), SHA-384 or SHA-512.
    /// Ignored for V2, which always uses truncated SHA-512.
    /// </summary>
    public ContentHashAlgorithm HashAlgorithm { get; init; } = ContentHashAlgorithm.Sha256;

    /// <summary>How many threads hash at once; -1 (default) means one per processor, 1 hashes on the caller's thread.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>
    /// When set, the result describes only this range of the content (MS-PCCRC 2.3/2.4 range content information). The
    /// whole content is still hashed, because segment hashes and keys cover whole segments.
    /// </summary>
    public ContentRange? Range { get; init; }

    /// <summary>The defaults: V1, SHA-256, all processors, whole content.</summary>
    public static ContentInformationBuilderOptions Default { get; } = new();

    internal ContentHashAlgorithm EffectiveHashAlgorithm =>
        Version == ContentInformationVersion.V2 ? ContentHashAlgorithm.Sha512Truncated : HashAlgorithm;

    internal int EffectiveParallelism => MaxDegreeOfParallelism == -1 ? Environment.ProcessorCount : MaxDegreeOfParallelism;

    internal void Validate()
    {
        if (Version is not (ContentInformationVersion.V1 or ContentInformationVersion.V2))
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(Version), "Unknown content information version.");
        }

        if (Version == ContentInformationVersion.V1 &&
            HashAlgorithm is not (ContentHashAlgorithm.Sha256 or ContentHashAlgorithm.Sha384 or ContentHashAlgorithm.Sha512))
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(HashAlgorithm), "V1 content information uses SHA-256, SHA-384 or SHA-512.");
        }

        if (MaxDegreeOfParallelism == 0 || MaxDegreeOfParallelism < -1)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(MaxDegreeOfParallelism), "Use -1 for all processors or a positive count.");
        }

        // MS-PCCRC 2.3/2.4 offsets are unsigned 64-bit, but ours are long: an end past long.MaxValue would wrap negative
        // and slip past the "inside the content" checks of Complete.
        if (Range is { } range && (range.Start < 0 || range.Length <= 0 || range.Start > long.MaxValue - range.Length))
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(Range), "The range must start at 0 or later, hold at least one byte and end at most at long.MaxValue.");
        }
    }
}
