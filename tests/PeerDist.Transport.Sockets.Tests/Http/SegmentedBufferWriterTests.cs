using PeerDist.Tests.Shared;
using PeerDist.Transport.Http;

namespace PeerDist.Transport.Tests.Http;

[TestFixture]
public sealed class SegmentedBufferWriterTests
{
    [Test]
    public void AddTo_WritesAcrossSegments_GatherListHoldsBytesInOrder()
    {
        byte[] payload = Loopback.Pattern(100_000);
        using var writer = new SegmentedBufferWriter();
        for (int offset = 0; offset < payload.Length; offset += 7_000)
        {
            int count = Math.Min(7_000, payload.Length - offset);
            payload.AsSpan(offset, count).CopyTo(writer.GetSpan(count));
            writer.Advance(count);
        }

        var segments = new List<ArraySegment<byte>>();
        writer.AddTo(segments);

        Assert.That(writer.WrittenCount, Is.EqualTo(payload.Length));
        Assert.That(segments, Has.Count.GreaterThan(1));
        ByteAssert.AreEqual(segments.SelectMany(s => s).ToArray(), payload);
    }

    [Test]
    public void Advance_BeyondMemory_Throws()
    {
        using var writer = new SegmentedBufferWriter();
        int available = writer.GetSpan(10).Length;

        Assert.That(() => writer.Advance(available + 1), Throws.InvalidOperationException);
    }
}
