using PeerDist.Content;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Content;

/// <summary>
/// Range math against hand-computed values from the MS-PCCRC section 3 examples: <see cref="ContentRange"/>,
/// <see cref="ContentInformation.FindSegment"/>, the block arithmetic of <see cref="ContentSegment"/>,
/// <see cref="ContentInformation.GetBlocks"/> with trimmed ranges, and <see cref="ContentInformation.Restrict"/>, whose
/// output is compared byte for byte with vectors an independent script wrote.
/// </summary>
public class ContentInformationRangeTests
{
    private const string Spec31 = "spec-3-1-v1-125kb-full-dwread-128000";
    private const string Spec32 = "spec-3-2-v1-125kb-full-dwread-0";
    private const string Spec33 = "spec-3-3-v1-125kb-range-100kb-to-end";
    private const string Spec34 = "spec-3-4-v1-125mb-full";
    private const string Spec35 = "spec-3-5-v1-125mb-range-100kb-to-124mb";
    private const string Spec36 = "spec-3-6-v2-189kb-full";
    private const string Spec37 = "spec-3-7-v2-189kb-range-100kb-to-110kb";
    private const string V2Whole = "derived-193536-v2-whole";

    // --- ContentRange ---

    [TestCase(0, 10, 5, 20, 5, 10)]
    [TestCase(5, 20, 0, 10, 5, 10)]
    [TestCase(0, 10, 2, 3, 2, 3)]
    [TestCase(0, 10, 0, 10, 0, 10)]
    public void Intersect_OverlappingRanges_ReturnsSharedBytes(long s1, long e1, long s2, long e2, long start, long end)
    {
        ContentRange a = ContentRange.FromBounds(s1, e1);
        ContentRange b = ContentRange.FromBounds(s2, e2);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(a.Intersect(b), Is.EqualTo(ContentRange.FromBounds(start, end)));
            Assert.That(a.Intersects(b), Is.True);
            Assert.That(b.Intersects(a), Is.True);
        }
    }

    [TestCase(0, 10, 10, 20)] // touching: half-open ranges share nothing
    [TestCase(10, 20, 0, 10)]
    [TestCase(0, 10, 30, 40)]
    public void Intersect_DisjointRanges_ReturnsEmptyRange(long s1, long e1, long s2, long e2)
    {
        ContentRange a = ContentRange.FromBounds(s1, e1);
        ContentRange b = ContentRange.FromBounds(s2, e2);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(a.Intersect(b).IsEmpty, Is.True);
            Assert.That(a.Intersects(b), Is.False);
        }
    }

    [Test]
    public void ContentRange_Basics_FollowHalfOpenRules()
    {
        ContentRange range = ContentRange.FromBounds(102400, 128000);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(range.Start, Is.EqualTo(102400));
            Assert.That(range.Length, Is.EqualTo(25600));
            Assert.That(range.End, Is.EqualTo(128000));
            Assert.That(range.IsEmpty, Is.False);
            Assert.That(range.Contains(102399), Is.False);
            Assert.That(range.Contains(102400), Is.True);
            Assert.That(range.Contains(127999), Is.True);
            Assert.That(range.Contains(128000), Is.False);
            Assert.That(range.ToString(), Is.EqualTo("[102400, 128000)"));
            Assert.That(new ContentRange(7, 0).IsEmpty, Is.True);
            Assert.That(new ContentRange(7, 0).Contains(7), Is.False);
        }
    }

    // --- FindSegment ---

    [TestCase(Spec34, 0, 0)]
    [TestCase(Spec34, 0x1FF_FFFF, 0)]
    [TestCase(Spec34, 0x200_0000, 1)] // MS-PCCRC 3.4: segment 1 starts at 0x2000000
    [TestCase(Spec34, 0x5FF_FFFF, 2)]
    [TestCase(Spec34, 0x600_0000, 3)]
    [TestCase(Spec34, 0x7CF_FFFF, 3)] // last byte of the 0x1D00000-byte last segment
    [TestCase(Spec34, 0x7D0_0000, -1)]
    [TestCase(Spec34, -1, -1)]
    [TestCase(Spec34, long.MaxValue, -1)]
    [TestCase(Spec35, 0, 0)] // segments, not the range: block 0 of 3.5 is outside the range but inside segment 0
    [TestCase(Spec36, 0, 0)] // MS-PCCRC 3.6: implicit offsets 0, 0xF000, 0x24400, end 0x2F400
    [TestCase(Spec36, 0xEFFF, 0)]
    [TestCase(Spec36, 0xF000, 1)]
    [TestCase(Spec36, 0x243FF, 1)]
    [TestCase(Spec36, 0x24400, 2)]
    [TestCase(Spec36, 0x2F3FF, 2)]
    [TestCase(Spec36, 0x2F400, -1)]
    [TestCase(Spec37, 0xEFFF, -1)] // MS-PCCRC 3.7: only segment index 1 [0xF000, 0x24400) is listed
    [TestCase(Spec37, 0xF000, 0)]
    [TestCase(Spec37, 0x243FF, 0)]
    [TestCase(Spec37, 0x24400, -1)]
    [TestCase(PccrcTestData.FourGiBVector, 0xFFFF_FFFF, 127)]
    [TestCase(PccrcTestData.FourGiBVector, 0x1_0000_0000, 128)]
    [TestCase(PccrcTestData.FourGiBVector, 0x1_0000_0063, 128)]
    [TestCase(PccrcTestData.FourGiBVector, 0x1_0000_0064, -1)]
    public void FindSegment_Offset_ReturnsListPosition(string vector, long offset, int expected)
    {
        Assert.That(Parse(vector).FindSegment(offset), Is.EqualTo(expected));
    }

    // --- ContentSegment block math ---

    [TestCase(0, 0, 65536)]
    [TestCase(1, 65536, 128000)] // MS-PCCRC 3.1: the last block is the last 62,464 bytes
    public void GetBlockRange_Spec32Segment_ReturnsBlockBytes(int block, long start, long end)
    {
        Assert.That(Parse(Spec32).Segments[0].GetBlockRange(block), Is.EqualTo(ContentRange.FromBounds(start, end)));
    }

    [TestCase(0, 0)]
    [TestCase(65535, 0)]
    [TestCase(65536, 1)]
    [TestCase(127999, 1)]
    public void GetBlockIndex_Spec32Offset_ReturnsBlock(long offset, int block)
    {
        Assert.That(Parse(Spec32).Segments[0].GetBlockIndex(offset), Is.EqualTo(block));
    }

    [TestCase(-1L)]
    [TestCase(128000L)]
    [TestCase(long.MaxValue)]
    public void GetBlockIndex_OffsetOutsideSegment_ThrowsArgumentOutOfRange(long offset)
    {
        ContentSegment segment = Parse(Spec32).Segments[0];

        Assert.That(() => segment.GetBlockIndex(offset), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [TestCase(-1)]
    [TestCase(2)]
    [TestCase(int.MaxValue)]
    public void GetBlockRange_NoSuchBlock_ThrowsArgumentOutOfRange(int block)
    {
        ContentSegment segment = Parse(Spec32).Segments[0];

        Assert.That(() => segment.GetBlockRange(block), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void BlockMath_Spec34LastSegment_Has464BlocksEndingAtTheContentEnd()
    {
        ContentSegment last = Parse(Spec34).Segments[3];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(last.Index, Is.EqualTo(3));
            Assert.That(last.Range, Is.EqualTo(ContentRange.FromBounds(0x600_0000, 0x7D0_0000)));
            Assert.That(last.BlockSize, Is.EqualTo(PeerDistConstants.BlockSize));
            Assert.That(last.BlockCount, Is.EqualTo(464));
            Assert.That(last.ListedBlockCount, Is.EqualTo(464));
            Assert.That(last.GetBlockRange(463), Is.EqualTo(ContentRange.FromBounds(0x7CF_0000, 0x7D0_0000)));
            Assert.That(last.GetBlockIndex(0x7BF_FFFF), Is.EqualTo(447));
        }
    }

    [Test]
    public void BlockHashes_Spec35_ListUpToTheLastIntersectingBlockOnly()
    {
        // MS-PCCRC 3.5: 448 of the last segment's 464 hashes; block 447 is [0x7BF0000, 0x7C00000), the range end.
        ContentInformation info = Parse(Spec35);
        ContentSegment first = info.Segments[0];
        ContentSegment last = info.Segments[3];
        PccrcExpectation.SegmentFields json = PccrcExpectation.From(PccrcTestData.Valid(Spec35)).Segments[3];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.HasBlockHash(0), Is.True, "P7: listed from block 0 though the range starts in block 1");
            Assert.That(first.ListedBlockCount, Is.EqualTo(512));
            Assert.That(last.BlockCount, Is.EqualTo(464));
            Assert.That(last.ListedBlockCount, Is.EqualTo(448));
            Assert.That(last.HasBlockHash(447), Is.True);
            Assert.That(last.HasBlockHash(448), Is.False);
            Assert.That(last.HasBlockHash(-1), Is.False);
            Assert.That(last.HasBlockHash(int.MinValue), Is.False);
            Assert.That(last.GetBlockRange(447), Is.EqualTo(ContentRange.FromBounds(0x7BF_0000, 0x7C0_0000)));
            Assert.That(last.GetBlockHash(447).ToArray(), Is.EqualTo(json.BlockHashes![447]));
            Assert.That(last.GetBlockHash(0).ToArray(), Is.EqualTo(json.BlockHashes[0]));
            Assert.That(() => last.GetBlockHash(448), Throws.TypeOf<ArgumentOutOfRangeException>());
            Assert.That(() => last.GetBlockHash(-1), Throws.TypeOf<ArgumentOutOfRangeException>());
        }
    }

    [Test]
    public void BlockHashes_SpecTextListing_StartAtTheFirstIntersectingBlock()
    {
        // 3.3 as the MS-PCCRC 2.3.1.2 text reads: only block 1 intersects [102400, 128000), so only its hash is listed.
        byte[] s33 = PccrcTestData.Bytes(Spec33);
        ContentSegment segment = ContentInformation.Parse(PccrcTestData.WithUInt32LittleEndian(PccrcTestData.Without(s33, 102, 32), 98, 1)).Segments[0];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(segment.FirstListedBlockIndex, Is.EqualTo(1));
            Assert.That(segment.ListedBlockCount, Is.EqualTo(1));
            Assert.That(segment.BlockCount, Is.EqualTo(2));
            Assert.That(segment.HasBlockHash(0), Is.False);
            Assert.That(segment.HasBlockHash(1), Is.True);
            Assert.That(segment.GetBlockHash(1).ToArray(), Is.EqualTo(s33.AsSpan(134, 32).ToArray()));
            Assert.That(() => segment.GetBlockHash(0), Throws.TypeOf<ArgumentOutOfRangeException>());
        }
    }

    [Test]
    public void BlockMath_V2Segment_IsOneBlockWhoseHashIsTheHoD()
    {
        // MS-PCCRC 3.6 segment 1: [0xF000, 0x24400), 0x15400 bytes, fetched whole as PCCRR block 0 (pccrc.md §4.1).
        ContentSegment segment = Parse(Spec36).Segments[1];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(segment.Index, Is.EqualTo(1));
            Assert.That(segment.Range, Is.EqualTo(ContentRange.FromBounds(0xF000, 0x24400)));
            Assert.That(segment.BlockSize, Is.EqualTo(0x15400));
            Assert.That(segment.BlockCount, Is.EqualTo(1));
            Assert.That(segment.GetBlockRange(0), Is.EqualTo(segment.Range));
            Assert.That(segment.GetBlockIndex(0xF000), Is.Zero);
            Assert.That(segment.GetBlockIndex(0x243FF), Is.Zero);
            Assert.That(segment.HasBlockHash(0), Is.True);
            Assert.That(segment.HasBlockHash(1), Is.False);
            Assert.That(segment.GetBlockHash(0).ToArray(), Is.EqualTo(segment.HashOfData.ToArray()));
            Assert.That(() => segment.GetBlockRange(1), Throws.TypeOf<ArgumentOutOfRangeException>());
        }
    }

    [TestCase("derived-1-sha256", 1, 0, 1)]
    [TestCase("derived-65535-sha256", 1, 0, 65535)]
    [TestCase("derived-65536-sha256", 1, 0, 65536)] // no empty trailing block
    [TestCase("derived-65537-sha256", 2, 65536, 65537)]
    [TestCase("derived-131072-sha256", 2, 65536, 131072)]
    [TestCase("derived-32mib-minus-1-sha256", 512, 0x1FF_0000, 0x1FF_FFFF)]
    [TestCase("derived-32mib-sha256", 512, 0x1FF_0000, 0x200_0000)] // no empty trailing segment (pccrc.md P10)
    public void BlockMath_LastSegmentOfDerivedContent_EndsWithTheContent(string vector, int blocks, long lastStart, long lastEnd)
    {
        ContentSegment segment = Parse(vector).Segments[^1];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(segment.BlockCount, Is.EqualTo(blocks));
            Assert.That(segment.GetBlockRange(blocks - 1), Is.EqualTo(ContentRange.FromBounds(lastStart, lastEnd)));
        }
    }

    // --- GetBlocks ---

    [Test]
    public void GetBlocks_Spec33Range_ReturnsBlock1Only()
    {
        // MS-PCCRC 3.3: [102400, 128000) lies in block 1 [65536, 128000) only.
        ContentInformation info = Parse(Spec33);

        BlockLocation[] blocks = [.. info.GetBlocks(ContentRange.FromBounds(102400, 128000))];

        Assert.That(blocks, Has.Length.EqualTo(1));
        AssertBlock(blocks[0], 0, 0, 1, 65536, 128000, 102400, 128000);
    }

    [Test]
    public void GetBlocks_RangeReachingOutsideTheDescribedRange_IsClipped()
    {
        ContentInformation info = Parse(Spec33);

        BlockLocation[] wide = [.. info.GetBlocks(ContentRange.FromBounds(0, 1_000_000))];
        BlockLocation[] outside = [.. info.GetBlocks(ContentRange.FromBounds(0, 102400))];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(wide, Has.Length.EqualTo(1));
            Assert.That(wide[0].Trimmed, Is.EqualTo(ContentRange.FromBounds(102400, 128000)));
            Assert.That(outside, Is.Empty);
            Assert.That(info.GetBlocks(new ContentRange(110000, 0)), Is.Empty);
        }
    }

    [TestCase(5, long.MaxValue)] // End wraps past 2^63
    [TestCase(-1, 10)]
    [TestCase(0, -1)]
    public void GetBlocks_RangeOutsideTheOffsetSpace_ThrowsAtTheCall(long start, long length)
    {
        ContentInformation info = Parse(Spec33);

        Assert.That(() => info.GetBlocks(new ContentRange(start, length)), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void GetBlocks_AcrossABlockBoundary_TrimsBothBlocks()
    {
        BlockLocation[] blocks = [.. Parse(Spec32).GetBlocks(ContentRange.FromBounds(65535, 65537))];

        Assert.That(blocks, Has.Length.EqualTo(2));
        AssertBlock(blocks[0], 0, 0, 0, 0, 65536, 65535, 65536);
        AssertBlock(blocks[1], 0, 0, 1, 65536, 128000, 65536, 65537);
    }

    [Test]
    public void GetBlocks_AcrossASegmentBoundary_ReturnsLastAndFirstBlocks()
    {
        BlockLocation[] blocks = [.. Parse(Spec34).GetBlocks(ContentRange.FromBounds(0x1FF_8000, 0x200_8000))];

        Assert.That(blocks, Has.Length.EqualTo(2));
        AssertBlock(blocks[0], 0, 0, 511, 0x1FF_0000, 0x200_0000, 0x1FF_8000, 0x200_0000);
        AssertBlock(blocks[1], 1, 1, 0, 0x200_0000, 0x201_0000, 0x200_0000, 0x200_8000);
    }

    [Test]
    public void GetBlocks_Spec35WholeRange_RunsFromBlock1ToBlock447OfTheLastSegment()
    {
        // MS-PCCRC 3.5: [102400, 0x7C00000): 511 + 512 + 512 + 448 blocks; the last is [0x7BF0000, 0x7C00000).
        ContentInformation info = Parse(Spec35);

        BlockLocation[] blocks = [.. info.GetBlocks(info.Range)];

        Assert.That(blocks, Has.Length.EqualTo(511 + 512 + 512 + 448));
        AssertBlock(blocks[0], 0, 0, 1, 65536, 131072, 102400, 131072);
        AssertBlock(blocks[^1], 3, 3, 447, 0x7BF_0000, 0x7C0_0000, 0x7BF_0000, 0x7C0_0000);
    }

    [Test]
    public void GetBlocks_Spec37Range_ReturnsSegmentIndex1AsOneBlock()
    {
        // MS-PCCRC 3.7: [0x19000, 0x1B800) is inside segment index 1, which starts at 0xF000 and is 0x15400 long.
        ContentInformation info = Parse(Spec37);

        BlockLocation[] blocks = [.. info.GetBlocks(ContentRange.FromBounds(0x19000, 0x1B800))];

        Assert.That(blocks, Has.Length.EqualTo(1));
        AssertBlock(blocks[0], 1, 0, 0, 0xF000, 0x24400, 0x19000, 0x1B800);
    }

    [Test]
    public void GetBlocks_V2AcrossASegmentBoundary_ReturnsBothSegments()
    {
        BlockLocation[] blocks = [.. Parse(Spec36).GetBlocks(ContentRange.FromBounds(0xEFFF, 0xF001))];

        Assert.That(blocks, Has.Length.EqualTo(2));
        AssertBlock(blocks[0], 0, 0, 0, 0, 0xF000, 0xEFFF, 0xF000);
        AssertBlock(blocks[1], 1, 1, 0, 0xF000, 0x24400, 0xF000, 0xF001);
    }

    [Test]
    public void GetBlocks_4GiBAcrossThe32BitBoundary_ReturnsBlocksOfSegments127And128()
    {
        BlockLocation[] blocks = [.. Parse(PccrcTestData.FourGiBVector).GetBlocks(ContentRange.FromBounds(0xFFFF_FFF0, 0x1_0000_0010))];

        Assert.That(blocks, Has.Length.EqualTo(2));
        AssertBlock(blocks[0], 127, 127, 511, 0xFFFF_0000, 0x1_0000_0000, 0xFFFF_FFF0, 0x1_0000_0000);
        AssertBlock(blocks[1], 128, 128, 0, 0x1_0000_0000, 0x1_0000_0064, 0x1_0000_0000, 0x1_0000_0010);
    }

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.ValidVectors))]
    public void GetBlocks_WholeRangeOfValidVector_TilesTheRangeWithListedBlocks(TestVectors.Vector vector)
    {
        ContentInformation info = ContentInformation.Parse(vector.Bytes);
        long next = info.Range.Start;
        int failures = 0;
        string? firstFailure = null;

        foreach (BlockLocation block in info.GetBlocks(info.Range))
        {
            bool ok = block.Trimmed.Start == next
                && block.Trimmed.Length > 0
                && block.BlockRange.Start <= block.Trimmed.Start && block.Trimmed.End <= block.BlockRange.End
                && block.BlockRange == block.Segment.GetBlockRange(block.BlockIndex)
                && block.Segment.HasBlockHash(block.BlockIndex)
                && ReferenceEquals(info.Segments[block.SegmentListIndex], block.Segment);
            if (!ok && failures++ == 0)
            {
                firstFailure = $"block {block.BlockIndex} of segment {block.Segment.Index}: {block.BlockRange} trimmed {block.Trimmed}, expected start {next}";
            }

            next = block.Trimmed.End;
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(failures, Is.Zero, firstFailure);
            Assert.That(next, Is.EqualTo(info.Range.End));
        }
    }

    // --- Restrict ---

    [TestCase(Spec34, 102400, 0x7C0_0000, Spec35)] // MS-PCCRC 3.4 -> 3.5
    [TestCase(Spec32, 102400, 128000, Spec33)] // 3.2 -> 3.3
    [TestCase(Spec31, 102400, 128000, Spec33)] // 3.1 -> 3.3: the result spells "to the end" as 0, like Windows
    [TestCase(Spec36, 0x19000, 0x1B800, Spec37)] // 3.6 -> 3.7
    [TestCase(V2Whole, 0x19000, 0x1B800, Spec37)]
    [TestCase(Spec32, 0, 128000, Spec32)] // the whole range again
    [TestCase(Spec31, 0, 128000, Spec32)]
    [TestCase(Spec36, 0, 193536, Spec36)] // an explicit length stays explicit
    [TestCase(V2Whole, 0, 193536, V2Whole)] // 0 (whole) stays 0
    [TestCase(Spec35, 102400, 0x7C0_0000, Spec35)]
    public void Restrict_SpecExampleRange_ProducesTheIndependentVectorByteForByte(string source, long start, long end, string expected)
    {
        // The expected files were written by spec-vectors/pccrc/tools/derive_pccrc.py, not by this library.
        ContentInformation restricted = Parse(source).Restrict(ContentRange.FromBounds(start, end));

        ByteAssert.AreEqual(restricted.ToArray(), PccrcTestData.Bytes(expected), $"{source} restricted to [{start}, {end})");
    }

    [TestCase(Spec34, 0x200_0100, 0x200_0200, 0x100u, 0x100u, 1, 1)] // inside one block of segment 1
    [TestCase(Spec34, 0x200_0000, 0x400_0000, 0u, 0u, 1, 512)] // exactly segment 1
    [TestCase(Spec34, 0x1FF_FFFF, 0x200_0001, 0x1FF_FFFFu, 1u, 2, 1)] // one byte either side of a segment boundary
    [TestCase(Spec35, 0x200_0000, 0x400_0000, 0u, 0u, 1, 512)] // restricting a restricted CI
    [TestCase(Spec34, 0x7CF_FFFF, 0x7D0_0000, 0x1CF_FFFFu, 0u, 1, 464)] // the last byte of the content
    public void Restrict_V1Range_WritesHeaderAndBlockListsAsTheProjectRuleSays(
        string source, long start, long end, uint offsetInFirst, uint readInLast, int segments, int lastListed)
    {
        ContentInformation info = Parse(source);
        var range = ContentRange.FromBounds(start, end);

        var restricted = (ContentInformationV1)info.Restrict(range);
        ContentInformation reparsed = ContentInformation.Parse(restricted.ToArray());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(restricted.Range, Is.EqualTo(range));
            Assert.That(restricted.OffsetInFirstSegment, Is.EqualTo(offsetInFirst));
            Assert.That(restricted.ReadBytesInLastSegment, Is.EqualTo(readInLast));
            Assert.That(restricted.Segments, Has.Count.EqualTo(segments));
            Assert.That(restricted.Segments.Select(s => s.FirstListedBlockIndex), Is.All.Zero, "pccrc.md P7: lists start at block 0");
            Assert.That(restricted.Segments[^1].ListedBlockCount, Is.EqualTo(lastListed));
            Assert.That(reparsed.Range, Is.EqualTo(range));
            Assert.That(reparsed.ToArray(), Is.EqualTo(restricted.ToArray()));
            foreach (ContentSegment segment in restricted.Segments)
            {
                // HoD and Kp cover the whole segment whatever the range (pccrc.md P8).
                ContentSegment original = info.Segments[info.FindSegment(segment.Offset)];
                Assert.That(segment.HashOfData.ToArray(), Is.EqualTo(original.HashOfData.ToArray()));
                Assert.That(segment.SegmentSecret.ToArray(), Is.EqualTo(original.SegmentSecret.ToArray()));
                Assert.That(segment.SegmentId.ToArray(), Is.EqualTo(original.SegmentId.ToArray()));
                Assert.That(segment.Length, Is.EqualTo(original.Length));
            }
        }
    }

    [TestCase(Spec36, 0, 1, 0L, 0L, 0u, 1L, 1)]
    [TestCase(Spec36, 0xF000, 0x24400, 0xF000L, 1L, 0u, 0x15400L, 1)] // exactly segment 1
    [TestCase(Spec36, 0xEFFF, 0x24401, 0L, 0L, 0xEFFFu, 0x15402L, 3)]
    [TestCase(Spec37, 0x1A000, 0x1A001, 0xF000L, 1L, 0xB000u, 1L, 1)] // restricting a restricted CI keeps the index
    public void Restrict_V2Range_WritesImplicitPositionsIntoTheHeader(
        string source, long start, long end, long startInContent, long index, uint offsetInFirst, long length, int segments)
    {
        var range = ContentRange.FromBounds(start, end);

        var restricted = (ContentInformationV2)Parse(source).Restrict(range);
        ContentInformation reparsed = ContentInformation.Parse(restricted.ToArray());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(restricted.Range, Is.EqualTo(range));
            Assert.That(restricted.StartInContent, Is.EqualTo(startInContent));
            Assert.That(restricted.IndexOfFirstSegment, Is.EqualTo(index));
            Assert.That(restricted.OffsetInFirstSegment, Is.EqualTo(offsetInFirst));
            Assert.That(restricted.LengthOfRange, Is.EqualTo(length));
            Assert.That(restricted.Segments, Has.Count.EqualTo(segments));
            Assert.That(restricted.ChunkSegmentCounts, Is.EqualTo(new[] { segments }));
            Assert.That(reparsed.Range, Is.EqualTo(range));
            Assert.That(reparsed.ToArray(), Is.EqualTo(restricted.ToArray()));
        }
    }

    [Test]
    public void Restrict_MultiChunkV2_WritesOneChunk()
    {
        ContentInformation info = ContentInformation.Parse(PccrcTestData.RegroupV2Chunks(PccrcTestData.Bytes(Spec36), 1, 1, 1));

        ContentInformation restricted = info.Restrict(ContentRange.FromBounds(0x19000, 0x1B800));

        ByteAssert.AreEqual(restricted.ToArray(), PccrcTestData.Bytes(Spec37));
    }

    [TestCase(Spec33, 110000, 110000)] // empty
    [TestCase(Spec33, 0, 128000)] // starts before the described range
    [TestCase(Spec33, 102400, 128001)] // ends after it
    [TestCase(Spec33, 200000, 300000)] // wholly outside
    [TestCase(Spec37, 0xF000, 0x1B800)] // V2: inside the listed segment but before the range
    [TestCase(Spec37, 0x19000, 0x1B801)]
    [TestCase(Spec37, 0x19000, 0x19000)]
    public void Restrict_RangeNotInsideTheDescribedRange_ThrowsArgumentOutOfRange(string source, long start, long end)
    {
        ContentInformation info = Parse(source);

        Assert.That(() => info.Restrict(ContentRange.FromBounds(start, end)), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Restrict_NegativeLength_ThrowsArgumentOutOfRange()
    {
        ContentInformation info = Parse(Spec32);

        Assert.That(() => info.Restrict(new ContentRange(1000, -1)), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Restrict_RangeWhoseEndOverflows_ThrowsArgumentOutOfRange()
    {
        // The described range ends at 2^63 - 1; [2^63 - 6, +10) would end past it, but its End wraps negative.
        PccrcEdgeCase edge = PccrcTestData.ValidEdgeCases.Single(e => e.Name == "v1-segment-ends-at-2-63-minus-1");
        ContentInformation info = ContentInformation.Parse(edge.Bytes);

        Assert.That(() => info.Restrict(new ContentRange(long.MaxValue - 5, 10)), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Restrict_RangeEndingAtTheLargestOffset_Works()
    {
        PccrcEdgeCase edge = PccrcTestData.ValidEdgeCases.Single(e => e.Name == "v1-segment-ends-at-2-63-minus-1");
        ContentInformation info = ContentInformation.Parse(edge.Bytes);

        var restricted = (ContentInformationV1)info.Restrict(ContentRange.FromBounds(long.MaxValue - 5, long.MaxValue));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(restricted.Range, Is.EqualTo(ContentRange.FromBounds(long.MaxValue - 5, long.MaxValue)));
            Assert.That(restricted.OffsetInFirstSegment, Is.EqualTo(0x1FF_FFFAu));
            Assert.That(restricted.ReadBytesInLastSegment, Is.Zero);
            Assert.That(ContentInformation.Parse(restricted.ToArray()).Range, Is.EqualTo(restricted.Range));
        }
    }

    [Test]
    public void Restrict_EmptyContentInformation_ThrowsArgumentOutOfRange()
    {
        ContentInformation info = ContentInformation.Parse(Convert.FromHexString("00010c800000" + "00000000" + "00000000" + "00000000"));

        Assert.That(() => info.Restrict(new ContentRange(0, 1)), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [TestCase(102400, 128000)]
    [TestCase(102400, 110000)]
    [TestCase(127999, 128000)]
    public void Restrict_RangeCiWithoutBlock0Hash_ThrowsInvalidOperation(long start, long end)
    {
        // A CI listing only the intersecting block (the MS-PCCRC 2.3.1.2 text reading) cannot produce the project's
        // listing from block 0 (pccrc.md P7): the hash of block 0 is not there to copy.
        byte[] s33 = PccrcTestData.Bytes(Spec33);
        ContentInformation info = ContentInformation.Parse(PccrcTestData.WithUInt32LittleEndian(PccrcTestData.Without(s33, 102, 32), 98, 1));

        Assert.That(() => info.Restrict(ContentRange.FromBounds(start, end)), Throws.InvalidOperationException);
    }

    private static ContentInformation Parse(string vector) => ContentInformation.Parse(PccrcTestData.Bytes(vector));

    private static void AssertBlock(
        BlockLocation block, long segmentIndex, int listIndex, int blockIndex, long blockStart, long blockEnd, long trimmedStart, long trimmedEnd)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(block.Segment.Index, Is.EqualTo(segmentIndex), "segment index");
            Assert.That(block.SegmentListIndex, Is.EqualTo(listIndex), "list index");
            Assert.That(block.BlockIndex, Is.EqualTo(blockIndex), "block index");
            Assert.That(block.BlockRange, Is.EqualTo(ContentRange.FromBounds(blockStart, blockEnd)), "block range");
            Assert.That(block.Trimmed, Is.EqualTo(ContentRange.FromBounds(trimmedStart, trimmedEnd)), "trimmed");
        }
    }
}
