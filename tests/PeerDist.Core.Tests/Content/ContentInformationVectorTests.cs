using System.Buffers.Binary;
using System.Security.Cryptography;
using PeerDist.Content;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Content;

/// <summary>
/// Every vector of spec-vectors/pccrc: each valid one parses to exactly the fields its JSON lists, each invalid one is
/// rejected with exactly the JSON's reason and offset, by <see cref="ContentInformation.Parse"/>,
/// <see cref="ContentInformation.TryParse(ReadOnlySpan{byte}, out ContentInformation?, out PeerDistFormatError, out long)"/>
/// and the zero-copy readers alike.
/// </summary>
public class ContentInformationVectorTests
{
    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.ValidVectors))]
    public void Parse_ValidVector_MatchesEveryJsonField(TestVectors.Vector vector)
    {
        ContentInformation info = ContentInformation.Parse(vector.Bytes);

        AssertMatches(info, PccrcExpectation.From(vector), vector.Bytes);
    }

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.ValidVectors))]
    public void TryParse_ValidVector_ReturnsTrueAndMatchesEveryJsonField(TestVectors.Vector vector)
    {
        bool parsed = ContentInformation.TryParse(vector.Bytes, out ContentInformation? info, out PeerDistFormatError error, out long offset);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(parsed, Is.True);
            Assert.That(error, Is.EqualTo(PeerDistFormatError.Unknown));
            Assert.That(offset, Is.Zero);
        }

        AssertMatches(info!, PccrcExpectation.From(vector), vector.Bytes);
    }

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.ValidVectors))]
    public void Parse_ValidVector_FileAndRewrittenBytesMatchCiSha256(TestVectors.Vector vector)
    {
        byte[] expected = PccrcExpectation.From(vector).CiSha256 ?? throw new InvalidDataException("every valid vector has ciSha256");

        ContentInformation info = ContentInformation.Parse(vector.Bytes);

        using (Assert.EnterMultipleScope())
        {
            // The file is what the generator wrote; the rewrite covers the segments the JSON does not list (4 GiB fixture).
            Assert.That(Convert.ToHexStringLower(SHA256.HashData(vector.Bytes)), Is.EqualTo(Convert.ToHexStringLower(expected)));
            Assert.That(Convert.ToHexStringLower(SHA256.HashData(info.ToArray())), Is.EqualTo(Convert.ToHexStringLower(expected)));
        }
    }

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.ValidVectors))]
    public void PeekVersion_ValidVector_ReturnsJsonVersion(TestVectors.Vector vector)
    {
        Assert.That(ContentInformation.PeekVersion(vector.Bytes), Is.EqualTo(PccrcExpectation.From(vector).Version));
    }

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.InvalidVectors))]
    public void Parse_InvalidVector_ThrowsFormatExceptionWithJsonReasonAndOffset(TestVectors.Vector vector)
    {
        FormatAssert.Throws(() => ContentInformation.Parse(vector.Bytes), PccrcTestData.Reason(vector), PccrcTestData.Offset(vector));
    }

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.InvalidVectors))]
    public void TryParse_InvalidVector_ReturnsFalseWithJsonReasonAndOffset(TestVectors.Vector vector)
    {
        bool parsed = true;
        ContentInformation? info = null;
        PeerDistFormatError error = PeerDistFormatError.Unknown;
        long offset = -1;

        Assert.DoesNotThrow(() => parsed = ContentInformation.TryParse(vector.Bytes, out info, out error, out offset));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(parsed, Is.False);
            Assert.That(info, Is.Null);
            Assert.That(error, Is.EqualTo(PccrcTestData.Reason(vector)));
            Assert.That(offset, Is.EqualTo(PccrcTestData.Offset(vector)));
            Assert.That(ContentInformation.TryParse(vector.Bytes, out _), Is.False);
        }
    }

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.InvalidVectors))]
    public void ReaderTryCreate_InvalidVector_ReturnsFalseWithJsonReasonAndOffset(TestVectors.Vector vector)
    {
        // The reader of the version the bytes claim; for a bad version, both readers must say the same.
        byte[] bytes = vector.Bytes;
        bool v2 = bytes.Length >= 2 && bytes[0] == 0 && bytes[1] == 2;
        bool v1 = bytes.Length >= 2 && bytes[0] == 0 && bytes[1] == 1;
        var results = new List<(bool Created, PeerDistFormatError Error, long Offset)>();
        if (!v2)
        {
            bool created = ContentInformationV1Reader.TryCreate(bytes, out _, out PeerDistFormatError error, out long offset);
            results.Add((created, error, offset));
        }

        if (!v1)
        {
            bool created = ContentInformationV2Reader.TryCreate(bytes, out _, out PeerDistFormatError error, out long offset);
            results.Add((created, error, offset));
        }

        Assert.That(results, Is.All.EqualTo((false, PccrcTestData.Reason(vector), PccrcTestData.Offset(vector))));
    }

    /// <summary>Compares every field the JSON lists, plus the invariants the model promises for each version.</summary>
    private static void AssertMatches(ContentInformation info, PccrcExpectation expected, byte[] wire)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(info.Version, Is.EqualTo(expected.Version));
            Assert.That(info.HashAlgorithm, Is.EqualTo(expected.HashAlgorithm));
            Assert.That(info.Range.Start, Is.EqualTo(expected.RangeStart));
            Assert.That(info.Range.End, Is.EqualTo(expected.RangeEnd));
            if (expected.V1Header is { } h1)
            {
                var v1 = (ContentInformationV1)info;
                Assert.That(v1.OffsetInFirstSegment, Is.EqualTo(h1.OffsetInFirstSegment));
                Assert.That(v1.ReadBytesInLastSegment, Is.EqualTo(h1.ReadBytesInLastSegment));
                Assert.That(v1.Segments, Has.Count.EqualTo(h1.SegmentCount));
            }

            if (expected.V2Header is { } h2)
            {
                var v2 = (ContentInformationV2)info;
                Assert.That(v2.StartInContent, Is.EqualTo(h2.StartInContent));
                Assert.That(v2.IndexOfFirstSegment, Is.EqualTo(h2.IndexOfFirstSegment));
                Assert.That(v2.OffsetInFirstSegment, Is.EqualTo(h2.OffsetInFirstSegment));
                Assert.That(v2.LengthOfRange, Is.EqualTo(h2.LengthOfRange));
                Assert.That(v2.ChunkSegmentCounts, Is.EqualTo(h2.ChunkSegmentCounts));
                Assert.That(v2.Segments, Has.Count.EqualTo(h2.ChunkSegmentCounts.Sum()));
                Assert.That(ChunkTypesOnTheWire(wire), Is.EqualTo(h2.ChunkTypes));
            }

            // The segments tile [first start, last end) in order: explicit offsets for V1, running sums for V2.
            for (int i = 1; i < info.Segments.Count; i++)
            {
                Assert.That(info.Segments[i].Offset, Is.EqualTo(info.Segments[i - 1].Range.End), $"segment {i} offset");
                Assert.That(info.Segments[i].Index, Is.EqualTo(info.Segments[i - 1].Index + 1), $"segment {i} index");
            }

            foreach (PccrcExpectation.SegmentFields s in expected.Segments)
            {
                ContentSegment[] matches = [.. info.Segments.Where(x => x.Index == s.Index)];
                Assert.That(matches, Has.Length.EqualTo(1), $"segment {s.Index}");
                if (matches.Length != 1)
                {
                    continue;
                }

                ContentSegment actual = matches[0];
                string at = $"segment {s.Index}";
                Assert.That(actual.HashAlgorithm, Is.EqualTo(expected.HashAlgorithm), at);
                Assert.That(actual.Offset, Is.EqualTo(s.Offset), at);
                Assert.That(actual.Length, Is.EqualTo(s.Length), at);
                Assert.That(actual.Range, Is.EqualTo(new ContentRange(s.Offset, s.Length)), at);
                Assert.That(Hex(actual.HashOfData.Span), Is.EqualTo(Hex(s.HashOfData)), at + " HoD");
                Assert.That(Hex(actual.SegmentSecret.Span), Is.EqualTo(Hex(s.SegmentSecret)), at + " Kp");
                Assert.That(Hex(actual.SegmentId.Span), Is.EqualTo(Hex(s.SegmentId)), at + " segment id");
                if (expected.Version == ContentInformationVersion.V1)
                {
                    Assert.That(actual.Index, Is.EqualTo(s.Offset / PeerDistConstants.SegmentSize), at + " index = offset / 32 MiB");
                    Assert.That(actual.BlockSize, Is.EqualTo(s.BlockSize), at);
                    Assert.That(actual.BlockCount, Is.EqualTo((s.Length + PeerDistConstants.BlockSize - 1) / PeerDistConstants.BlockSize), at);
                    Assert.That(actual.ListedBlockCount, Is.EqualTo(s.BlockCount), at + " cBlocks");
                    Assert.That(actual.FirstListedBlockIndex, Is.EqualTo(s.FirstBlockIndex), at);
                    Assert.That(s.BlockHashes, Has.Count.EqualTo(s.BlockCount), at + " (vector self-check)");
                    for (int k = 0; k < s.BlockHashes!.Count; k++)
                    {
                        int block = s.FirstBlockIndex!.Value + k;
                        Assert.That(actual.HasBlockHash(block), Is.True, $"{at} block {block}");
                        Assert.That(Hex(actual.GetBlockHash(block)), Is.EqualTo(Hex(s.BlockHashes[k])), $"{at} block {block}");
                    }

                    ByteAssert.AreEqual(actual.BlockHashes.Span, [.. s.BlockHashes.SelectMany(h => h)], at + " BlockHashes");
                }
                else
                {
                    // V2: no blocks on the wire; one block covering the segment, whose hash is the HoD.
                    Assert.That(actual.BlockSize, Is.EqualTo(s.Length), at);
                    Assert.That(actual.BlockCount, Is.EqualTo(1), at);
                    Assert.That(actual.ListedBlockCount, Is.EqualTo(1), at);
                    Assert.That(actual.FirstListedBlockIndex, Is.Zero, at);
                    Assert.That(Hex(actual.GetBlockHash(0)), Is.EqualTo(Hex(s.HashOfData)), at);
                }
            }
        }
    }

    /// <summary>The <c>bChunkType</c> byte of every chunk, read straight from the wire.</summary>
    private static List<int> ChunkTypesOnTheWire(byte[] v2)
    {
        var types = new List<int>();
        for (int at = PccrcTestData.V2HeaderLength; at + 5 <= v2.Length; at += 5 + (int)BinaryPrimitives.ReadUInt32BigEndian(v2.AsSpan(at + 1)))
        {
            types.Add(v2[at]);
        }

        return types;
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
