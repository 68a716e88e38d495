namespace PeerDist.Tests;

/// <summary>Measures what a call allocates on the managed heap.</summary>
internal static class Allocations
{
    /// <summary>
    /// Runs <paramref name="action"/> once and returns its result with the bytes allocated on the current thread
    /// meanwhile. Warm the action up first (JIT, static initialisation), or its first run counts too.
    /// </summary>
    public static (T Result, long AllocatedBytes) Measure<T>(Func<T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        long before = GC.GetAllocatedBytesForCurrentThread();
        T result = action();
        return (result, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>
    /// Runs <paramref name="checksum"/> twice to warm it up, then once measured, and asserts (in one multiple scope) that
    /// the measured run allocated nothing and returned the same checksum as each warm-up run. Returns that checksum.
    /// </summary>
    public static long AssertNoneAfterWarmUp(Func<long> checksum)
    {
        ArgumentNullException.ThrowIfNull(checksum);
        long warmUp = checksum() + checksum();

        (long result, long allocated) = Measure(checksum);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(allocated, Is.Zero);
            Assert.That(result * 2, Is.EqualTo(warmUp));
        }

        return result;
    }
}
