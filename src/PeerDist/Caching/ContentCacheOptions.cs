namespace PeerDist.Caching;

/// <summary>
/// Settings of a <see cref="ContentCache"/>. Validated when the cache is constructed: a bad value throws an
/// <see cref="ArgumentException"/> naming the setting, at start-up rather than mid-transfer.
/// </summary>
public sealed record ContentCacheOptions
{
    /// <summary>The Windows default share of the volume the data cache may use (5 %).</summary>
    public const double DefaultMaxSizePercentOfVolume = 5;

    /// <summary>The Windows default age after which an unused segment expires (28 days).</summary>
    public static TimeSpan DefaultMaxAge { get; } = TimeSpan.FromDays(28);

    /// <summary>The cache directory (<see cref="FileContentCache"/> only; created when missing).</summary>
    public string? RootPath { get; init; }

    /// <summary>
    /// The size cap in bytes of the held blocks. When set it wins over <see cref="MaxSizePercentOfVolume"/>. A
    /// <see cref="MemoryContentCache"/> without it has no cap.
    /// </summary>
    public long? MaxSizeBytes { get; init; }

    /// <summary>
    /// The size cap as a percentage (0 excluded, up to 100) of the total size of the volume holding <see cref="RootPath"/>,
    /// used when <see cref="MaxSizeBytes"/> is not set. The default is 5, as Windows BranchCache.
    /// </summary>
    public double MaxSizePercentOfVolume { get; init; } = DefaultMaxSizePercentOfVolume;

    /// <summary>
    /// How long a segment stays after it was last accessed (put or read) before it expires; the default is 28 days, as
    /// Windows. <see cref="Timeout.InfiniteTimeSpan"/> disables expiry.
    /// </summary>
    public TimeSpan MaxAge { get; init; } = DefaultMaxAge;

    /// <summary>The clock for last-access times and expiry; <see cref="TimeProvider.System"/> by default.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate(bool requireRootPath)
    {
        if (requireRootPath && string.IsNullOrWhiteSpace(RootPath))
        {
            ThrowHelper.ThrowArgument("ContentCacheOptions.RootPath must name the cache directory.", nameof(RootPath));
        }

        if (MaxSizeBytes is <= 0)
        {
            ThrowHelper.ThrowArgument($"ContentCacheOptions.MaxSizeBytes must be positive when set; got {MaxSizeBytes}.", nameof(MaxSizeBytes));
        }

        if (MaxSizeBytes is null && !(MaxSizePercentOfVolume > 0 && MaxSizePercentOfVolume <= 100))
        {
            ThrowHelper.ThrowArgument(
                $"ContentCacheOptions.MaxSizePercentOfVolume must be greater than 0 and at most 100; got {MaxSizePercentOfVolume}.",
                nameof(MaxSizePercentOfVolume));
        }

        if (MaxAge <= TimeSpan.Zero && MaxAge != Timeout.InfiniteTimeSpan)
        {
            ThrowHelper.ThrowArgument($"ContentCacheOptions.MaxAge must be positive or Timeout.InfiniteTimeSpan; got {MaxAge}.", nameof(MaxAge));
        }

        if (TimeProvider is null)
        {
            ThrowHelper.ThrowArgument("ContentCacheOptions.TimeProvider must not be null.", nameof(TimeProvider));
        }
    }
}
