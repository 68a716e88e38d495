namespace PeerDist.Discovery;

/// <summary>
/// The responder's random wait before it answers a matching Probe (MS-PCCRD 3.2.4.1): uniform in whole milliseconds over
/// [1 ms, <c>APP_MAX_DELAY</c>], so that the peers holding a segment do not all answer at once. Windows 7 / 2008 R2 use
/// 65 ms (wire.md §2.5).
/// </summary>
/// <remarks>
/// The random source is injected so that tests are deterministic; it need not be cryptographic (the delay only spreads
/// replies). Not thread-safe when the injected <see cref="Random"/> is not (<see cref="Random.Shared"/> is).
/// </remarks>
public sealed class PccrdBackoff
{
    /// <summary>The shortest delay: 1 ms.</summary>
    public static readonly TimeSpan MinDelay = TimeSpan.FromMilliseconds(1);

    /// <summary>The default <c>APP_MAX_DELAY</c>: 65 ms.</summary>
    public static readonly TimeSpan DefaultMaxDelay = TimeSpan.FromMilliseconds(65);

    private readonly Random _random;
    private readonly int _maxMilliseconds;

    /// <summary>Creates the back-off with the default maximum of 65 ms.</summary>
    /// <param name="random">The random source; <see cref="Random.Shared"/> when null.</param>
    public PccrdBackoff(Random? random = null)
        : this(DefaultMaxDelay, random)
    {
    }

    /// <summary>Creates the back-off with the maximum <paramref name="maxDelay"/> (whole milliseconds, at least 1 ms).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDelay"/> is below 1 ms, not whole milliseconds, or above a day.</exception>
    public PccrdBackoff(TimeSpan maxDelay, Random? random = null)
    {
        if (maxDelay < MinDelay || maxDelay > TimeSpan.FromDays(1) || maxDelay.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(maxDelay), "APP_MAX_DELAY is a whole number of milliseconds from 1 ms to one day.");
        }

        _random = random ?? Random.Shared;
        _maxMilliseconds = (int)(maxDelay.Ticks / TimeSpan.TicksPerMillisecond);
        MaxDelay = maxDelay;
    }

    /// <summary><c>APP_MAX_DELAY</c>: the longest delay <see cref="NextDelay"/> returns.</summary>
    public TimeSpan MaxDelay { get; }

    /// <summary>A delay drawn uniformly from the whole milliseconds in [1 ms, <see cref="MaxDelay"/>].</summary>
    public TimeSpan NextDelay() => TimeSpan.FromMilliseconds(_random.Next(1, _maxMilliseconds + 1));
}
