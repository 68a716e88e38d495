using System.Diagnostics;
using System.Security.Cryptography;
using PeerDist.Content;
using PeerDist.Cryptography;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Content;

/// <summary>
/// Multi-GiB generation, streamed from content made on the fly (nothing large is stored), and the bounded-memory claim.
/// Each test prints its wall time; on 2 cores in Debug they take a few seconds each (see the issue note).
/// </summary>
[Category("Large")]
public class ContentInformationBuilderLargeTests
{
    /// <summary>4 GiB + 100 bytes: 129 V1 segments, offsets past 2^32 (spec-vectors derived-4gib-plus-100-sha256).</summary>
    private const long FourGibibytesPlus100 = 4_294_967_396;

    /// <summary>2.5 GiB: V2 segment offsets cross 2^31, and tens of thousands of segments land in one chunk.</summary>
    private const long V2Length = 5L << 29;

    [Test]
    public async Task CreateAsync_FourGibibytesPlus100Mod251_EqualsVector()
    {
        TestVectors.Vector vector = TestVectors.Load("pccrc/v1", "derived-4gib-plus-100-sha256");
        Assert.That(vector.ContentLength, Is.EqualTo(FourGibibytesPlus100));
        using ServerSecret secret = ContentInformationBuilderTests.SecretOf(vector);
        var clock = Stopwatch.StartNew();
        using Stream stream = ContentPatterns.Mod251Stream(FourGibibytesPlus100);
        ContentInformation info = await ContentInformationBuilder.CreateAsync(stream, secret, ContentInformationBuilderTests.OptionsOf(vector));
        TestContext.Out.WriteLine($"V1 4 GiB + 100 through CreateAsync(Stream): {clock.Elapsed.TotalSeconds:F1} s");

        byte[] bytes = info.ToArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(bytes, Has.Length.EqualTo(vector.Bytes.Length));
            Assert.That(bytes.AsSpan().SequenceEqual(vector.Bytes), Is.True, "the generated CI differs from the vector");
            Assert.That(Convert.ToHexStringLower(SHA256.HashData(bytes)), Is.EqualTo(vector.String("ciSha256")));
            Assert.That(info.Segments, Has.Count.EqualTo(129));
            Assert.That(info.Range, Is.EqualTo(new ContentRange(0, FourGibibytesPlus100)));
        }

        foreach (System.Text.Json.JsonElement expected in vector.Json.GetProperty("segments").EnumerateArray())
        {
            ContentSegment segment = info.Segments[expected.GetProperty("index").GetInt32()];
            using (Assert.EnterMultipleScope())
            {
                Assert.That(segment.Offset, Is.EqualTo(expected.GetProperty("offset").GetInt64()));
                Assert.That(segment.Length, Is.EqualTo(expected.GetProperty("length").GetInt32()));
                Assert.That(Convert.ToHexStringLower(segment.SegmentId.Span), Is.EqualTo(expected.GetProperty("segmentId").GetString()));
            }
        }
    }

    [Test]
    public async Task CreateAsync_V2MultiGibibytePseudoRandomStream_SatisfiesInvariants()
    {
        using var secret = ServerSecret.FromKey(ContentInformationBuilderTests.SecretKey);
        var clock = Stopwatch.StartNew();
        ContentInformation info;
        using (Stream stream = PseudoRandomContent.CreateStream(77, V2Length))
        {
            info = await ContentInformationBuilder.CreateAsync(stream, secret, new ContentInformationBuilderOptions { Version = ContentInformationVersion.V2 });
        }

        TimeSpan build = clock.Elapsed;
        double mean = (double)V2Length / info.Segments.Count;
        TestContext.Out.WriteLine($"V2 2.5 GiB through CreateAsync(Stream): {build.TotalSeconds:F1} s, {info.Segments.Count} segments, mean {mean:F0} bytes");

        // Every segment's bounds and Kp; the HoD of a sample whose bytes are regenerated: both ends, the segment that
        // holds byte 2^31, and a seeded random spread.
        int straddling = info.FindSegment(1L << 31);
        var random = new Random(77);
        int[] sample = [straddling, straddling + 1, .. Enumerable.Range(0, 24).Select(_ => random.Next(info.Segments.Count))];
        using var generator = new PseudoRandomContent(77);
        ContentInformationBuilderTests.AssertV2Invariants(info, V2Length, generator.Fill, every: int.MaxValue, sample);
        Assert.That(mean, Is.InRange(60 * 1024, 80 * 1024));
        TestContext.Out.WriteLine($"checks: {(clock.Elapsed - build).TotalSeconds:F1} s");
    }

    [Test]
    public async Task CreateAsync_OneGibibyteV1Stream_AllocatesUnder32MiB()
    {
        // The bounded-memory claim: two 4 MiB buffers, the hashes (32 MiB segments: 16 KiB of block hashes each) and
        // small per-buffer bookkeeping, whatever the content length.
        const long Length = 1L << 30;
        using var secret = ServerSecret.FromKey(ContentInformationBuilderTests.SecretKey);
        using Stream stream = ContentPatterns.Mod251Stream(Length);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        ContentInformation info = await ContentInformationBuilder.CreateAsync(stream, secret);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        TestContext.Out.WriteLine($"V1 1 GiB through CreateAsync(Stream): {allocated / 1024.0 / 1024.0:F2} MiB allocated ({allocated} bytes)");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(info.Segments, Has.Count.EqualTo(32));
            Assert.That(allocated, Is.LessThan(32L << 20));
        }
    }

    [Test]
    public async Task CreateAsync_V2Stream_AllocatesOnlyBuffersAndResult()
    {
        // V2 keeps a 64-byte HoD ‖ Kp array and a segment object per ~72 KiB segment (about 3.6k for 256 MiB); the
        // content itself is never held beyond the two buffers.
        const long Length = 256L << 20;
        using var secret = ServerSecret.FromKey(ContentInformationBuilderTests.SecretKey);
        using Stream stream = PseudoRandomContent.CreateStream(78, Length);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        ContentInformation info = await ContentInformationBuilder.CreateAsync(stream, secret, new ContentInformationBuilderOptions { Version = ContentInformationVersion.V2 });
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        TestContext.Out.WriteLine($"V2 256 MiB through CreateAsync(Stream): {allocated / 1024.0 / 1024.0:F2} MiB allocated for {info.Segments.Count} segments");
        Assert.That(allocated, Is.LessThan(16L << 20));
    }
}
