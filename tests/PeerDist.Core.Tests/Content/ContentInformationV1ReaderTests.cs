using PeerDist.Content;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Content;

/// <summary>
/// The zero-copy V1 reader: the same values as the JSON and the materialised model, spans that point into the input,
/// no allocation, and failed calls that leave the reader where it was.
/// </summary>
public class ContentInformationV1ReaderTests
{
    [Test]
    public void HeaderLength_Constant_IsEighteen()
    {
        Assert.That(ContentInformationV1Reader.HeaderLength, Is.EqualTo(18)); // MS-PCCRC 2.3: 2 + 4 + 4 + 4 + 4
    }

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.V1Vectors))]
    public void TryReadSegment_ValidVector_MatchesJsonAndModel(TestVectors.Vector vector)
    {
        PccrcExpectation expected = PccrcExpectation.From(vector);
        ContentInformation model = ContentInformation.Parse(vector.Bytes);
        ReadOnlySpan<byte> data = vector.Bytes;

        bool created = ContentInformationV1Reader.TryCreate(data, out ContentInformationV1Reader reader, out PeerDistFormatError error, out long errorOffset);

        Assert.That(created, Is.True, $"{error} at {errorOffset}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reader.HashAlgorithm, Is.EqualTo(expected.HashAlgorithm));
            Assert.That(reader.OffsetInFirstSegment, Is.EqualTo(expected.V1Header!.OffsetInFirstSegment));
            Assert.That(reader.ReadBytesInLastSegment, Is.EqualTo(expected.V1Header.ReadBytesInLastSegment));
            Assert.That(reader.SegmentCount, Is.EqualTo(expected.V1Header.SegmentCount));
            Assert.That(reader.Range, Is.EqualTo(ContentRange.FromBounds(expected.RangeStart, expected.RangeEnd)));
            Assert.That(reader.SegmentsRead, Is.Zero);

            int listIndex = 0;
            int matchedJson = 0;
            while (reader.TryReadSegment(out SegmentDescriptionV1 segment))
            {
                ContentSegment m = model.Segments[listIndex];
                string at = $"list index {listIndex}";
                Assert.That(reader.SegmentsRead, Is.EqualTo(listIndex + 1), at);
                Assert.That(segment.Index, Is.EqualTo(m.Index), at);
                Assert.That(segment.OffsetInContent, Is.EqualTo(m.Offset), at);
                Assert.That(segment.SegmentLength, Is.EqualTo(m.Length), at);
                Assert.That(segment.BlockSize, Is.EqualTo(PeerDistConstants.BlockSize), at);
                Assert.That(segment.DigestLength, Is.EqualTo(expected.HashAlgorithm.GetDigestLength()), at);
                Assert.That(segment.FirstBlockIndex, Is.EqualTo(m.FirstListedBlockIndex), at);
                Assert.That(segment.BlockCount, Is.EqualTo(m.ListedBlockCount), at);
                Assert.That(segment.HashOfData.SequenceEqual(m.HashOfData.Span), Is.True, at + " HoD");
                Assert.That(segment.SegmentSecret.SequenceEqual(m.SegmentSecret.Span), Is.True, at + " Kp");
                Assert.That(segment.BlockHashes.SequenceEqual(m.BlockHashes.Span), Is.True, at + " block hashes");

                // Zero-copy: every span is a window of the input.
                Assert.That(data.Overlaps(segment.HashOfData), Is.True, at);
                Assert.That(data.Overlaps(segment.SegmentSecret), Is.True, at);
                Assert.That(data.Overlaps(segment.BlockHashes), Is.True, at);

                long index = segment.Index;
                if (expected.Segments.FirstOrDefault(s => s.Index == index) is { } json)
                {
                    matchedJson++;
                    Assert.That(segment.OffsetInContent, Is.EqualTo(json.Offset), at);
                    Assert.That(segment.SegmentLength, Is.EqualTo(json.Length), at);
                    Assert.That(segment.BlockSize, Is.EqualTo(json.BlockSize), at);
                    Assert.That(segment.BlockCount, Is.EqualTo(json.BlockCount), at);
                    Assert.That(segment.FirstBlockIndex, Is.EqualTo(json.FirstBlockIndex), at);
                    Assert.That(Convert.ToHexStringLower(segment.HashOfData), Is.EqualTo(Convert.ToHexStringLower(json.HashOfData)), at);
                    Assert.That(Convert.ToHexStringLower(segment.SegmentSecret), Is.EqualTo(Convert.ToHexStringLower(json.SegmentSecret)), at);
                    for (int k = 0; k < json.BlockHashes!.Count; k++)
                    {
                        Assert.That(
                            Convert.ToHexStringLower(segment.GetBlockHash(k)),
                            Is.EqualTo(Convert.ToHexStringLower(json.BlockHashes[k])),
                            $"{at} listed hash {k}");
                    }
                }

                listIndex++;
            }

            Assert.That(listIndex, Is.EqualTo(expected.V1Header.SegmentCount));
            Assert.That(matchedJson, Is.EqualTo(expected.Segments.Count));
            Assert.That(reader.SegmentsRead, Is.EqualTo(reader.SegmentCount));
        }
    }

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.V1Vectors))]
    public void Constructor_ValidVector_AgreesWithTryCreate(TestVectors.Vector vector)
    {
        var thrown = new ContentInformationV1Reader(vector.Bytes);
        ContentInformationV1Reader.TryCreate(vector.Bytes, out ContentInformationV1Reader tried, out _, out _);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(thrown.SegmentCount, Is.EqualTo(tried.SegmentCount));
            Assert.That(thrown.Range, Is.EqualTo(tried.Range));
            Assert.That(thrown.HashAlgorithm, Is.EqualTo(tried.HashAlgorithm));
            Assert.That(thrown.OffsetInFirstSegment, Is.EqualTo(tried.OffsetInFirstSegment));
            Assert.That(thrown.ReadBytesInLastSegment, Is.EqualTo(tried.ReadBytesInLastSegment));
        }
    }

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.V1Vectors))]
    public void TryCreateAndReadAll_AfterWarmUp_AllocatesNothing(TestVectors.Vector vector)
    {
        byte[] bytes = vector.Bytes;
        long checksum = Allocations.AssertNoneAfterWarmUp(() => ReadAll(bytes));

        Assert.That(checksum, Is.Positive);
    }

    [Test]
    public void TryCreateAndReadAll_4GiBFixture_AllocatesZeroBytesFor129Segments()
    {
        // The showcase: a 2 MB content information for 4 GiB + 100 bytes of content, walked without one allocation.
        byte[] bytes = PccrcTestData.Bytes(PccrcTestData.FourGiBVector);
        Func<(int, long, long)> countAndLastOffset = () => CountAndLastOffset(bytes);
        _ = countAndLastOffset();

        ((int count, long lastOffset, long hashBytes), long allocated) = Allocations.Measure(countAndLastOffset);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(allocated, Is.Zero);
            Assert.That(count, Is.EqualTo(129));
            Assert.That(lastOffset, Is.EqualTo(0x1_0000_0000));
            Assert.That(hashBytes, Is.EqualTo(((128 * 512) + 1) * 32));
        }
    }

    [Test]
    public void TrySkipTo_4GiBFixture_LandsOnSegmentsAroundThe32BitBoundary()
    {
        ContentInformationV1Reader reader = new(PccrcTestData.Bytes(PccrcTestData.FourGiBVector));

        bool first = reader.TrySkipTo(127, out SegmentDescriptionV1 s127);
        long offset127 = s127.OffsetInContent;
        long index127 = s127.Index;
        int length127 = s127.SegmentLength;
        bool second = reader.TrySkipTo(128, out SegmentDescriptionV1 s128);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.True);
            Assert.That(offset127, Is.EqualTo(0xFE00_0000));
            Assert.That(index127, Is.EqualTo(127));
            Assert.That(length127, Is.EqualTo(PeerDistConstants.SegmentSize));
            Assert.That(second, Is.True);
            Assert.That(s128.OffsetInContent, Is.EqualTo(0x1_0000_0000)); // ends segment 127 exactly at 2^32
            Assert.That(s128.Index, Is.EqualTo(128));
            Assert.That(s128.SegmentLength, Is.EqualTo(100));
            Assert.That(s128.BlockCount, Is.EqualTo(1));
            Assert.That(reader.SegmentsRead, Is.EqualTo(129));
        }
    }

    [Test]
    public void TrySkipTo_AlreadyPassed_ReturnsFalseAndDoesNotMove()
    {
        ContentInformationV1Reader reader = new(PccrcTestData.Bytes("spec-3-4-v1-125mb-full"));
        reader.TrySkipTo(2, out _);

        bool skipped = reader.TrySkipTo(1, out _);
        int read = reader.SegmentsRead;
        bool next = reader.TryReadSegment(out SegmentDescriptionV1 third);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(skipped, Is.False);
            Assert.That(read, Is.EqualTo(3));
            Assert.That(next, Is.True);
            Assert.That(third.OffsetInContent, Is.EqualTo(0x600_0000));
        }
    }

    [TestCase(4)]
    [TestCase(int.MaxValue)]
    [TestCase(-1)]
    public void TrySkipTo_NoSuchSegment_ReturnsFalseAndDoesNotMove(int listIndex)
    {
        ContentInformationV1Reader reader = new(PccrcTestData.Bytes("spec-3-4-v1-125mb-full"));
        reader.TryReadSegment(out _);

        bool skipped = reader.TrySkipTo(listIndex, out _);
        int read = reader.SegmentsRead;
        bool next = reader.TryReadSegment(out SegmentDescriptionV1 second);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(skipped, Is.False);
            Assert.That(read, Is.EqualTo(1));
            Assert.That(next, Is.True);
            Assert.That(second.OffsetInContent, Is.EqualTo(0x200_0000));
        }
    }

    [Test]
    public void TryReadSegment_AfterTheLast_ReturnsFalseAndStaysAtTheEnd()
    {
        ContentInformationV1Reader reader = new(PccrcTestData.Bytes("ipxe-iis85-v1"));
        reader.TryReadSegment(out _);

        bool again = reader.TryReadSegment(out SegmentDescriptionV1 none);
        bool third = reader.TryReadSegment(out _);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(again, Is.False);
            Assert.That(third, Is.False);
            Assert.That(none.HashOfData.IsEmpty, Is.True);
            Assert.That(none.OffsetInContent, Is.Zero);
            Assert.That(reader.SegmentsRead, Is.EqualTo(1));
        }
    }

    [Test]
    public void DefaultSegment_Properties_DoNotThrow()
    {
        // What TryReadSegment hands out after the last segment; reading it must not divide by a zero digest length.
        int blockCount = -1;

        Assert.DoesNotThrow(() => blockCount = default(SegmentDescriptionV1).BlockCount);

        Assert.That(blockCount, Is.Zero);
    }

    [Test]
    public void TryCreate_EmptyV1_HasNoSegments()
    {
        byte[] bytes = Convert.FromHexString("00010c800000" + "00000000" + "00000000" + "00000000");

        bool created = ContentInformationV1Reader.TryCreate(bytes, out ContentInformationV1Reader reader, out _, out _);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(created, Is.True);
            Assert.That(reader.SegmentCount, Is.Zero);
            Assert.That(reader.Range, Is.EqualTo(default(ContentRange)));
            Assert.That(reader.TryReadSegment(out _), Is.False);
        }
    }

    [Test]
    public void TryReadSegment_SpecTextBlockList_FirstBlockIndexIsOne()
    {
        // 3.3 with only the intersecting block listed (the MS-PCCRC 2.3.1.2 text reading, pccrc.md P7).
        byte[] s33 = PccrcTestData.Bytes("spec-3-3-v1-125kb-range-100kb-to-end");
        byte[] bytes = PccrcTestData.WithUInt32LittleEndian(PccrcTestData.Without(s33, 102, 32), 98, 1);

        ContentInformationV1Reader reader = new(bytes);
        reader.TryReadSegment(out SegmentDescriptionV1 segment);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(segment.FirstBlockIndex, Is.EqualTo(1));
            Assert.That(segment.BlockCount, Is.EqualTo(1));
            Assert.That(segment.GetBlockHash(0).SequenceEqual(s33.AsSpan(134, 32)), Is.True);
        }
    }

    [TestCase("0002", PeerDistFormatError.UnsupportedVersion, 1)]
    [TestCase("0101", PeerDistFormatError.UnsupportedVersion, 0)]
    [TestCase("00", PeerDistFormatError.Truncated, 0)]
    [TestCase("00010c800000", PeerDistFormatError.Truncated, 6)]
    public void Constructor_BadData_ThrowsFormatException(string hex, PeerDistFormatError error, long offset)
    {
        byte[] bytes = Convert.FromHexString(hex);

        FormatAssert.Throws(() => _ = new ContentInformationV1Reader(bytes).SegmentCount, error, offset);
    }

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.V2Vectors))]
    public void TryCreate_V2Vector_ReturnsFalseAndAnEmptyReader(TestVectors.Vector vector)
    {
        bool created = ContentInformationV1Reader.TryCreate(vector.Bytes, out ContentInformationV1Reader reader, out PeerDistFormatError error, out long offset);

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
        if (!ContentInformationV1Reader.TryCreate(data, out ContentInformationV1Reader reader, out _, out _))
        {
            return -1;
        }

        long checksum = reader.SegmentCount + reader.Range.Length + reader.OffsetInFirstSegment + reader.ReadBytesInLastSegment;
        while (reader.TryReadSegment(out SegmentDescriptionV1 s))
        {
            checksum += s.Index + s.OffsetInContent + s.SegmentLength + s.BlockSize + s.BlockCount + s.FirstBlockIndex
                + s.HashOfData[0] + s.SegmentSecret[^1] + s.GetBlockHash(s.BlockCount - 1)[0] + s.BlockHashes.Length;
        }

        return checksum;
    }

    private static (int Count, long LastOffset, long HashBytes) CountAndLastOffset(ReadOnlySpan<byte> data)
    {
        ContentInformationV1Reader.TryCreate(data, out ContentInformationV1Reader reader, out _, out _);
        int count = 0;
        long last = -1;
        long hashBytes = 0;
        while (reader.TryReadSegment(out SegmentDescriptionV1 s))
        {
            count++;
            last = s.OffsetInContent;
            hashBytes += s.BlockHashes.Length;
        }

        return (count, last, hashBytes);
    }
}
