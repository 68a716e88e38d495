using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using PeerDist.Content;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Content;

/// <summary>
/// Hostile and cut-off input: every proper prefix of every valid input is rejected as truncated (with the one V2
/// exception the format forces), thousands of random and mutated inputs let only <see cref="PeerDistFormatException"/>
/// escape, anything that parses writes back to the same bytes, and generated valid content informations round-trip and
/// restrict as the range rules say. All randomness is seeded, so a failure reproduces; each message names the case.
/// </summary>
public class ContentInformationRobustnessTests
{
    private const int Seed = 0x5EED_C1;

    /// <summary>Vectors up to this size have every prefix tried; longer ones are sampled.</summary>
    private const int EveryPrefixLimit = 100_000;

    /// <summary>Field values near the limits the parsers check (sizes, counts, algorithm ids, powers of two).</summary>
    private static readonly uint[] s_interesting32 =
    [
        0, 1, 2, 4, 0x7F, 0x80, 0xFF, 67, 68, 69, 136, 511, 512, 513, 0xFFFF, 0x1_0000, 0x1_0001, 0x1_FFFF, 0x2_0000, 0x2_0001,
        25600, 128000, 0x800B, 0x800C, 0x800D, 0x800E, 0x1FF_FFFF, 0x200_0000, 0x200_0001, 0x7FFF_FFFF, 0x8000_0000,
        0xFFFF_FFFE, 0xFFFF_FFFF,
    ];

    /// <summary>64-bit offsets near 2^32, the last 32 MiB slot, and 2^63.</summary>
    private static readonly ulong[] s_interesting64 =
    [
        0, 1, 0xF000, 0x200_0000, 0x1_0000_0000, 0x7FFF_FFFF_FE00_0000, 0x7FFF_FFFF_FFFF_0000, 0x7FFF_FFFF_FFFF_FFFE,
        0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0xFFFF_FFFF_FE00_0000, 0xFFFF_FFFF_FFFF_FFFF,
    ];

    // --- Prefixes ---

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.ValidVectors))]
    public void TryParse_EveryProperPrefixOfValidVector_IsRejectedAsTruncated(TestVectors.Vector vector)
    {
        AssertEveryProperPrefixRejected(vector.Bytes, out int tried, out _);

        Assert.That(tried, Is.GreaterThan(Math.Min(vector.Bytes.Length, 2048) - 1));
    }

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.EdgeCases))]
    public void TryParse_EveryProperPrefixOfEdgeCase_IsRejectedAsTruncatedOrIsAShorterV2(PccrcEdgeCase edge)
    {
        AssertEveryProperPrefixRejected(edge.Bytes, out _, out _);
    }

    [Test]
    public void TryParse_PrefixEndingOnAChunkBoundary_IsAShorterValidV2()
    {
        // V2 has no chunk or segment count (MS-PCCRC 2.4): chunks run to the end of the buffer, so a prefix that ends
        // exactly after a chunk is itself a complete V2 content information listing fewer segments. With
        // ullLengthOfRange = 0 ("the whole resource") it parses; the vectors are all one chunk, so this is built by
        // regrouping derived-193536-v2-whole into chunks of one segment each (ends at 104, 177, 250).
        byte[] bytes = PccrcTestData.RegroupV2Chunks(PccrcTestData.Bytes("derived-193536-v2-whole"), 1, 1, 1);

        AssertEveryProperPrefixRejected(bytes, out _, out int shorter);
        ContentInformation one = ContentInformation.Parse(bytes.AsSpan(0, 104));
        ContentInformation two = ContentInformation.Parse(bytes.AsSpan(0, 177));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(shorter, Is.EqualTo(2));
            Assert.That(one.Segments, Has.Count.EqualTo(1));
            Assert.That(one.Range, Is.EqualTo(ContentRange.FromBounds(0, 0xF000)));
            Assert.That(two.Segments, Has.Count.EqualTo(2));
            Assert.That(two.Range, Is.EqualTo(ContentRange.FromBounds(0, 0x24400)));
        }
    }

    [Test]
    public void TryParse_PrefixEndingOnAChunkBoundaryWithExplicitLength_IsRejectedAsInvalidLengthOfRange()
    {
        // The same cut with an explicit ullLengthOfRange (MS-PCCRC 3.6 writes 0x2F400): the declared range now runs past
        // the segments that are left, which the length check reports.
        byte[] bytes = PccrcTestData.RegroupV2Chunks(PccrcTestData.Bytes("spec-3-6-v2-189kb-full"), 1, 2);

        AssertEveryProperPrefixRejected(bytes, out _, out int shorter);
        bool parsed = ContentInformation.TryParse(bytes.AsSpan(0, 104), out _, out PeerDistFormatError error, out long offset);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(shorter, Is.EqualTo(1));
            Assert.That(parsed, Is.False);
            Assert.That(error, Is.EqualTo(PeerDistFormatError.InvalidLengthOfRange));
            Assert.That(offset, Is.EqualTo(23));
        }
    }

    [Test]
    public void Parse_ProperPrefixesOfEveryValidVector_ThrowTruncated()
    {
        // The throwing path of the same rule, sampled (exceptions are slow): the first 64 prefixes, every 61st, the last 8.
        var failures = new List<string>();
        int thrown = 0;
        foreach (string folder in new[] { "pccrc/v1", "pccrc/v2" })
        {
            foreach (string name in TestVectors.Names(folder))
            {
                byte[] bytes = TestVectors.Load(folder, name).Bytes;
                foreach (int length in Enumerable.Range(0, bytes.Length).Where(n => n < 64 || n % 61 == 0 || n >= bytes.Length - 8).Take(3000))
                {
                    try
                    {
                        ContentInformation.Parse(bytes.AsSpan(0, length));
                        failures.Add($"{name}[..{length}] parsed");
                    }
                    catch (PeerDistFormatException e) when (e.Error == PeerDistFormatError.Truncated)
                    {
                        thrown++;
                    }
                    catch (PeerDistFormatException e)
                    {
                        failures.Add($"{name}[..{length}]: {e.Error} at {e.Offset}");
                    }
                }
            }
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(failures, Is.Empty);
            Assert.That(thrown, Is.GreaterThan(1000));
        }
    }

    // --- Random and mutated input ---

    [Test]
    public void Parse_RandomBytes_OnlyFormatExceptionEscapesAndValidInputRoundTrips()
    {
        var rng = new Random(Seed);
        var failures = new List<string>();
        int valid = 0;
        for (int i = 0; i < 4000; i++)
        {
            int length = rng.Next(4) switch
            {
                0 => rng.Next(0, 40),
                1 => rng.Next(0, 400),
                2 => rng.Next(0, 4000),
                _ => PccrcTestData.V2HeaderLength + 5 + (68 * rng.Next(1, 4)), // a length a V2 CI could have
            };
            byte[] input = new byte[length];
            rng.NextBytes(input);

            // Mostly a known version (otherwise nearly everything stops at byte 0), often a valid algorithm too.
            if (length >= 2 && rng.Next(4) != 0)
            {
                input[0] = 0x00;
                input[1] = (byte)rng.Next(1, 3);
                if (input[1] == 0x02 && length >= 3 && rng.Next(3) != 0)
                {
                    input[2] = 0x04;
                }
                else if (input[1] == 0x01 && length >= 6 && rng.Next(3) != 0)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(input.AsSpan(2), (uint)(0x800C + rng.Next(3)));
                }

                // Sometimes a plausible V2 skeleton (one chunk, small numbers), so random bytes also reach the deeper checks.
                int descriptions = (length - PccrcTestData.V2HeaderLength - 5) / PccrcTestData.V2SegmentLength;
                if (input[1] == 0x02 && length == PccrcTestData.V2HeaderLength + 5 + (descriptions * PccrcTestData.V2SegmentLength)
                    && descriptions > 0 && rng.Next(2) == 0)
                {
                    input[2] = 0x04;
                    input.AsSpan(3, 6).Clear(); // ullStartInContent < 2^16
                    input.AsSpan(11, 6).Clear(); // ullIndexOfFirstSegment < 2^16
                    input.AsSpan(19, 3).Clear(); // dwOffsetInFirstSegment < 256
                    input.AsSpan(23, 8).Clear(); // ullLengthOfRange = 0: the whole range
                    input[31] = 0x00;
                    BinaryPrimitives.WriteUInt32BigEndian(input.AsSpan(32), (uint)(descriptions * PccrcTestData.V2SegmentLength));
                    for (int d = 36; d < length; d += PccrcTestData.V2SegmentLength)
                    {
                        input.AsSpan(d, 2).Clear(); // cbSegment < 64 KiB
                    }
                }
            }

            valid += CheckArbitraryInput(input, $"random #{i}", failures) ? 1 : 0;
        }

        Assert.That(failures, Is.Empty, Summary(failures));
        TestContext.Out.WriteLine($"4000 random inputs, {valid} valid");
    }

    [Test]
    public void Parse_MutatedValidInputs_OnlyFormatExceptionEscapesAndValidInputRoundTrips()
    {
        var rng = new Random(Seed + 1);
        var bases = new List<(string Name, byte[] Bytes)>();
        foreach (string folder in new[] { "pccrc/v1", "pccrc/v2" })
        {
            bases.AddRange(TestVectors.Names(folder).Select(n => (n, TestVectors.Load(folder, n).Bytes)));
        }

        bases.AddRange(PccrcTestData.ValidEdgeCases.Select(e => (e.Name, e.Bytes)));
        var failures = new List<string>();
        int valid = 0;
        int mutations = 0;
        foreach ((string name, byte[] bytes) in bases)
        {
            // Small inputs get many mutations; the 2 MB fixture a few (each copy costs 2 MB).
            int count = bytes.Length > EveryPrefixLimit ? 25 : 300;
            int[] fields = FieldOffsets(bytes);
            for (int i = 0; i < count; i++)
            {
                var description = new StringBuilder(name);
                byte[] input = bytes;
                int steps = rng.Next(3) == 0 ? rng.Next(2, 4) : 1;
                for (int s = 0; s < steps; s++)
                {
                    input = Mutate(rng, input, fields, description);
                }

                valid += CheckArbitraryInput(input, $"#{i} {description}", failures) ? 1 : 0;
                mutations++;
            }
        }

        Assert.That(failures, Is.Empty, Summary(failures));
        TestContext.Out.WriteLine($"{mutations} mutated inputs, {valid} valid");
    }

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.MutationCases))]
    public void Readers_MutatedVector_AgreeWithParse(PccrcMutation mutation)
    {
        byte[] bytes = mutation.Bytes;
        bool created = bytes[1] == 0x01
            ? ContentInformationV1Reader.TryCreate(bytes, out _, out PeerDistFormatError error, out long offset)
            : ContentInformationV2Reader.TryCreate(bytes, out _, out error, out offset);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(created, Is.False);
            Assert.That(error, Is.EqualTo(mutation.Reason));
            Assert.That(offset, Is.EqualTo(mutation.Offset));
        }
    }

    // --- Generated valid content informations ---

    [Test]
    public void ParseWriteRestrict_GeneratedValidV1_RoundTripAndFollowTheRangeRules()
    {
        var rng = new Random(Seed + 2);
        var failures = new List<string>();
        for (int i = 0; i < 300 && failures.Count < 10; i++)
        {
            GeneratedV1 g = GenerateV1(rng);
            string label = $"V1 #{i} {g}";
            try
            {
                CheckGeneratedV1(rng, g, label, failures);
            }
            catch (Exception e) when (e is not AssertionException)
            {
                failures.Add($"{label}: {e.GetType().Name}: {e.Message}");
            }
        }

        Assert.That(failures, Is.Empty, Summary(failures));
    }

    [Test]
    public void ParseWriteRestrict_GeneratedValidV2_RoundTripAndFollowTheRangeRules()
    {
        var rng = new Random(Seed + 3);
        var failures = new List<string>();
        for (int i = 0; i < 500 && failures.Count < 10; i++)
        {
            GeneratedV2 g = GenerateV2(rng);
            string label = $"V2 #{i} {g}";
            try
            {
                CheckGeneratedV2(rng, g, label, failures);
            }
            catch (Exception e) when (e is not AssertionException)
            {
                failures.Add($"{label}: {e.GetType().Name}: {e.Message}");
            }
        }

        Assert.That(failures, Is.Empty, Summary(failures));
    }

    // --- Helpers: prefixes ---

    /// <summary>
    /// Every proper prefix (sampled above <see cref="EveryPrefixLimit"/>: all up to 2048, every 997th, the last 200) must
    /// be rejected as Truncated at an offset inside it, by TryParse and by the reader of its version. The exception is a
    /// V2 prefix ending on a chunk boundary, which is itself complete: it parses with fewer segments, or, if the header
    /// declares an explicit range length, fails InvalidLengthOfRange because that range now runs past the last segment.
    /// </summary>
    private static void AssertEveryProperPrefixRejected(byte[] bytes, out int tried, out int shorterValid)
    {
        bool v2 = bytes[1] == 0x02;
        HashSet<int> chunkEnds = v2 ? [.. PccrcTestData.V2ChunkEnds(bytes).Where(e => e < bytes.Length)] : [];
        int fullSegments = ContentInformation.Parse(bytes).Segments.Count;
        var failures = new List<string>();
        tried = 0;
        shorterValid = 0;
        foreach (int length in PrefixLengths(bytes.Length))
        {
            tried++;
            ReadOnlySpan<byte> prefix = bytes.AsSpan(0, length);
            bool parsed = ContentInformation.TryParse(prefix, out ContentInformation? info, out PeerDistFormatError error, out long offset);
            if (chunkEnds.Contains(length))
            {
                bool explicitLength = BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(23)) != 0;
                if (explicitLength ? parsed || error != PeerDistFormatError.InvalidLengthOfRange : !parsed || info!.Segments.Count >= fullSegments)
                {
                    failures.Add($"chunk-boundary prefix {length}: parsed={parsed} {error} at {offset}");
                }

                shorterValid++;
                continue;
            }

            if (parsed || error != PeerDistFormatError.Truncated || offset < 0 || offset > length)
            {
                failures.Add($"prefix {length}: parsed={parsed} {error} at {offset}");
                continue;
            }

            bool created = v2
                ? ContentInformationV2Reader.TryCreate(prefix, out _, out PeerDistFormatError readerError, out long readerOffset)
                : ContentInformationV1Reader.TryCreate(prefix, out _, out readerError, out readerOffset);
            if (created || readerError != error || readerOffset != offset)
            {
                failures.Add($"prefix {length}: reader says created={created} {readerError} at {readerOffset}, TryParse {error} at {offset}");
            }
        }

        Assert.That(failures, Is.Empty, Summary(failures));
    }

    private static IEnumerable<int> PrefixLengths(int length)
    {
        if (length <= EveryPrefixLimit)
        {
            return Enumerable.Range(0, length);
        }

        return Enumerable.Range(0, 2049)
            .Concat(Enumerable.Range(0, length / 997).Select(k => 2048 + (k * 997)))
            .Concat(Enumerable.Range(length - 200, 200))
            .Where(n => n < length)
            .Distinct()
            .Order();
    }

    // --- Helpers: arbitrary input ---

    /// <summary>
    /// The robustness property for one input: TryParse never throws; Parse throws only PeerDistFormatException, with
    /// the reason and offset TryParse reports; anything that parses writes back to the same bytes, and its readers,
    /// block walk and restriction to its own range behave. Returns whether the input was valid.
    /// </summary>
    private static bool CheckArbitraryInput(byte[] input, string label, List<string> failures)
    {
        bool parsed;
        ContentInformation? info;
        PeerDistFormatError error;
        long offset;
        try
        {
            parsed = ContentInformation.TryParse(input, out info, out error, out offset);
        }
        catch (Exception e)
        {
            failures.Add($"{label}: TryParse threw {e.GetType().Name}: {e.Message} input {Hex(input)}");
            return false;
        }

        try
        {
            ContentInformation.Parse(input);
            if (!parsed)
            {
                failures.Add($"{label}: Parse accepted what TryParse rejected ({error} at {offset})");
            }
        }
        catch (PeerDistFormatException e)
        {
            if (parsed || e.Error != error || e.Offset != offset)
            {
                failures.Add($"{label}: Parse threw {e.Error} at {e.Offset}, TryParse said parsed={parsed} {error} at {offset}");
            }
        }
        catch (Exception e)
        {
            failures.Add($"{label}: Parse threw {e.GetType().Name}: {e.Message} input {Hex(input)}");
            return false;
        }

        if (!parsed)
        {
            if (error == PeerDistFormatError.Unknown || offset < 0 || offset > input.Length)
            {
                failures.Add($"{label}: rejected with {error} at {offset} (length {input.Length})");
            }

            return false;
        }

        try
        {
            CheckValidInput(input, info!, label, failures);
        }
        catch (Exception e)
        {
            failures.Add($"{label}: a valid input made {e.GetType().Name}: {e.Message} input {Hex(input)}");
        }

        return true;
    }

    private static void CheckValidInput(byte[] input, ContentInformation info, string label, List<string> failures)
    {
        byte[] written = info.ToArray();
        if (info.GetEncodedLength() != input.Length || !written.AsSpan().SequenceEqual(input))
        {
            failures.Add($"{label}: write(parse(x)) != x (length {written.Length} vs {input.Length}) input {Hex(input)}");
            return;
        }

        if (info.Segments.Count > 0 &&
            (info.Range.IsEmpty || info.Range.Start < info.SegmentsRange.Start || info.Range.End > info.SegmentsRange.End
                || info.FindSegment(info.Range.Start) != 0 || info.FindSegment(info.Range.End - 1) != info.Segments.Count - 1))
        {
            failures.Add($"{label}: range {info.Range} does not start in the first and end in the last of {info.SegmentsRange}");
        }

        int readerSegments = CountWithReader(input, info.Version);
        if (readerSegments != info.Segments.Count)
        {
            failures.Add($"{label}: reader read {readerSegments} segments, model has {info.Segments.Count}");
        }

        long next = info.Range.Start;
        foreach (BlockLocation block in info.GetBlocks(info.Range))
        {
            if (block.Trimmed.Start != next || block.Trimmed.IsEmpty || !block.Segment.HasBlockHash(block.BlockIndex))
            {
                failures.Add($"{label}: block walk broke at {block.Segment.Index}/{block.BlockIndex} {block.Trimmed}");
                return;
            }

            next = block.Trimmed.End;
        }

        if (info.Segments.Count > 0 && next != info.Range.End)
        {
            failures.Add($"{label}: block walk ended at {next}, range ends at {info.Range.End}");
        }

        if (info.Segments.Count == 0)
        {
            return;
        }

        try
        {
            ContentInformation restricted = info.Restrict(info.Range);
            ContentInformation again = ContentInformation.Parse(restricted.ToArray());
            if (again.Range != info.Range)
            {
                failures.Add($"{label}: Restrict(Range) re-parsed to {again.Range}");
            }
        }
        catch (InvalidOperationException)
        {
            // Allowed: a list that starts after block 0 cannot be rewritten from block 0 (pccrc.md P7).
        }
    }

    private static int CountWithReader(byte[] input, ContentInformationVersion version)
    {
        int count = 0;
        if (version == ContentInformationVersion.V1)
        {
            ContentInformationV1Reader reader = new(input);
            while (reader.TryReadSegment(out _))
            {
                count++;
            }
        }
        else
        {
            ContentInformationV2Reader reader = new(input);
            while (reader.TryReadSegment(out _))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>The offsets of the header and per-segment numeric fields of a valid input, where mutations aim.</summary>
    private static int[] FieldOffsets(byte[] bytes)
    {
        var fields = new List<int>();
        if (bytes[1] == 0x01)
        {
            fields.AddRange([2, 6, 10, 14]);
            int count = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(14));
            int digest = ((ContentHashAlgorithm)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(2))).GetDigestLength();
            int description = 16 + (2 * digest);
            int at = PccrcTestData.V1HeaderLength + (count * description);
            for (int i = 0; i < count; i++)
            {
                if (i < 4 || i >= count - 2)
                {
                    int d = PccrcTestData.V1HeaderLength + (i * description);
                    fields.AddRange([d, d + 8, d + 12, at]);
                }

                at += 4 + ((int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at)) * digest);
            }
        }
        else
        {
            fields.AddRange([2, 3, 11, 19, 23]);
            int at = PccrcTestData.V2HeaderLength;
            while (at < bytes.Length)
            {
                int length = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at + 1));
                fields.AddRange([at, at + 1]);
                for (int d = at + 5; d < at + 5 + length; d += PccrcTestData.V2SegmentLength)
                {
                    fields.Add(d);
                }

                at += 5 + length;
            }
        }

        return [.. fields];
    }

    private static byte[] Mutate(Random rng, byte[] source, int[] fields, StringBuilder description)
    {
        byte[] b = (byte[])source.Clone();
        int field = fields[rng.Next(fields.Length)];
        switch (rng.Next(9))
        {
            case 0 when b.Length > 0:
                int flipAt = rng.Next(b.Length);
                b[flipAt] ^= (byte)(1 << rng.Next(8));
                description.Append(CultureInfo.InvariantCulture, $" flip@{flipAt}");
                return b;
            case 1 when b.Length > 0:
                int setAt = rng.Next(Math.Min(b.Length, 64 + rng.Next(b.Length)));
                b[setAt] = (byte)rng.Next(256);
                description.Append(CultureInfo.InvariantCulture, $" set@{setAt}={b[setAt]:x2}");
                return b;
            case 2:
                int insertAt = rng.Next(b.Length + 1);
                byte[] extra = new byte[rng.Next(1, 9)];
                rng.NextBytes(extra);
                description.Append(CultureInfo.InvariantCulture, $" insert@{insertAt}+{extra.Length}");
                return [.. b.AsSpan(0, insertAt), .. extra, .. b.AsSpan(insertAt)];
            case 3 when b.Length > 0:
                int deleteAt = rng.Next(b.Length);
                int deleteCount = Math.Min(rng.Next(1, 9), b.Length - deleteAt);
                description.Append(CultureInfo.InvariantCulture, $" delete@{deleteAt}-{deleteCount}");
                return PccrcTestData.Without(b, deleteAt, deleteCount);
            case 4:
                int keep = rng.Next(b.Length + 1);
                description.Append(CultureInfo.InvariantCulture, $" truncate@{keep}");
                return b[..keep];
            case 5:
                byte[] tail = new byte[rng.Next(1, 9)];
                rng.NextBytes(tail);
                description.Append(CultureInfo.InvariantCulture, $" append+{tail.Length}");
                return [.. b, .. tail];
            case 6 when field + 4 <= b.Length:
                uint value32 = rng.Next(3) == 0 ? (uint)rng.NextInt64(0, 1L << 32) : s_interesting32[rng.Next(s_interesting32.Length)];
                if (b[1] == 0x01)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(field), value32);
                }
                else
                {
                    BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(field), value32);
                }

                description.Append(CultureInfo.InvariantCulture, $" u32@{field}={value32:x}");
                return b;
            case 7 when field + 8 <= b.Length:
                ulong value64 = rng.Next(3) == 0 ? (ulong)rng.NextInt64() * 2 + (ulong)rng.Next(2) : s_interesting64[rng.Next(s_interesting64.Length)];
                if (b[1] == 0x01)
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(field), value64);
                }
                else
                {
                    BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(field), value64);
                }

                description.Append(CultureInfo.InvariantCulture, $" u64@{field}={value64:x}");
                return b;
            default:
                if (field < b.Length)
                {
                    b[field] = (byte)rng.Next(256);
                    description.Append(CultureInfo.InvariantCulture, $" fieldbyte@{field}={b[field]:x2}");
                }

                return b;
        }
    }

    // --- Helpers: generated valid content informations ---

    private sealed record GeneratedV1(
        byte[] Bytes, ContentHashAlgorithm Algorithm, (ulong Offset, uint Length, uint BlockCount)[] Segments, int[] FirstListed, ContentRange Range)
    {
        public override string ToString() =>
            $"{Algorithm} range {Range}, segments {string.Join(", ", Segments.Select((s, i) => $"{s.Offset:x}+{s.Length:x} list {FirstListed[i]}..+{s.BlockCount}"))}";
    }

    private sealed record GeneratedV2(byte[] Bytes, uint[][] Chunks, long Start, long Index, long LengthOfRange, ContentRange Range)
    {
        public override string ToString() =>
            $"start {Start:x} index {Index:x} range {Range} length {LengthOfRange:x}, chunks {string.Join(" | ", Chunks.Select(c => string.Join(",", c)))}";
    }

    private static GeneratedV1 GenerateV1(Random rng)
    {
        (ContentHashAlgorithm algorithm, int digest) = rng.Next(3) switch
        {
            0 => (ContentHashAlgorithm.Sha256, 32),
            1 => (ContentHashAlgorithm.Sha384, 48),
            _ => (ContentHashAlgorithm.Sha512, 64),
        };
        int n = rng.Next(1, 5);
        const long TopSlot = (1L << 38) - 1; // the last 32 MiB slot below 2^63
        long firstIndex = rng.Next(3) switch { 0 => 0, 1 => rng.Next(1, 200), _ => TopSlot - n + 1 };
        uint lastLength = rng.Next(6) switch
        {
            0 => 1,
            1 => 65535,
            2 => 65537,
            3 => PeerDistConstants.SegmentSize,
            _ => (uint)rng.Next(1, PeerDistConstants.SegmentSize + 1),
        };
        if (firstIndex + n - 1 == TopSlot)
        {
            lastLength = Math.Min(lastLength, PeerDistConstants.SegmentSize - 1);
        }

        var segments = new (ulong Offset, uint Length, uint BlockCount)[n];
        for (int i = 0; i < n; i++)
        {
            segments[i] = ((ulong)(firstIndex + i) * PeerDistConstants.SegmentSize, i == n - 1 ? lastLength : (uint)PeerDistConstants.SegmentSize, 0);
        }

        uint firstLength = segments[0].Length;
        uint offsetInFirst = rng.Next(3) == 0 ? 0 : (uint)rng.NextInt64(0, firstLength);
        long low = n == 1 ? offsetInFirst : 0;
        long endInLast = rng.Next(3) == 0 ? lastLength : rng.NextInt64(low + 1, lastLength + 1L);
        long start = (long)segments[0].Offset + offsetInFirst;
        long end = (long)segments[^1].Offset + endInLast;
        uint readInLast = endInLast == lastLength && rng.Next(2) == 0
            ? 0 // "the whole last segment", Windows style (pccrc.md P6)
            : (uint)(n == 1 ? endInLast - offsetInFirst : endInLast);
        var range = ContentRange.FromBounds(start, end);
        int[] firstListed = new int[n];
        for (int i = 0; i < n; i++)
        {
            (int firstBlock, int lastBlock) = Intersecting((long)segments[i].Offset, (int)segments[i].Length, range);
            firstListed[i] = rng.Next(3) switch { 0 => firstBlock, 1 => rng.Next(0, firstBlock + 1), _ => 0 };
            segments[i].BlockCount = (uint)(lastBlock + 1 - firstListed[i]);
        }

        byte[] bytes = PccrcTestData.BuildV1((uint)algorithm, digest, offsetInFirst, readInLast, segments);
        return new GeneratedV1(bytes, algorithm, segments, firstListed, range);
    }

    private static void CheckGeneratedV1(Random rng, GeneratedV1 g, string label, List<string> failures)
    {
        ContentInformation info = ContentInformation.Parse(g.Bytes);
        if (info.Range != g.Range || info.HashAlgorithm != g.Algorithm || info.Segments.Count != g.Segments.Length)
        {
            failures.Add($"{label}: parsed as {info}");
            return;
        }

        for (int i = 0; i < g.Segments.Length; i++)
        {
            ContentSegment s = info.Segments[i];
            if (s.FirstListedBlockIndex != g.FirstListed[i] || s.ListedBlockCount != g.Segments[i].BlockCount || s.Offset != (long)g.Segments[i].Offset)
            {
                failures.Add($"{label}: segment {i} lists {s.FirstListedBlockIndex}..+{s.ListedBlockCount} at {s.Offset:x}");
            }
        }

        if (!info.ToArray().AsSpan().SequenceEqual(g.Bytes))
        {
            failures.Add($"{label}: write(parse(x)) != x");
        }

        ContentRange sub = RandomSubRange(rng, g.Range);
        CheckBlockWalk(info, sub, label, failures);

        // Restrict lists blocks from 0 (pccrc.md P7), so it needs block 0 of every segment the sub-range touches.
        int first = info.FindSegment(sub.Start);
        int last = info.FindSegment(sub.End - 1);
        bool canRestrict = Enumerable.Range(first, last - first + 1).All(i => g.FirstListed[i] == 0);
        ContentInformationV1 restricted;
        try
        {
            restricted = (ContentInformationV1)info.Restrict(sub);
        }
        catch (InvalidOperationException)
        {
            if (canRestrict)
            {
                failures.Add($"{label}: Restrict({sub}) threw although every needed hash is listed");
            }

            return;
        }

        if (!canRestrict)
        {
            failures.Add($"{label}: Restrict({sub}) succeeded without the hash of block 0");
            return;
        }

        ContentSegment lastSegment = info.Segments[last];
        uint expectedRead = sub.End == lastSegment.Range.End ? 0 : (uint)(first == last ? sub.Length : sub.End - lastSegment.Offset);
        (_, int lastBlock) = Intersecting(lastSegment.Offset, lastSegment.Length, sub);
        ContentInformation again = ContentInformation.Parse(restricted.ToArray());
        if (restricted.Range != sub || again.Range != sub
            || restricted.Segments.Count != last - first + 1
            || restricted.OffsetInFirstSegment != sub.Start - info.Segments[first].Offset
            || restricted.ReadBytesInLastSegment != expectedRead
            || restricted.Segments.Any(s => s.FirstListedBlockIndex != 0)
            || restricted.Segments[^1].ListedBlockCount != lastBlock + 1
            || !again.ToArray().AsSpan().SequenceEqual(restricted.ToArray()))
        {
            failures.Add($"{label}: Restrict({sub}) gave {restricted} offset {restricted.OffsetInFirstSegment} read {restricted.ReadBytesInLastSegment} (expected {expectedRead})");
        }
    }

    private static GeneratedV2 GenerateV2(Random rng)
    {
        int n = rng.Next(1, 9);
        uint[] lengths = new uint[n];
        for (int i = 0; i < n; i++)
        {
            lengths[i] = rng.Next(4) switch { 0 => 1, 1 => PeerDistConstants.MaxSegmentLengthV2, _ => (uint)rng.Next(1, PeerDistConstants.MaxSegmentLengthV2 + 1) };
        }

        long total = lengths.Sum(l => (long)l);
        long start = rng.Next(3) switch { 0 => 0, 1 => rng.NextInt64(0, 1L << 40), _ => long.MaxValue - total };
        long index = rng.Next(3) switch { 0 => 0, 1 => rng.NextInt64(0, 1L << 40), _ => long.MaxValue - (n - 1) };
        uint offsetInFirst = rng.Next(3) == 0 ? 0 : (uint)rng.Next(0, (int)lengths[0]);
        long rangeStart = start + offsetInFirst;
        long lastStart = start + total - lengths[^1];
        long low = Math.Max(lastStart, rangeStart); // the range ends inside the last segment, after it starts
        long end = rng.Next(3) == 0 ? start + total : low + 1 + rng.NextInt64(0, start + total - low);
        long lengthOfRange = end == start + total && rng.Next(2) == 0 ? 0 : end - rangeStart;

        // Group the segments into chunks at random (pccrc.md §2.2: the grouping is unspecified).
        var chunks = new List<uint[]>();
        for (int i = 0; i < n;)
        {
            int take = rng.Next(1, n - i + 1);
            chunks.Add(lengths[i..(i + take)]);
            i += take;
        }

        byte[] bytes = PccrcTestData.BuildV2((ulong)start, (ulong)index, offsetInFirst, (ulong)lengthOfRange, [.. chunks]);
        return new GeneratedV2(bytes, [.. chunks], start, index, lengthOfRange, ContentRange.FromBounds(rangeStart, end));
    }

    private static void CheckGeneratedV2(Random rng, GeneratedV2 g, string label, List<string> failures)
    {
        var info = (ContentInformationV2)ContentInformation.Parse(g.Bytes);
        int[] chunkCounts = [.. g.Chunks.Select(c => c.Length)];
        if (info.Range != g.Range || info.StartInContent != g.Start || info.IndexOfFirstSegment != g.Index
            || info.LengthOfRange != g.LengthOfRange || !info.ChunkSegmentCounts.SequenceEqual(chunkCounts))
        {
            failures.Add($"{label}: parsed as {info} start {info.StartInContent:x} index {info.IndexOfFirstSegment:x} length {info.LengthOfRange:x}");
            return;
        }

        long offset = g.Start;
        int k = 0;
        foreach (uint length in g.Chunks.SelectMany(c => c))
        {
            ContentSegment s = info.Segments[k];
            if (s.Offset != offset || s.Length != length || s.Index != g.Index + k)
            {
                failures.Add($"{label}: segment {k} at {s.Offset:x}+{s.Length:x} index {s.Index:x}");
            }

            offset += length;
            k++;
        }

        if (!info.ToArray().AsSpan().SequenceEqual(g.Bytes))
        {
            failures.Add($"{label}: write(parse(x)) != x");
        }

        ContentRange sub = RandomSubRange(rng, g.Range);
        CheckBlockWalk(info, sub, label, failures);
        var restricted = (ContentInformationV2)info.Restrict(sub);
        int first = info.FindSegment(sub.Start);
        int last = info.FindSegment(sub.End - 1);
        ContentSegment firstSegment = info.Segments[first];
        bool whole = g.LengthOfRange == 0 && sub == g.Range;
        ContentInformation again = ContentInformation.Parse(restricted.ToArray());
        if (restricted.Range != sub || again.Range != sub
            || restricted.StartInContent != firstSegment.Offset
            || restricted.IndexOfFirstSegment != firstSegment.Index
            || restricted.OffsetInFirstSegment != sub.Start - firstSegment.Offset
            || restricted.LengthOfRange != (whole ? 0 : sub.Length)
            || restricted.Segments.Count != last - first + 1
            || !again.ToArray().AsSpan().SequenceEqual(restricted.ToArray()))
        {
            failures.Add($"{label}: Restrict({sub}) gave {restricted} start {restricted.StartInContent:x} index {restricted.IndexOfFirstSegment:x} length {restricted.LengthOfRange:x}");
        }
    }

    private static ContentRange RandomSubRange(Random rng, ContentRange range)
    {
        if (rng.Next(4) == 0)
        {
            return range;
        }

        long a = range.Start + rng.NextInt64(0, range.Length);
        long b = rng.Next(3) == 0 ? range.End : a + 1 + rng.NextInt64(0, range.End - a);
        return ContentRange.FromBounds(a, b);
    }

    /// <summary>GetBlocks over <paramref name="range"/> tiles it with listed blocks, in order.</summary>
    private static void CheckBlockWalk(ContentInformation info, ContentRange range, string label, List<string> failures)
    {
        long next = range.Start;
        foreach (BlockLocation block in info.GetBlocks(range))
        {
            bool ok = block.Trimmed.Start == next && !block.Trimmed.IsEmpty
                && block.BlockRange == block.Segment.GetBlockRange(block.BlockIndex)
                && block.BlockIndex == block.Segment.GetBlockIndex(block.Trimmed.Start)
                && block.Segment.HasBlockHash(block.BlockIndex);
            if (!ok)
            {
                failures.Add($"{label}: GetBlocks({range}) broke at segment {block.Segment.Index} block {block.BlockIndex} {block.Trimmed}");
                return;
            }

            next = block.Trimmed.End;
        }

        if (next != range.End)
        {
            failures.Add($"{label}: GetBlocks({range}) stopped at {next}");
        }
    }

    /// <summary>The blocks of a segment that intersect a range, computed here independently of the library.</summary>
    private static (int First, int Last) Intersecting(long segmentStart, int segmentLength, ContentRange range)
    {
        long from = Math.Max(range.Start, segmentStart) - segmentStart;
        long to = Math.Min(range.End, segmentStart + segmentLength) - segmentStart;
        return ((int)(from / PeerDistConstants.BlockSize), (int)((to - 1) / PeerDistConstants.BlockSize));
    }

    private static string Hex(byte[] input) =>
        input.Length <= 256 ? Convert.ToHexStringLower(input) : $"({input.Length} bytes) {Convert.ToHexStringLower(input.AsSpan(0, 64))}…";

    private static string Summary(List<string> failures) =>
        $"{failures.Count} failure(s):\n" + string.Join("\n", failures.Take(10));
}
