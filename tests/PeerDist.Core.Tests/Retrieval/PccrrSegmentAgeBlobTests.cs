using PeerDist.Retrieval;

namespace PeerDist.Tests.Retrieval;

/// <summary>The version 1 extensible blob (MS-PCCRR 2.2.6, 2.2.6.1) and its odd 24-bit little-endian age (2.2.1.5).</summary>
public class PccrrSegmentAgeBlobTests
{
    [Test]
    public void TryRead_OneAgeInHundredths_DecodesTheLittleEndianAge()
    {
        // Version 1, units 3 (hundredths), one age: segment 2, AgeLow 0x56, AgeMid 0x34, AgeHigh 0x12 => 0x123456.
        byte[] blob = Convert.FromHexString("0001030102563412");

        bool ok = PccrrSegmentAgeBlob.TryRead(blob, out PccrrSegmentAgeBlob value, out _, out _);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.True);
            Assert.That(value.Units, Is.EqualTo(PccrrSegmentAgeUnit.Hundredths));
            Assert.That(value.Ages.ToArray(), Is.EqualTo(new[] { new PccrrSegmentAge(2, 0x12_3456) }));
        }
    }

    [TestCase("", PeerDistFormatError.InvalidExtensibleBlob, 0)] // shorter than the version
    [TestCase("00", PeerDistFormatError.InvalidExtensibleBlob, 0)]
    [TestCase("0002", PeerDistFormatError.UnsupportedVersion, 0)] // unknown version
    [TestCase("000103", PeerDistFormatError.InvalidExtensibleBlob, 2)] // size < 4
    [TestCase("00010000", PeerDistFormatError.InvalidExtensibleBlob, 2)] // units 0
    [TestCase("00010500", PeerDistFormatError.InvalidExtensibleBlob, 2)] // units 5
    [TestCase("00010301", PeerDistFormatError.InvalidExtensibleBlob, 3)] // one age declared, none present
    [TestCase("0001030201020304", PeerDistFormatError.InvalidExtensibleBlob, 3)] // two declared, one present
    public void TryRead_InvalidBlob_FailsInSpecOrder(string hex, PeerDistFormatError reason, long offset)
    {
        bool ok = PccrrSegmentAgeBlob.TryRead(Convert.FromHexString(hex), out _, out PeerDistFormatError error, out long errorOffset);

        Assert.That((ok, error, errorOffset), Is.EqualTo((false, reason, offset)));
    }

    [Test]
    public void TryRead_BytesAfterTheAges_AreIgnored()
    {
        // MS-PCCRR 2.2.6.1 only requires size >= 4 * (count + 1).
        Assert.That(PccrrSegmentAgeBlob.Read(Convert.FromHexString("0001040000ffffff")).Ages.Length, Is.Zero);
    }

    [Test]
    public void Write_ThenRead_RoundTrips()
    {
        var rng = new Random(42);
        for (int i = 0; i < 100; i++)
        {
            PccrrSegmentAge[] ages = [.. Enumerable.Range(0, rng.Next(0, 256)).Select(_ => new PccrrSegmentAge((byte)rng.Next(256), (uint)rng.Next(0, 1 << 24)))];
            var blob = new PccrrSegmentAgeBlob((PccrrSegmentAgeUnit)rng.Next(1, 5), ages);

            byte[] bytes = blob.ToArray();
            PccrrSegmentAgeBlob back = PccrrSegmentAgeBlob.Read(bytes);

            Assert.That(bytes, Has.Length.EqualTo(4 + (4 * ages.Length)));
            Assert.That((back.Units, back.Ages.ToArray()), Is.EqualTo((blob.Units, ages)));
        }
    }

    [Test]
    public void Constructor_Misuse_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new PccrrSegmentAgeBlob((PccrrSegmentAgeUnit)0, default));
        Assert.Throws<ArgumentException>(() => _ = new PccrrSegmentAgeBlob(PccrrSegmentAgeUnit.Seconds, new[] { new PccrrSegmentAge(0, 1 << 24) }));
        Assert.Throws<ArgumentException>(() => _ = new PccrrSegmentAgeBlob(PccrrSegmentAgeUnit.Seconds, new PccrrSegmentAge[256]));
    }

    [Test]
    public void Read_Invalid_ThrowsFormatException()
    {
        var e = Assert.Throws<PeerDistFormatException>(() => PccrrSegmentAgeBlob.Read([0, 1, 9, 0]));

        Assert.That(e.Error, Is.EqualTo(PeerDistFormatError.InvalidExtensibleBlob));
    }
}
