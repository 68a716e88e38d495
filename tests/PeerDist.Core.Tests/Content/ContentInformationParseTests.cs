using PeerDist.Content;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Content;

/// <summary>
/// <see cref="ContentInformation.PeekVersion"/>, <see cref="ContentInformation.Parse"/> and
/// <see cref="ContentInformation.TryParse(ReadOnlySpan{byte}, out ContentInformation?, out PeerDistFormatError, out long)"/>
/// beyond the vector files: header truncation offsets, the mutation-built rejections, valid edge cases, and a check that
/// every reason the parsers can report has a test.
/// </summary>
public class ContentInformationParseTests
{
    [TestCase("0001", ExpectedResult = ContentInformationVersion.V1)] // MS-PCCRC 2.3: WORD 0x0100, bytes 00 01
    [TestCase("0002", ExpectedResult = ContentInformationVersion.V2)] // MS-PCCRC 2.4: minor 00, major 02
    [TestCase("0001ffffffff", ExpectedResult = ContentInformationVersion.V1)] // the rest is not validated
    [TestCase("000201", ExpectedResult = ContentInformationVersion.V2)] // even a bad bHashAlgo
    public ContentInformationVersion PeekVersion_KnownVersionBytes_ReturnsVersion(string hex) =>
        ContentInformation.PeekVersion(Convert.FromHexString(hex));

    [TestCase("", PeerDistFormatError.Truncated, 0)]
    [TestCase("00", PeerDistFormatError.Truncated, 0)]
    [TestCase("0000", PeerDistFormatError.UnsupportedVersion, 1)]
    [TestCase("0003", PeerDistFormatError.UnsupportedVersion, 1)] // pccrc.md P5: reject anything but 00 01 / 00 02
    [TestCase("00ff", PeerDistFormatError.UnsupportedVersion, 1)]
    [TestCase("0101", PeerDistFormatError.UnsupportedVersion, 0)] // minor version byte not 0
    [TestCase("0100", PeerDistFormatError.UnsupportedVersion, 0)] // 0x0001 in the wrong byte order
    [TestCase("0200", PeerDistFormatError.UnsupportedVersion, 0)]
    public void PeekVersion_BadOrShortInput_ThrowsFormatException(string hex, PeerDistFormatError error, long offset)
    {
        FormatAssert.Throws(() => ContentInformation.PeekVersion(Convert.FromHexString(hex)), error, offset);
    }

    // Header prefixes: Truncated names the first field that does not fit (spec-vectors/README.md offset table).
    [TestCase("0001", PeerDistFormatError.Truncated, 2)] // V1 dwHashAlgo missing
    [TestCase("00010c80", PeerDistFormatError.Truncated, 2)] // dwHashAlgo half present
    [TestCase("00010c800000", PeerDistFormatError.Truncated, 6)] // dwOffsetInFirstSegment missing
    [TestCase("00010c8000000000", PeerDistFormatError.Truncated, 6)]
    [TestCase("00010c800000" + "00000000", PeerDistFormatError.Truncated, 10)] // dwReadBytesInLastSegment missing
    [TestCase("00010c800000" + "00000000" + "00000000", PeerDistFormatError.Truncated, 14)] // cSegments missing
    [TestCase("00010c800000" + "00000000" + "00000000" + "000000", PeerDistFormatError.Truncated, 14)]
    [TestCase("00010c800000" + "00000000" + "00000000" + "01000000", PeerDistFormatError.Truncated, 18)] // one description missing
    [TestCase("00010b800000", PeerDistFormatError.UnsupportedHashAlgorithm, 2)] // 0x800B is not in MS-PCCRC 2.3
    [TestCase("00010c810000", PeerDistFormatError.UnsupportedHashAlgorithm, 2)]
    [TestCase("00010c800100", PeerDistFormatError.UnsupportedHashAlgorithm, 2)] // high word must be 0
    [TestCase("0002", PeerDistFormatError.Truncated, 2)] // V2 bHashAlgo missing
    [TestCase("000204", PeerDistFormatError.Truncated, 3)] // ullStartInContent missing
    [TestCase("000204" + "0000000000000000" + "00", PeerDistFormatError.Truncated, 11)] // ullIndexOfFirstSegment missing
    [TestCase("000204" + "0000000000000000" + "0000000000000000", PeerDistFormatError.Truncated, 19)]
    [TestCase("000204" + "0000000000000000" + "0000000000000000" + "00000000", PeerDistFormatError.Truncated, 23)]
    [TestCase("000204" + "0000000000000000" + "0000000000000000" + "00000000" + "00000000000000", PeerDistFormatError.Truncated, 23)]
    [TestCase("000204" + "0000000000000000" + "0000000000000000" + "00000000" + "0000000000000000", PeerDistFormatError.Truncated, 31)] // no chunk
    [TestCase("000201", PeerDistFormatError.UnsupportedHashAlgorithm, 2)] // the 3.7 erratum value
    [TestCase("00020c", PeerDistFormatError.UnsupportedHashAlgorithm, 2)] // a V1 algorithm id byte
    public void Parse_HeaderCase_ThrowsWithReasonAndOffset(string hex, PeerDistFormatError error, long offset)
    {
        byte[] bytes = Convert.FromHexString(hex);

        var exception = Assert.Throws<PeerDistFormatException>(() => ContentInformation.Parse(bytes));
        bool parsed = ContentInformation.TryParse(bytes, out _, out PeerDistFormatError tryError, out long tryOffset);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Error, Is.EqualTo(error));
            Assert.That(exception.Offset, Is.EqualTo(offset));
            Assert.That(parsed, Is.False);
            Assert.That(tryError, Is.EqualTo(error));
            Assert.That(tryOffset, Is.EqualTo(offset));
        }
    }

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.MutationCases))]
    public void Parse_MutatedVector_ThrowsWithReasonAndOffset(PccrcMutation mutation)
    {
        FormatAssert.Throws(() => ContentInformation.Parse(mutation.Bytes), mutation.Reason, mutation.Offset, mutation.Why);
    }

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.MutationCases))]
    public void TryParse_MutatedVector_ReturnsFalseWithReasonAndOffset(PccrcMutation mutation)
    {
        bool parsed = true;
        ContentInformation? info = null;
        PeerDistFormatError error = PeerDistFormatError.Unknown;
        long offset = -1;

        Assert.DoesNotThrow(() => parsed = ContentInformation.TryParse(mutation.Bytes, out info, out error, out offset));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(parsed, Is.False, mutation.Why);
            Assert.That(info, Is.Null);
            Assert.That(error, Is.EqualTo(mutation.Reason), mutation.Why);
            Assert.That(offset, Is.EqualTo(mutation.Offset), mutation.Why);
        }
    }

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.EdgeCases))]
    public void Parse_ValidEdgeCase_DescribesExpectedRange(PccrcEdgeCase edge)
    {
        ContentInformation info = ContentInformation.Parse(edge.Bytes);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(info.Range, Is.EqualTo(edge.Range), edge.Why);
            Assert.That(info.Segments, Has.Count.EqualTo(edge.SegmentCount), edge.Why);
            Assert.That(ContentInformation.TryParse(edge.Bytes, out ContentInformation? again), Is.True);
            Assert.That(again!.Range, Is.EqualTo(edge.Range));
        }
    }

    [Test]
    public void ParseRejections_EveryReasonTheParsersReport_HasATest()
    {
        // Every reason the content information parsers (MS-PCCRC) can report, listed explicitly: the enum also holds
        // the reasons of other readers (key files, MS-PCCRR messages), which have their own tests.
        PeerDistFormatError[] expected =
        [
            PeerDistFormatError.Truncated, PeerDistFormatError.UnsupportedVersion, PeerDistFormatError.UnsupportedHashAlgorithm,
            PeerDistFormatError.InvalidBlockSize, PeerDistFormatError.InvalidSegmentLength, PeerDistFormatError.InvalidSegmentOffset,
            PeerDistFormatError.InvalidOffsetInFirstSegment, PeerDistFormatError.InvalidReadBytesInLastSegment,
            PeerDistFormatError.InvalidLengthOfRange, PeerDistFormatError.TooManyBlocks, PeerDistFormatError.InvalidBlockCount,
            PeerDistFormatError.InvalidChunkType, PeerDistFormatError.InvalidChunkLength, PeerDistFormatError.TrailingData,
            PeerDistFormatError.Overflow,
        ];
        IEnumerable<PeerDistFormatError> fromFiles = TestVectors.Names("pccrc/invalid")
            .Select(name => PccrcTestData.Reason(TestVectors.Load("pccrc/invalid", name)));
        IEnumerable<PeerDistFormatError> fromMutations = PccrcTestData.Mutations.Select(m => m.Reason);

        Assert.That(fromFiles.Concat(fromMutations).Distinct().Order(), Is.EqualTo(expected.Order()));
    }

    [Test]
    public void Parse_EmptyV1_DescribesNothing()
    {
        // pccrc.md P11: cSegments = 0 is what WPTS writes for empty content; parse it gracefully.
        byte[] bytes = Convert.FromHexString("00010c800000" + "00000000" + "00000000" + "00000000");

        var info = (ContentInformationV1)ContentInformation.Parse(bytes);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(info.Version, Is.EqualTo(ContentInformationVersion.V1));
            Assert.That(info.HashAlgorithm, Is.EqualTo(ContentHashAlgorithm.Sha256));
            Assert.That(info.Segments, Is.Empty);
            Assert.That(info.Range, Is.EqualTo(default(ContentRange)));
            Assert.That(info.SegmentsRange, Is.EqualTo(default(ContentRange)));
            Assert.That(info.OffsetInFirstSegment, Is.Zero);
            Assert.That(info.ReadBytesInLastSegment, Is.Zero);
            Assert.That(info.FindSegment(0), Is.EqualTo(-1));
            Assert.That(info.GetBlocks(new ContentRange(0, 100)), Is.Empty);
            Assert.That(info.ToArray(), Is.EqualTo(bytes));
        }
    }

    [TestCase("00010d800000" + "00000000" + "00000000" + "00000000", ContentHashAlgorithm.Sha384)]
    [TestCase("00010e800000" + "00000000" + "00000000" + "00000000", ContentHashAlgorithm.Sha512)]
    public void Parse_EmptyV1OtherAlgorithm_KeepsAlgorithm(string hex, ContentHashAlgorithm algorithm)
    {
        Assert.That(ContentInformation.Parse(Convert.FromHexString(hex)).HashAlgorithm, Is.EqualTo(algorithm));
    }

    [Test]
    public void Parse_CallerChangesInputAfterwards_ModelKeepsItsOwnCopy()
    {
        byte[] bytes = PccrcTestData.Bytes("spec-3-2-v1-125kb-full-dwread-0");
        ContentInformation info = ContentInformation.Parse(bytes);
        byte[] before = info.ToArray();

        Array.Fill(bytes, (byte)0xEE);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(info.ToArray(), Is.EqualTo(before));
            Assert.That(info.Segments[0].HashOfData.Span[0], Is.EqualTo(before[34]));
        }
    }

    [Test]
    public void Parse_SliceOfLargerBuffer_ParsesTheSliceAndReportsOffsetsRelativeToIt()
    {
        byte[] vector = PccrcTestData.Bytes("spec-3-7-v2-189kb-range-100kb-to-110kb");
        byte[] padded = [0xFF, 0xFF, 0xFF, .. vector, 0xFF];
        byte[] badPadded = [0xFF, 0xFF, 0xFF, .. PccrcTestData.WithByte(vector, 31, 0x01), 0xFF];

        ContentInformation info = ContentInformation.Parse(padded.AsSpan(3, vector.Length));
        var exception = Assert.Throws<PeerDistFormatException>(() => ContentInformation.Parse(badPadded.AsSpan(3, vector.Length)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(info.ToArray(), Is.EqualTo(vector));
            Assert.That(exception.Error, Is.EqualTo(PeerDistFormatError.InvalidChunkType));
            Assert.That(exception.Offset, Is.EqualTo(31));
        }
    }

    [Test]
    public void TryParse_TwoArgumentOverload_AgreesWithFullOverload()
    {
        byte[] good = PccrcTestData.Bytes("ipxe-iis85-v2");
        byte[] bad = good[..^1];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ContentInformation.TryParse(good, out ContentInformation? info), Is.True);
            Assert.That(info!.ToArray(), Is.EqualTo(good));
            Assert.That(ContentInformation.TryParse(bad, out ContentInformation? none), Is.False);
            Assert.That(none, Is.Null);
        }
    }

    [Test]
    public void Parse_FormatException_IsAFormatExceptionWithReasonInMessage()
    {
        var exception = Assert.Throws<PeerDistFormatException>(() => ContentInformation.Parse([0x00, 0x03]));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception, Is.InstanceOf<FormatException>());
            Assert.That(exception.Message, Does.Contain(nameof(PeerDistFormatError.UnsupportedVersion)));
            Assert.That(exception.Message, Does.Contain("byte 1"));
        }
    }

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.ValidVectors))]
    public void ToString_ValidVector_NeverShowsASegmentSecret(TestVectors.Vector vector)
    {
        ContentInformation info = ContentInformation.Parse(vector.Bytes);
        string text = info + "\n" + string.Join("\n", info.Segments.Select(s => s.ToString()));

        using (Assert.EnterMultipleScope())
        {
            foreach (ContentSegment segment in info.Segments.Take(8).Concat(info.Segments.TakeLast(2)))
            {
                string kp = Convert.ToHexStringLower(segment.SegmentSecret.Span);
                Assert.That(text, Does.Not.Contain(kp).IgnoreCase, $"segment {segment.Index}");

                // Not even an 8-byte window of it, in either case.
                Assert.That(text, Does.Not.Contain(kp[..16]).IgnoreCase, $"segment {segment.Index}");
            }

            Assert.That(info.ToString(), Does.Contain(info.Version.ToString()));
            Assert.That(info.ToString(), Does.Contain(info.Range.ToString()));
        }
    }
}
