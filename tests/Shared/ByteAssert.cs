namespace PeerDist.Tests.Shared;

/// <summary>
/// Byte-exact comparison that stays fast for megabyte buffers (NUnit's collection equality boxes every element) and
/// names the first differing offset when it fails.
/// </summary>
public static class ByteAssert
{
    /// <summary>Asserts that <paramref name="actual"/> and <paramref name="expected"/> hold the same bytes.</summary>
    public static void AreEqual(ReadOnlySpan<byte> actual, ReadOnlySpan<byte> expected, string? what = null)
    {
        int common = actual.CommonPrefixLength(expected);
        string label = what is null ? string.Empty : what + ": ";
        if (common == actual.Length && common == expected.Length)
        {
            return;
        }

        string context = common < actual.Length && common < expected.Length
            ? $"byte {common} is 0x{actual[common]:x2}, expected 0x{expected[common]:x2}"
            : $"length {actual.Length}, expected {expected.Length}";
        Assert.That(common, Is.EqualTo(Math.Max(actual.Length, expected.Length)), $"{label}first difference at {common}: {context}");
    }
}
