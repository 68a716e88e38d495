using PeerDist.Discovery;

namespace PeerDist.Tests.Discovery;

/// <summary>The responder back-off of MS-PCCRD 3.2.4.1: uniform whole milliseconds in [1 ms, APP_MAX_DELAY], 65 ms by default (wire.md §2.5).</summary>
public class PccrdBackoffTests
{
    [Test]
    public void NextDelay_Default_AsksTheRandomSourceForOneTo65()
    {
        var random = new RecordingRandom(returnMax: false);
        var backoff = new PccrdBackoff(random);

        TimeSpan delay = backoff.NextDelay();

        // Random.Next(min, max) is max-exclusive, so [1, 65] is Next(1, 66).
        Assert.That((random.Calls.Single(), delay, backoff.MaxDelay), Is.EqualTo(((1, 66), TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(65))));
        Assert.That(new PccrdBackoff(new RecordingRandom(returnMax: true)).NextDelay(), Is.EqualTo(TimeSpan.FromMilliseconds(65)));
    }

    [Test]
    public void NextDelay_SeededRandom_CoversTheWholeRangeAndNothingElse()
    {
        var backoff = new PccrdBackoff(new Random(65));
        var seen = new int[67];
        for (int i = 0; i < 20_000; i++)
        {
            TimeSpan delay = backoff.NextDelay();
            Assert.That(delay.Ticks % TimeSpan.TicksPerMillisecond, Is.Zero);
            seen[(int)Math.Min(66, delay.TotalMilliseconds)]++;
        }

        Assert.That((seen[0], seen[66]), Is.EqualTo((0, 0)), "nothing below 1 ms or above 65 ms");
        Assert.That(seen.Skip(1).Take(65), Is.All.InRange(200, 420), "each millisecond about 20000 / 65 = 308 times");
    }

    [Test]
    public void NextDelay_ConfiguredMaximum_IsHonoured()
    {
        var backoff = new PccrdBackoff(TimeSpan.FromMilliseconds(1), new Random(1));

        Assert.That(Enumerable.Range(0, 100).Select(_ => backoff.NextDelay()), Is.All.EqualTo(TimeSpan.FromMilliseconds(1)));
        Assert.That(new PccrdBackoff(TimeSpan.FromMilliseconds(200), new RecordingRandom(returnMax: true)).NextDelay(), Is.EqualTo(TimeSpan.FromMilliseconds(200)));
    }

    [Test]
    public void Constructor_Misuse_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new PccrdBackoff(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new PccrdBackoff(TimeSpan.FromMilliseconds(1.5)));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new PccrdBackoff(TimeSpan.FromDays(2)));
    }

    /// <summary>Returns the lowest or highest value Next(min, max) may return, and records the arguments.</summary>
    private sealed class RecordingRandom(bool returnMax) : Random
    {
        public List<(int Min, int Max)> Calls { get; } = [];

        public override int Next(int minValue, int maxValue)
        {
            Calls.Add((minValue, maxValue));
            return returnMax ? maxValue - 1 : minValue;
        }
    }
}
