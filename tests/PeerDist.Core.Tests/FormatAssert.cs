namespace PeerDist.Tests;

/// <summary>Asserts on <see cref="PeerDistFormatException"/>: that a call throws it, with the expected reason and offset.</summary>
internal static class FormatAssert
{
    /// <summary>
    /// Asserts that <paramref name="code"/> throws a <see cref="PeerDistFormatException"/> whose
    /// <see cref="PeerDistFormatException.Error"/> is <paramref name="error"/> and whose
    /// <see cref="PeerDistFormatException.Offset"/> is <paramref name="offset"/> (both checked, in one multiple scope).
    /// </summary>
    public static void Throws(TestDelegate code, PeerDistFormatError error, long offset, string? message = null)
    {
        var exception = Assert.Throws<PeerDistFormatException>(code, message ?? string.Empty);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Error, Is.EqualTo(error), message);
            Assert.That(exception.Offset, Is.EqualTo(offset), message);
        }
    }
}
