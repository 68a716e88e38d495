using PeerDist.Content;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Content;

/// <summary>
/// The zero-copy V2 reader: the same values as the JSON and the materialised model, implicit segment offsets and
/// indices, chunk positions, no allocation, and a reader that stays at the end once it is there.
/// </summary>
public class ContentInformationV2ReaderTests
{
    [Test]
    public void Lengths_Constants_MatchTheSpecLayout()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ContentInformationV2Reader.HeaderLength, Is.EqualTo(31)); // MS-PCCRC 2.4: 1 + 1 + 1 + 8 + 8 + 4 + 8
            Assert.That(ContentInformationV2Reader.ChunkHeaderLength, Is.EqualTo(5)); // 2.4.1.1: bChunkType + dwChunkDataLength
            Assert.That(ContentInformationV2Reader.SegmentDescriptionLength, Is.EqualTo(68)); // 2.4.1.2: 4 + 32 + 32
            Assert.That(ContentInformationV2Reader.HashAlgorithm, Is.EqualTo(ContentHashAlgorithm.Sha512Truncated));
        }
    }

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.V2Vectors))]
    public void TryReadSegment_ValidVector_MatchesJsonAndModel(TestVectors.Vector vector)
    {
        PccrcExpectation expected = PccrcExpectation.From(vector);
        PccrcExpectation.V2HeaderFields header = expected.V2Header!;
        var model = (ContentInformationV2)ContentInformation.Parse(vector.Bytes);
        ReadOnlySpan<byte> data = vector.Bytes;

        bool created = ContentInformationV2Reader.TryCreate(data, out ContentInformationV2Reader reader, out PeerDistFormatError error, out long errorOffset);

        Assert.That(created, Is.True, $"{error} at {errorOffset}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reader.StartInContent, Is.EqualTo(header.StartInContent));
            Assert.That(reader.IndexOfFirstSegment, Is.EqualTo(header.IndexOfFirstSegment));
            Assert.That(reader.OffsetInFirstSegment, Is.EqualTo(header.OffsetInFirstSegment));
            Assert.That(reader.LengthOfRange, Is.EqualTo(header.LengthOfRange));
            Assert.That(reader.ChunkCount, Is.EqualTo(header.ChunkSegmentCounts.Count));
            Assert.That(reader.SegmentCount, Is.EqualTo(header.ChunkSegmentCounts.Sum()));
            Assert.That(reader.Range, Is.EqualTo(ContentRange.FromBounds(expected.RangeStart, expected.RangeEnd)));
            Assert.That(reader.SegmentsRead, Is.Zero);

            int listIndex = 0;
            long nextOffset = header.StartInContent;
            int[] perChunk = new int[reader.ChunkCount];
            while (reader.TryReadSegment(out SegmentDescriptionV2 segment))
            {
                string at = $"list index {listIndex}";
                ContentSegment m = model.Segments[listIndex];
                PccrcExpectation.SegmentFields json = expected.Segments[listIndex]; // V2 JSON lists every segment in order
                Assert.That(reader.SegmentsRead, Is.EqualTo(listIndex + 1), at);

                // Implicit position: index counts from ullIndexOfFirstSegment, offset is a running sum (pccrc.md §2.1).
                Assert.That(segment.Index, Is.EqualTo(header.IndexOfFirstSegment + listIndex), at);
                Assert.That(segment.OffsetInContent, Is.EqualTo(nextOffset), at);
                Assert.That(segment.Index, Is.EqualTo(json.Index), at);
                Assert.That(segment.OffsetInContent, Is.EqualTo(json.Offset), at);
                Assert.That(segment.SegmentLength, Is.EqualTo(json.Length), at);
                Assert.That(Convert.ToHexStringLower(segment.HashOfData), Is.EqualTo(Convert.ToHexStringLower(json.HashOfData)), at);
                Assert.That(Convert.ToHexStringLower(segment.SegmentSecret), Is.EqualTo(Convert.ToHexStringLower(json.SegmentSecret)), at);
                Assert.That(segment.Index, Is.EqualTo(m.Index), at);
                Assert.That(segment.OffsetInContent, Is.EqualTo(m.Offset), at);
                Assert.That(segment.SegmentLength, Is.EqualTo(m.Length), at);
                Assert.That(segment.HashOfData.SequenceEqual(m.HashOfData.Span), Is.True, at);
                Assert.That(segment.SegmentSecret.SequenceEqual(m.SegmentSecret.Span), Is.True, at);
                Assert.That(data.Overlaps(segment.HashOfData), Is.True, at + " zero-copy");
                Assert.That(data.Overlaps(segment.SegmentSecret), Is.True, at + " zero-copy");
                Assert.That(segment.ChunkIndex, Is.InRange(0, reader.ChunkCount - 1), at);
                perChunk[segment.ChunkIndex]++;
                nextOffset += segment.SegmentLength;
                listIndex++;
            }

            Assert.That(listIndex, Is.EqualTo(expected.Segments.Count));
            Assert.That(perChunk, Is.EqualTo(header.ChunkSegmentCounts));
            Assert.That(reader.TryReadSegment(out _), Is.False);
            Assert.That(reader.SegmentsRead, Is.EqualTo(reader.SegmentCount));
        }
    }

    [Test]
    public void TryReadSegment_ThreeChunks_ReportsEachSegmentsChunk()
    {
        byte[] bytes = PccrcTestData.RegroupV2Chunks(PccrcTestData.Bytes("derived-193536-v2-whole"), 1, 2);
        ContentInformationV2Reader reader = new(bytes);
        var chunks = new List<int>();
        var offsets = new List<long>();

        while (reader.TryReadSegment(out SegmentDescriptionV2 segment))
        {
            chunks.Add(segment.ChunkIndex);
            offsets.Add(segment.OffsetInContent);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reader.ChunkCount, Is.EqualTo(2));
            Assert.That(chunks, Is.EqualTo(new[] { 0, 1, 1 }));
            Assert.That(offsets, Is.EqualTo(new long[] { 0, 0xF000, 0x24400 })); // MS-PCCRC 3.6 segment sizes
        }
    }

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.V2Vectors))]
    public void Constructor_ValidVector_AgreesWithTryCreate(TestVectors.Vector vector)
    {
        var thrown = new ContentInformationV2Reader(vector.Bytes);
        ContentInformationV2Reader.TryCreate(vector.Bytes, out ContentInformationV2Reader tried, out _, out _);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(thrown.SegmentCount, Is.EqualTo(tried.SegmentCount));
            Assert.That(thrown.ChunkCount, Is.EqualTo(tried.ChunkCount));
            Assert.That(thrown.Range, Is.EqualTo(tried.Range));
            Assert.That(thrown.StartInContent, Is.EqualTo(tried.StartInContent));
            Assert.That(thrown.IndexOfFirstSegment, Is.EqualTo(tried.IndexOfFirstSegment));
            Assert.That(thrown.OffsetInFirstSegment, Is.EqualTo(tried.OffsetInFirstSegment));
            Assert.That(thrown.LengthOfRange, Is.EqualTo(tried.LengthOfRange));
        }
    }

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.V2Vectors))]
    public void TryCreateAndReadAll_AfterWarmUp_AllocatesNothing(TestVectors.Vector vector)
    {
        byte[] bytes = vector.Bytes;
        long checksum = Allocations.AssertNoneAfterWarmUp(() => ReadAll(bytes));

        Assert.That(checksum, Is.Positive);
    }

    [Test]
    public void TryCreateAndReadAll_ManyChunks_AllocatesNothing()
    {
        byte[] bytes = PccrcTestData.RegroupV2Chunks(PccrcTestData.Bytes("derived-193536-v2-whole"), 1, 1, 1);
        Allocations.AssertNoneAfterWarmUp(() => ReadAll(bytes));
    }

    [TestCase("0001", PeerDistFormatError.UnsupportedVersion, 1)]
    [TestCase("0102", PeerDistFormatError.UnsupportedVersion, 0)]
    [TestCase("0002", PeerDistFormatError.Truncated, 2)]
    [TestCase("000204", PeerDistFormatError.Truncated, 3)]
    [TestCase("000205", PeerDistFormatError.UnsupportedHashAlgorithm, 2)]
    public void Constructor_BadData_ThrowsFormatException(string hex, PeerDistFormatError error, long offset)
    {
        byte[] bytes = Convert.FromHexString(hex);

        FormatAssert.Throws(() => _ = new ContentInformationV2Reader(bytes).SegmentCount, error, offset);
    }

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.V1Vectors))]
    public void TryCreate_V1Vector_ReturnsFalseAndAnEmptyReader(TestVectors.Vector vector)
    {
        bool created = ContentInformationV2Reader.TryCreate(vector.Bytes, out ContentInformationV2Reader reader, out PeerDistFormatError error, out long offset);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(created, Is.False);
            Assert.That(error, Is.EqualTo(PeerDistFormatError.UnsupportedVersion));
            Assert.That(offset, Is.EqualTo(1));
            Assert.That(reader.SegmentCount, Is.Zero);
            Assert.That(reader.TryReadSegment(out _), Is.False);
        }
    }

    /// <summary>Creates a reader and walks every segment, touching each field; allocates nothing itself.</summary>
    private static long ReadAll(ReadOnlySpan<byte> data)
    {
        if (!ContentInformationV2Reader.TryCreate(data, out ContentInformationV2Reader reader, out _, out _))
        {
            return -1;
        }

        long checksum = reader.SegmentCount + reader.ChunkCount + reader.Range.Length + reader.StartInContent + reader.LengthOfRange
            + reader.IndexOfFirstSegment + reader.OffsetInFirstSegment;
        while (reader.TryReadSegment(out SegmentDescriptionV2 s))
        {
            checksum += s.Index + s.OffsetInContent + s.SegmentLength + s.ChunkIndex + s.HashOfData[0] + s.SegmentSecret[^1];
        }

        return checksum;
    }
}
