using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using PeerDist.Content;
using PeerDist.Content.Segmentation;
using PeerDist.Cryptography;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Content;

/// <summary>
/// The V2 chunker "pdm-gear-v1" (docs/v2-segmentation.md). Its boundaries are a format decision of this project: segment
/// IDs depend on them, so these tests pin every parameter and the output on fixed content, and a change to the
/// algorithm must break them on purpose.
/// </summary>
public class ContentDefinedSegmenterTests
{
    /// <summary>The seed of the pinned content: the first 8 MiB of <see cref="PseudoRandomContent"/> for it.</summary>
    private const ulong PinnedSeed = 20240423;

    private const int ResyncLength = 100_000_000;

    /// <summary>
    /// Segment lengths of the first 8 MiB of <see cref="PseudoRandomContent"/>(<see cref="PinnedSeed"/>), computed
    /// independently of this code base: the content with <c>openssl enc -aes-128-ecb -nopad</c> (key = seed LE ‖ piece LE
    /// over the counter blocks), the boundaries with a 20-line Python transcription of docs/v2-segmentation.md using
    /// <c>hashlib.sha256</c> for the gear table. The last length is the tail of the 8 MiB, cut because the data ends.
    /// </summary>
    private static readonly int[] s_pinnedLengths =
    [
        72777, 70045, 75329, 67043, 82040, 69016, 67497, 64624, 70535, 91004, 69696, 92249, 75257, 69772, 33216, 71257,
        74882, 45474, 104459, 68179, 66701, 55798, 110547, 120852, 67023, 95055, 76217, 33936, 66636, 73314, 37945,
        113884, 69094, 66436, 66322, 60207, 101378, 36508, 41066, 70776, 68021, 74910, 51426, 91538, 69114, 93244, 73984,
        76893, 74589, 80774, 93382, 87724, 84374, 103540, 68204, 106993, 66484, 42209, 81276, 68303, 66560, 89386, 73494,
        119202, 68540, 65561, 97465, 68076, 131072, 70284, 91765, 73702, 45863, 54303, 70275, 90330, 77937, 77596, 74650,
        113525, 66578, 83131, 42258, 81678, 38122, 85906, 69464, 48281, 78304, 90257, 75047, 68599, 80967, 102346, 81457,
        72121, 78872, 74740, 85988, 77146, 91098, 76230, 131072, 82989, 78617, 87391, 71416, 53197, 81228, 68407, 45087,
    ];

    private byte[]? _resyncContent;
    private HashSet<string>? _resyncIds;

    [OneTimeTearDown]
    public void ReleaseResyncContent()
    {
        _resyncContent = null;
        _resyncIds = null;
    }

    [Test]
    public void Parameters_Always_ArePdmGearV1()
    {
        // docs/v2-segmentation.md: changing any of these changes every V2 segment ID this project publishes.
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ContentDefinedSegmenter.AlgorithmName, Is.EqualTo("pdm-gear-v1"));
            Assert.That(ContentDefinedSegmenter.MinLength, Is.EqualTo(32768));
            Assert.That(ContentDefinedSegmenter.NormalLength, Is.EqualTo(65536));
            Assert.That(ContentDefinedSegmenter.MaxLength, Is.EqualTo(131072)); // MS-PCCRC 2.4.1.2: cbSegment <= 128 KiB
            Assert.That(ContentDefinedSegmenter.WindowLength, Is.EqualTo(64));
            Assert.That(ContentDefinedSegmenter.HardThreshold, Is.EqualTo(0x0000_8000_0000_0000UL)); // top 17 bits clear
            Assert.That(ContentDefinedSegmenter.EasyThreshold, Is.EqualTo(0x0004_0000_0000_0000UL)); // top 14 bits clear
            Assert.That(ContentDefinedSegmenter.GearSeed, Is.EqualTo("PeerDist.Managed pdm-gear-v1"));
        }
    }

    [Test]
    public void Gear_EveryEntry_IsFirstEightBytesLittleEndianOfSha256OfSeedAndIndex()
    {
        ulong[] expected = IndependentGear();
        Assert.That(ContentDefinedSegmenter.Gear.ToArray(), Is.EqualTo(expected));
    }

    [Test]
    public void Gear_WholeTable_HasPinnedDigest()
    {
        // Computed with Python hashlib; also pins G[0], G[1] and G[255].
        byte[] table = new byte[256 * 8];
        for (int i = 0; i < 256; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(table.AsSpan(i * 8), ContentDefinedSegmenter.Gear[i]);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Convert.ToHexStringLower(SHA256.HashData(table)), Is.EqualTo("ad00a5da1044eb4f5a8cb09ea135b876f8ca0d709c31c585f1c6da7f49993d30"));
            Assert.That(ContentDefinedSegmenter.Gear[0], Is.EqualTo(0x99e3550f5e614895UL));
            Assert.That(ContentDefinedSegmenter.Gear[1], Is.EqualTo(0x65114dd1d82d3e42UL));
            Assert.That(ContentDefinedSegmenter.Gear[255], Is.EqualTo(0x35092b016b01bc51UL));
        }
    }

    [Test]
    public void PseudoRandomContent_PinnedSeed_MatchesOpenSsl()
    {
        // The generator itself is pinned, so the pinned boundaries below test the chunker and not the generator.
        byte[] content = PseudoRandomContent.Create(PinnedSeed, 8 * PseudoRandomContent.PieceLength);
        Assert.That(Convert.ToHexStringLower(SHA256.HashData(content)), Is.EqualTo("973a9ca00745010c3ffe856a6878949cb6cb78a1581081f1f1eb92d99465546d"));
    }

    [Test]
    public void NextSegmentLength_PinnedContent_MatchesIndependentReferenceLengths()
    {
        byte[] content = PseudoRandomContent.Create(PinnedSeed, 8 * PseudoRandomContent.PieceLength);
        Assert.That(Cut(content), Is.EqualTo(s_pinnedLengths));
    }

    [Test]
    public void NextSegmentLength_RandomContent_MatchesTranscriptionOfTheDocumentedAlgorithm()
    {
        byte[] content = PseudoRandomContent.Create(7, 16 << 20);
        ulong[] gear = IndependentGear();
        var expected = new List<int>();
        for (int at = 0; at < content.Length;)
        {
            int length = ReferenceSegmentLength(content.AsSpan(at), gear);
            expected.Add(length);
            at += length;
        }

        Assert.That(Cut(content), Is.EqualTo(expected));
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(100)]
    [TestCase(32767)]
    [TestCase(32768)] // MinLength: still no boundary can be considered
    public void NextSegmentLength_AtMostMinLength_WaitsUnlessFinal(int length)
    {
        byte[] data = PseudoRandomContent.Create(3, length);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ContentDefinedSegmenter.NextSegmentLength(data, isFinal: false), Is.Zero);
            Assert.That(ContentDefinedSegmenter.NextSegmentLength(data, isFinal: true), Is.EqualTo(length));
        }
    }

    [Test]
    public void NextSegmentLength_EveryPrefixAroundTheBoundary_DecidesTheSameOrWaits()
    {
        // A decision depends only on the bytes up to the boundary: with less data the chunker waits (or, at the end of the
        // content, cuts everything), with more it finds the same boundary. The builder relies on this to cut 4 MiB buffers.
        using var generator = new PseudoRandomContent(11);
        byte[] data = new byte[2 * ContentDefinedSegmenter.MaxLength];
        for (int sample = 0; sample < 24; sample++)
        {
            generator.Fill(sample * 1_000_003L, data);
            int boundary = ContentDefinedSegmenter.NextSegmentLength(data, isFinal: false);
            Assert.That(boundary, Is.InRange(ContentDefinedSegmenter.MinLength + 1, ContentDefinedSegmenter.MaxLength));
            int[] prefixes =
            [
                ContentDefinedSegmenter.MinLength + 1, boundary - 1, boundary, boundary + 1, ContentDefinedSegmenter.NormalLength,
                ContentDefinedSegmenter.NormalLength + 1, ContentDefinedSegmenter.MaxLength - 1, ContentDefinedSegmenter.MaxLength,
                ContentDefinedSegmenter.MaxLength + 1, data.Length,
            ];
            foreach (int prefix in prefixes.Where(p => p > ContentDefinedSegmenter.MinLength))
            {
                ReadOnlySpan<byte> part = data.AsSpan(0, prefix);
                using (Assert.EnterMultipleScope())
                {
                    Assert.That(ContentDefinedSegmenter.NextSegmentLength(part, isFinal: false), Is.EqualTo(prefix >= boundary ? boundary : 0), $"sample {sample}, prefix {prefix}");
                    Assert.That(ContentDefinedSegmenter.NextSegmentLength(part, isFinal: true), Is.EqualTo(Math.Min(prefix, boundary)), $"sample {sample}, prefix {prefix}");
                }
            }
        }
    }

    [TestCase((byte)0x00)]
    [TestCase((byte)0xFF)]
    public void NextSegmentLength_ConstantContent_CutsAtMaxLength(byte value)
    {
        // A constant window gives one hash value; for these bytes it never passes a threshold, so every cut is forced.
        byte[] data = new byte[(8 * ContentDefinedSegmenter.MaxLength) + 5];
        data.AsSpan().Fill(value);
        Assert.That(Cut(data), Is.EqualTo(Enumerable.Repeat(ContentDefinedSegmenter.MaxLength, 8).Append(5)));
    }

    [Test]
    public void NextSegmentLength_Mod251Content_CutsEverySegmentAtMaxLength()
    {
        // The mod-251 pattern of the V1 vectors has a period of 251 bytes, so the gear hash takes only 251 distinct
        // values; none passes either threshold, and the chunker degenerates to fixed 128 KiB cuts. Still valid
        // (MS-PCCRC 2.4.1.2 only bounds the length), but useless for testing the content-defined behaviour.
        byte[] data = new byte[PeerDistConstants.SegmentSize];
        using (Stream stream = ContentPatterns.Mod251Stream(data.Length))
        {
            stream.ReadExactly(data);
        }

        List<int> lengths = Cut(data);
        Assert.That(lengths, Has.Count.EqualTo(256).And.All.EqualTo(ContentDefinedSegmenter.MaxLength));
    }

    [Test]
    public void NextSegmentLength_RandomContent_LengthsInBoundsAndMeanPlausible()
    {
        byte[] content = PseudoRandomContent.Create(5, 64 << 20);
        List<int> lengths = Cut(content);
        double mean = lengths.Take(lengths.Count - 1).Average();
        int forced = lengths.Count(l => l == ContentDefinedSegmenter.MaxLength);
        TestContext.Out.WriteLine($"64 MiB random: {lengths.Count} segments, mean {mean:F0} bytes ({mean / 1024:F1} KiB), {forced} cut at 128 KiB, min {lengths.SkipLast(1).Min()}, max {lengths.Max()}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(lengths.SkipLast(1), Is.All.InRange(ContentDefinedSegmenter.MinLength + 1, ContentDefinedSegmenter.MaxLength));
            Assert.That(lengths.Sum(l => (long)l), Is.EqualTo(content.Length));
            Assert.That(mean, Is.InRange(60 * 1024, 80 * 1024)); // FastCDC-style normalisation: about 72 KiB expected
            Assert.That(forced, Is.LessThan(lengths.Count / 20)); // P(no cut before 128 KiB) = exp(-4) + small, about 2 %
        }
    }

    [Test]
    public void Create_OneByteInsertedNearStart_KeepsAtLeast99PercentOfSegmentIds()
    {
        byte[] original = ResyncContent();
        byte[] edited = new byte[original.Length + 1];
        original.AsSpan(0, 1000).CopyTo(edited);
        edited[1000] = 0x5A;
        original.AsSpan(1000).CopyTo(edited.AsSpan(1001));
        AssertResynchronises(edited, "insert at 1000");
    }

    [Test]
    public void Create_OneByteDeletedMidFile_KeepsAtLeast99PercentOfSegmentIds()
    {
        byte[] original = ResyncContent();
        const int At = ResyncLength / 2;
        byte[] edited = new byte[original.Length - 1];
        original.AsSpan(0, At).CopyTo(edited);
        original.AsSpan(At + 1).CopyTo(edited.AsSpan(At));
        AssertResynchronises(edited, $"delete at {At}");
    }

    [Test]
    public void Create_OneByteOverwrittenMidFile_KeepsAtLeast99PercentOfSegmentIds()
    {
        byte[] edited = (byte[])ResyncContent().Clone();
        const int At = (ResyncLength / 2) + 12345;
        edited[At] ^= 0xFF;
        AssertResynchronises(edited, $"overwrite at {At}");
    }

    /// <summary>The lengths the segmenter cuts <paramref name="content"/> into, as the builder calls it at the end of the content.</summary>
    internal static List<int> Cut(ReadOnlySpan<byte> content)
    {
        var lengths = new List<int>();
        while (!content.IsEmpty)
        {
            int length = ContentDefinedSegmenter.NextSegmentLength(content, isFinal: true);
            lengths.Add(length);
            content = content[length..];
        }

        return lengths;
    }

    /// <summary>G[i] = the first 8 bytes, little-endian, of SHA-256(ASCII seed ‖ i) (docs/v2-segmentation.md), from the text.</summary>
    private static ulong[] IndependentGear()
    {
        byte[] seed = Encoding.ASCII.GetBytes("PeerDist.Managed pdm-gear-v1");
        ulong[] gear = new ulong[256];
        for (int i = 0; i < gear.Length; i++)
        {
            byte[] digest = SHA256.HashData([.. seed, (byte)i]);
            gear[i] = BinaryPrimitives.ReadUInt64LittleEndian(digest);
        }

        return gear;
    }

    /// <summary>A plain transcription of docs/v2-segmentation.md steps 1-5 for data that ends the content.</summary>
    private static int ReferenceSegmentLength(ReadOnlySpan<byte> data, ulong[] gear)
    {
        if (data.Length <= 32768)
        {
            return data.Length;
        }

        ulong hash = 0;
        int end = Math.Min(data.Length, 131072);
        for (int i = 32768 - 64; i < end; i++)
        {
            hash = unchecked((hash << 1) + gear[data[i]]);
            if (i >= 32768 && hash < (i < 65536 ? 1UL << 47 : 1UL << 50))
            {
                return i + 1;
            }
        }

        return end;
    }

    private static HashSet<string> SegmentIds(byte[] content)
    {
        using var secret = ServerSecret.FromKey("no more secrets"u8);
        ContentInformation info = ContentInformationBuilder.Create(content, secret, new ContentInformationBuilderOptions { Version = ContentInformationVersion.V2 });
        return info.Segments.Select(s => Convert.ToHexStringLower(s.SegmentId.Span)).ToHashSet();
    }

    private byte[] ResyncContent()
    {
        _resyncContent ??= PseudoRandomContent.Create(100, ResyncLength);
        return _resyncContent;
    }

    private void AssertResynchronises(byte[] edited, string edit)
    {
        _resyncIds ??= SegmentIds(ResyncContent());
        HashSet<string> after = SegmentIds(edited);
        int kept = _resyncIds.Count(after.Contains);
        double fraction = (double)kept / _resyncIds.Count;
        TestContext.Out.WriteLine($"{edit}: {kept} of {_resyncIds.Count} segment IDs kept ({fraction:P3}), {_resyncIds.Count - kept} lost, {after.Count - kept} new");
        Assert.That(fraction, Is.GreaterThanOrEqualTo(0.99));
    }
}
