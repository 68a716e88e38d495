using System.Buffers.Binary;

namespace PeerDist.Tests.Shared;

/// <summary>
/// Shared data for the content information tests: the vector sources, byte-patching helpers, an independent encoder for
/// hand-built inputs, and the mutation-built cases that no vector file covers (spec-vectors/README.md "Notes and limits").
/// </summary>
/// <remarks>
/// Every hand-built input is a documented change to a vector with provenance, or built field by field from the layout of
/// pccrc.md §1.2 / §2.1; the encoders here never call the library, so a round trip through it is an independent check.
/// </remarks>
public static class PccrcTestData
{
    /// <summary>V1 header length (pccrc.md §1.2).</summary>
    public const int V1HeaderLength = 18;

    /// <summary>V2 header length (pccrc.md §2.1).</summary>
    public const int V2HeaderLength = 31;

    /// <summary>V2 SegmentDescription length: cbSegment, HoD, Kp.</summary>
    public const int V2SegmentLength = 68;

    /// <summary>The name of the 2 MB fixture whose prefixes are sampled rather than enumerated.</summary>
    public const string FourGiBVector = "derived-4gib-plus-100-sha256";

    private static readonly string[] s_validFolders = ["pccrc/v1", "pccrc/v2"];

    /// <summary>Every valid vector (v1 then v2), each test named <c>Method(pccrc_vN_name)</c>.</summary>
    public static IEnumerable<TestCaseData> ValidVectors() => Named(TestVectors.Enumerate("pccrc/v1").Concat(TestVectors.Enumerate("pccrc/v2")));

    /// <summary>Every valid V1 vector.</summary>
    public static IEnumerable<TestCaseData> V1Vectors() => Named(TestVectors.Enumerate("pccrc/v1"));

    /// <summary>Every valid V2 vector.</summary>
    public static IEnumerable<TestCaseData> V2Vectors() => Named(TestVectors.Enumerate("pccrc/v2"));

    /// <summary>Every invalid vector, with its expected <c>reason</c> and <c>offset</c> in the JSON.</summary>
    public static IEnumerable<TestCaseData> InvalidVectors() => Named(TestVectors.Enumerate("pccrc/invalid"));

    /// <summary>The mutation-built rejections, one test case each.</summary>
    public static IEnumerable<TestCaseData> MutationCases() =>
        Mutations.Select(m => new TestCaseData(m).SetName($"{{m}}({m.Name})"));

    /// <summary>The hand-built valid edge cases, one test case each.</summary>
    public static IEnumerable<TestCaseData> EdgeCases() =>
        ValidEdgeCases.Select(e => new TestCaseData(e).SetName($"{{m}}({e.Name})"));

    /// <summary>Loads the valid vector <paramref name="name"/> from pccrc/v1 or pccrc/v2.</summary>
    public static TestVectors.Vector Valid(string name)
    {
        foreach (string folder in s_validFolders)
        {
            if (File.Exists(Path.Combine(TestVectors.Root, folder, name + ".bin")))
            {
                return TestVectors.Load(folder, name);
            }
        }

        throw new FileNotFoundException($"No valid vector named {name}.");
    }

    /// <summary>The bytes of the valid vector <paramref name="name"/>.</summary>
    public static byte[] Bytes(string name) => Valid(name).Bytes;

    /// <summary>The invalid vector's expected reason (the C# enum name in its JSON).</summary>
    public static PeerDistFormatError Reason(TestVectors.Vector vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        return Enum.Parse<PeerDistFormatError>(vector.String("reason")!);
    }

    /// <summary>The invalid vector's expected offset.</summary>
    public static long Offset(TestVectors.Vector vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        return vector.Json.GetProperty("offset").GetInt64();
    }

    /// <summary>A copy of <paramref name="source"/> with a little-endian 32-bit field replaced.</summary>
    public static byte[] WithUInt32LittleEndian(byte[] source, int offset, uint value) =>
        CopyAndChange(source, copy => BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(offset), value));

    /// <summary>A copy of <paramref name="source"/> with a little-endian 64-bit field replaced.</summary>
    public static byte[] WithUInt64LittleEndian(byte[] source, int offset, ulong value) =>
        CopyAndChange(source, copy => BinaryPrimitives.WriteUInt64LittleEndian(copy.AsSpan(offset), value));

    /// <summary>A copy of <paramref name="source"/> with a big-endian 32-bit field replaced.</summary>
    public static byte[] WithUInt32BigEndian(byte[] source, int offset, uint value) =>
        CopyAndChange(source, copy => BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(offset), value));

    /// <summary>A copy of <paramref name="source"/> with a big-endian 64-bit field replaced.</summary>
    public static byte[] WithUInt64BigEndian(byte[] source, int offset, ulong value) =>
        CopyAndChange(source, copy => BinaryPrimitives.WriteUInt64BigEndian(copy.AsSpan(offset), value));

    /// <summary>A copy of <paramref name="source"/> with one byte replaced.</summary>
    public static byte[] WithByte(byte[] source, int offset, byte value) => CopyAndChange(source, copy => copy[offset] = value);

    /// <summary>A copy of <paramref name="source"/> without the <paramref name="count"/> bytes at <paramref name="offset"/>.</summary>
    public static byte[] Without(byte[] source, int offset, int count) => [.. source.AsSpan(0, offset), .. source.AsSpan(offset + count)];

    /// <summary>
    /// Re-groups the segment descriptions of a V2 content information into chunks of the given sizes (pccrc.md §2.2: the
    /// grouping is unspecified, so any grouping describes the same segments). Header bytes are kept as they are.
    /// </summary>
    public static byte[] RegroupV2Chunks(byte[] v2, params int[] segmentsPerChunk)
    {
        ArgumentNullException.ThrowIfNull(v2);
        ArgumentNullException.ThrowIfNull(segmentsPerChunk);
        var descriptions = new List<byte[]>();
        int at = V2HeaderLength;
        while (at < v2.Length)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(v2.AsSpan(at + 1)); // dwChunkDataLength
            for (int d = at + 5; d < at + 5 + length; d += V2SegmentLength)
            {
                descriptions.Add(v2.AsSpan(d, V2SegmentLength).ToArray());
            }

            at += 5 + length;
        }

        if (segmentsPerChunk.Sum() != descriptions.Count)
        {
            throw new ArgumentException($"The chunks must hold all {descriptions.Count} segments.", nameof(segmentsPerChunk));
        }

        var output = new List<byte>(v2.AsSpan(0, V2HeaderLength).ToArray());
        int next = 0;
        foreach (int count in segmentsPerChunk)
        {
            byte[] chunkHeader = new byte[5];
            BinaryPrimitives.WriteUInt32BigEndian(chunkHeader.AsSpan(1), (uint)(count * V2SegmentLength));
            output.AddRange(chunkHeader);
            for (int i = 0; i < count; i++)
            {
                output.AddRange(descriptions[next++]);
            }
        }

        return [.. output];
    }

    /// <summary>The offsets at which the chunks of a V2 content information end (each a place where a prefix is itself complete).</summary>
    public static IReadOnlyList<int> V2ChunkEnds(byte[] v2)
    {
        ArgumentNullException.ThrowIfNull(v2);
        var ends = new List<int>();
        int at = V2HeaderLength;
        while (at + 5 <= v2.Length)
        {
            at += 5 + (int)BinaryPrimitives.ReadUInt32BigEndian(v2.AsSpan(at + 1));
            ends.Add(at);
        }

        return ends;
    }

    /// <summary>
    /// Encodes a SHA-256 V1 content information field by field (pccrc.md §1.2). HoD, Kp and block hashes are filler
    /// bytes: the parser checks structure, not hash values.
    /// </summary>
    public static byte[] BuildV1Sha256(uint offsetInFirstSegment, uint readBytesInLastSegment, params (ulong Offset, uint Length, uint BlockCount)[] segments) =>
        BuildV1(0x800C, 32, offsetInFirstSegment, readBytesInLastSegment, segments);

    /// <summary>Encodes a V1 content information field by field (pccrc.md §1.2, little-endian), with filler hash bytes.</summary>
    public static byte[] BuildV1(uint hashAlgorithm, int digestLength, uint offsetInFirstSegment, uint readBytesInLastSegment, (ulong Offset, uint Length, uint BlockCount)[] segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var output = new List<byte>();
        byte[] field = new byte[8];
        void Add32(uint value)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(field, value);
            output.AddRange(field.AsSpan(0, 4).ToArray());
        }

        void Add64(ulong value)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(field, value);
            output.AddRange(field);
        }

        output.Add(0x00); // Version 0x0100, low byte first
        output.Add(0x01);
        Add32(hashAlgorithm); // dwHashAlgo
        Add32(offsetInFirstSegment);
        Add32(readBytesInLastSegment);
        Add32((uint)segments.Length); // cSegments
        for (int i = 0; i < segments.Length; i++)
        {
            Add64(segments[i].Offset); // ullOffsetInContent
            Add32(segments[i].Length); // cbSegment
            Add32(65536); // cbBlockSize
            AddFiller(output, digestLength, (2 * i) + 1); // HoD
            AddFiller(output, digestLength, (2 * i) + 2); // Kp
        }

        for (int i = 0; i < segments.Length; i++)
        {
            Add32(segments[i].BlockCount); // cBlocks
            AddFiller(output, (int)segments[i].BlockCount * digestLength, 100 + i);
        }

        return [.. output];
    }

    /// <summary>
    /// Encodes a V2 content information field by field (pccrc.md §2.1, big-endian): one chunk per inner array of segment
    /// lengths, with filler HoD and Kp bytes.
    /// </summary>
    public static byte[] BuildV2(ulong startInContent, ulong indexOfFirstSegment, uint offsetInFirstSegment, ulong lengthOfRange, uint[][] chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var output = new List<byte> { 0x00, 0x02, 0x04 }; // bMinorVersion, bMajorVersion, bHashAlgo
        byte[] field = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(field, startInContent);
        output.AddRange(field);
        BinaryPrimitives.WriteUInt64BigEndian(field, indexOfFirstSegment);
        output.AddRange(field);
        BinaryPrimitives.WriteUInt32BigEndian(field, offsetInFirstSegment);
        output.AddRange(field.AsSpan(0, 4).ToArray());
        BinaryPrimitives.WriteUInt64BigEndian(field, lengthOfRange);
        output.AddRange(field);
        int seed = 0;
        foreach (uint[] chunk in chunks)
        {
            output.Add(0x00); // bChunkType
            BinaryPrimitives.WriteUInt32BigEndian(field, (uint)(chunk.Length * V2SegmentLength));
            output.AddRange(field.AsSpan(0, 4).ToArray()); // dwChunkDataLength
            foreach (uint length in chunk)
            {
                BinaryPrimitives.WriteUInt32BigEndian(field, length);
                output.AddRange(field.AsSpan(0, 4).ToArray()); // cbSegment
                AddFiller(output, 64, ++seed); // HoD, Kp
            }
        }

        return [.. output];
    }

    /// <summary>
    /// Inputs no vector file covers, built by changing named fields of a vector (offsets from pccrc.md §1.2 / §2.1 and the
    /// provenance table of spec-vectors/README.md). Together with the files they reach every reason the parsers report.
    /// </summary>
    public static IReadOnlyList<PccrcMutation> Mutations { get; } = CreateMutations();

    /// <summary>Hand-built inputs that are valid, on the edges of the rules (parsed, round-tripped and fuzzed from).</summary>
    public static IReadOnlyList<PccrcEdgeCase> ValidEdgeCases { get; } = CreateEdgeCases();

    private static byte[] CopyAndChange(byte[] source, Action<byte[]> change)
    {
        byte[] copy = (byte[])source.Clone();
        change(copy);
        return copy;
    }

    private static void AddFiller(List<byte> output, int count, int seed)
    {
        for (int i = 0; i < count; i++)
        {
            output.Add((byte)((seed * 31) + i));
        }
    }

    private static IEnumerable<TestCaseData> Named(IEnumerable<TestCaseData> cases) =>
        cases.Select(c => c.SetName("{m}(" + c.TestName + ")"));

    private static List<PccrcMutation> CreateMutations()
    {
        // V1 base spec-3-2 (166 bytes): header 0..18; SegmentDescription at 18 (ullOffsetInContent 18, cbSegment 26,
        // cbBlockSize 30, HoD 34, Kp 66); cBlocks at 98; hashes 102..166. Base spec-3-4: description i at 18 + 80 i,
        // first cBlocks at 338. V2 base spec-3-7 (104 bytes): chunk at 31 (type 31, length 32), cbSegment at 36.
        byte[] s32 = Bytes("spec-3-2-v1-125kb-full-dwread-0");
        byte[] s33 = Bytes("spec-3-3-v1-125kb-range-100kb-to-end");
        byte[] s34 = Bytes("spec-3-4-v1-125mb-full");
        byte[] s36 = Bytes("spec-3-6-v2-189kb-full");
        byte[] s37 = Bytes("spec-3-7-v2-189kb-range-100kb-to-110kb");
        byte[] d4 = Bytes("derived-193536-v2-whole");
        byte[] header0 = WithUInt32LittleEndian(s32[..V1HeaderLength], 14, 0); // cSegments = 0, nothing else
        const ulong LastSlot = 0x7FFF_FFFF_FE00_0000; // the last 32 MiB boundary below 2^63

        return
        [
            // --- V1 ---
            new("v1-hashalgo-sha1-8004", WithUInt32LittleEndian(s32, 2, 0x8004), PeerDistFormatError.UnsupportedHashAlgorithm, 2,
                "CALG_SHA1 is a CryptoAPI id but not one MS-PCCRC 2.3 allows"),
            new("v1-hashalgo-v2-value-04", WithUInt32LittleEndian(s32, 2, 0x04), PeerDistFormatError.UnsupportedHashAlgorithm, 2,
                "0x04 is the V2 bHashAlgo; it is not a V1 dwHashAlgo"),
            new("v1-first-segment-offset-not-32mib-aligned", WithUInt64LittleEndian(s32, 18, 0x10000), PeerDistFormatError.InvalidSegmentOffset, 18,
                "MS-PCCRC 2.1: segment i starts at i x 32 MiB, so the first listed one must sit on a 32 MiB boundary"),
            new("v1-second-segment-overlaps-first", WithUInt64LittleEndian(s34, 98, 0x1FF_0000), PeerDistFormatError.InvalidSegmentOffset, 98,
                "segments are contiguous: segment 1 must start where segment 0 ends (0x2000000)"),
            new("v1-segment-offset-above-2-63", WithUInt64LittleEndian(s32, 18, 0xFFFF_FFFF_FE00_0000), PeerDistFormatError.Overflow, 18,
                "a 32 MiB-aligned ullOffsetInContent that does not fit a signed 64-bit offset"),
            new("v1-segment-end-at-2-63", WithUInt64LittleEndian(s34, 18, LastSlot), PeerDistFormatError.Overflow, 18,
                "the last 32 MiB slot below 2^63 holding a full 32 MiB segment: offset + cbSegment = 2^63"),
            new("v1-cbsegment-0", WithUInt32LittleEndian(s32, 26, 0), PeerDistFormatError.InvalidSegmentLength, 26,
                "a segment holds at least one byte"),
            new("v1-cbsegment-above-32mib", WithUInt32LittleEndian(s32, 26, 0x200_0001), PeerDistFormatError.InvalidSegmentLength, 26,
                "MS-PCCRC 2.1: no segment is longer than 32 MiB"),
            new("v1-cblocks-1-missing-block-0", WithUInt32LittleEndian(Without(s32, 102, 32), 98, 1), PeerDistFormatError.InvalidBlockCount, 98,
                "range [0, 128000) needs blocks 0 and 1, a list of one hash ending at block 1 misses block 0"),
            new("v1-cblocks-0", WithUInt32LittleEndian(s32[..102], 98, 0), PeerDistFormatError.InvalidBlockCount, 98,
                "every listed segment intersects the range, so it lists at least one block hash"),
            new("v1-cblocks-511-of-512", WithUInt32LittleEndian(Without(s34, 342, 32), 338, 511), PeerDistFormatError.InvalidBlockCount, 338,
                "a full 32 MiB segment of a full-content CI needs all 512 hashes"),
            new("v1-csegments-0-trailing-data", WithUInt32LittleEndian(s32, 14, 0), PeerDistFormatError.TrailingData, 18,
                "cSegments = 0 is the 18-byte empty CI (pccrc.md P11); the descriptions after it are surplus"),
            new("v1-csegments-0-offset-in-first", WithUInt32LittleEndian(header0, 6, 1), PeerDistFormatError.InvalidOffsetInFirstSegment, 6,
                "an empty CI has no first segment to start in"),
            new("v1-csegments-0-read-bytes", WithUInt32LittleEndian(header0, 10, 1), PeerDistFormatError.InvalidReadBytesInLastSegment, 10,
                "an empty CI has no last segment to read from"),
            new("v1-single-segment-read-bytes-one-past-end", WithUInt32LittleEndian(s33, 10, 25601), PeerDistFormatError.InvalidReadBytesInLastSegment, 10,
                "single segment: the range is [102400, 102400 + dwRead), which must end by 128000 (pccrc.md §4.2)"),
            new("v1-multi-segment-read-bytes-one-past-end", WithUInt32LittleEndian(s34, 10, 0x1D0_0001), PeerDistFormatError.InvalidReadBytesInLastSegment, 10,
                "multi segment: dwRead counts from the last segment's start and must end by its end"),
            new("v1-read-bytes-wraps-64-bit-single-segment",
                BuildV1Sha256(0x1FF_FFFE, 0xFFFF_FFFF, (LastSlot, 0x1FF_FFFF, 512)), PeerDistFormatError.InvalidReadBytesInLastSegment, 10,
                "the segment ends at exactly 2^63 - 1; start + dwRead would wrap a signed 64-bit sum"),
            new("v1-read-bytes-wraps-64-bit-with-matching-block-count",
                BuildV1Sha256(0x1FF_FFFE, 0xFFFF_FFFF, (LastSlot, 0x1FF_FFFF, 0x1_0200)), PeerDistFormatError.InvalidReadBytesInLastSegment, 10,
                "as above, with cBlocks = 66048: the count a parser that let the end wrap would derive from the wrapped range"),
            new("v1-read-bytes-wraps-64-bit-multi-segment",
                BuildV1Sha256(0, 0xFFFF_FFFF, (LastSlot - 0x200_0000, 0x200_0000, 512), (LastSlot, 0x1FF_FFFF, 512)),
                PeerDistFormatError.InvalidReadBytesInLastSegment, 10,
                "the last segment ends at exactly 2^63 - 1; its start + dwRead would wrap a signed 64-bit sum"),

            // --- V2 ---
            new("v2-minor-version-01", WithByte(d4, 0, 0x01), PeerDistFormatError.UnsupportedVersion, 0,
                "bMinorVersion must be 0x00 (pccrc.md P5)"),
            new("v2-header-only", d4[..V2HeaderLength], PeerDistFormatError.Truncated, 31,
                "no count field: a V2 CI lists at least one chunk, so a bare header is cut off where the first chunk starts"),
            new("v2-partial-chunk-header-after-last-chunk", [.. d4, 0x00, 0x00, 0x00, 0x00], PeerDistFormatError.Truncated, 240,
                "four bytes after the last chunk are a chunk header missing its last byte"),
            new("v2-chunk-length-past-end", WithUInt32BigEndian(d4, 32, 272), PeerDistFormatError.Truncated, 36,
                "dwChunkDataLength declares four descriptions, three are present"),
            new("v2-second-chunk-type-01", WithByte(RegroupV2Chunks(d4, 1, 2), 104, 0x01), PeerDistFormatError.InvalidChunkType, 104,
                "every chunk's bChunkType is checked, not only the first"),
            new("v2-second-chunk-length-136-plus-1", WithUInt32BigEndian(RegroupV2Chunks(d4, 1, 2), 105, 137), PeerDistFormatError.InvalidChunkLength, 105,
                "dwChunkDataLength of the second chunk is not a multiple of 68"),
            new("v2-third-segment-cbsegment-0", WithUInt32BigEndian(d4, 36 + 136, 0), PeerDistFormatError.InvalidSegmentLength, 172,
                "cbSegment of the third description is 0"),
            new("v2-index-high-bit", WithUInt64BigEndian(s37, 11, 0x8000_0000_0000_0000), PeerDistFormatError.Overflow, 11,
                "ullIndexOfFirstSegment does not fit a signed 64-bit index"),
            new("v2-index-of-last-segment-overflows", WithUInt64BigEndian(d4, 11, long.MaxValue - 1), PeerDistFormatError.Overflow, 11,
                "three segments from index 2^63 - 2: the last one's index would be 2^63"),
            new("v2-length-of-range-high-bit", WithUInt64BigEndian(s37, 23, 0x8000_0000_0000_0000), PeerDistFormatError.Overflow, 23,
                "ullLengthOfRange does not fit a signed 64-bit length"),
            new("v2-segment-end-overflows", WithUInt64BigEndian(s37, 3, (ulong)(long.MaxValue - 0x15400 + 1)), PeerDistFormatError.Overflow, 36,
                "ullStartInContent + cbSegment passes 2^63 - 1; found when cbSegment is added"),
            new("v2-offset-in-first-eq-cbsegment", WithUInt32BigEndian(s37, 19, 0x15400), PeerDistFormatError.InvalidOffsetInFirstSegment, 19,
                "dwOffsetInFirstSegment must fall inside the first listed segment (0x15400 bytes)"),
            new("v2-length-of-range-one-past-end", WithUInt64BigEndian(s36, 23, 0x2F401), PeerDistFormatError.InvalidLengthOfRange, 23,
                "the range would end one byte after the last listed segment"),
            new("v2-length-of-range-ends-before-last-segment", WithUInt64BigEndian(s36, 23, 0x24400), PeerDistFormatError.InvalidLengthOfRange, 23,
                "the range ends exactly where the last listed segment starts, so that segment would be listed for nothing"),
            new("v2-range-length-past-end-with-offset", WithUInt64BigEndian(s37, 23, 0x15400 - 0xA000 + 1), PeerDistFormatError.InvalidLengthOfRange, 23,
                "range [0x19000, +0xB401) ends one byte past the only segment [0xF000, 0x24400)"),
        ];
    }

    private static List<PccrcEdgeCase> CreateEdgeCases()
    {
        byte[] s32 = Bytes("spec-3-2-v1-125kb-full-dwread-0");
        byte[] s33 = Bytes("spec-3-3-v1-125kb-range-100kb-to-end");
        byte[] s36 = Bytes("spec-3-6-v2-189kb-full");
        byte[] s37 = Bytes("spec-3-7-v2-189kb-range-100kb-to-110kb");
        byte[] d4 = Bytes("derived-193536-v2-whole");
        const ulong LastSlot = 0x7FFF_FFFF_FE00_0000;

        return
        [
            new("v1-empty-csegments-0", WithUInt32LittleEndian(s32[..V1HeaderLength], 14, 0), default, 0,
                "pccrc.md P11: the 18-byte header WPTS writes for empty content describes nothing"),
            new("v1-single-segment-at-index-1", WithUInt64LittleEndian(s32, 18, 0x200_0000), new(0x200_0000, 128000), 1,
                "a range CI may list a later segment alone; its index is offset / 32 MiB"),
            new("v1-single-segment-read-bytes-exactly-to-end", WithUInt32LittleEndian(s33, 10, 25600), new(102400, 25600), 1,
                "3.3 with dwRead = 25600 spelled out instead of 0: the same range, different bytes"),
            new("v1-block-list-of-intersecting-blocks-only", WithUInt32LittleEndian(Without(s33, 102, 32), 98, 1), new(102400, 25600), 1,
                "the MS-PCCRC 2.3.1.2 text reading of 3.3: only block 1 intersects [102400, 128000), so only its hash is listed (P7)"),
            new("v1-segment-ends-at-2-63-minus-1", BuildV1Sha256(0, 0, (LastSlot, 0x1FF_FFFF, 512)), new((long)LastSlot, 0x1FF_FFFF), 1,
                "the largest content offset a signed 64-bit range can end at"),
            new("v2-three-chunks-of-one-segment", RegroupV2Chunks(d4, 1, 1, 1), new(0, 193536), 3,
                "the grouping of segments into chunks is free (pccrc.md §2.2)"),
            new("v2-two-chunks-explicit-length", RegroupV2Chunks(s36, 2, 1), new(0, 193536), 3,
                "3.6 regrouped: one chunk of two segments, one of one"),
            new("v2-last-segment-index-2-63-minus-1", WithUInt64BigEndian(d4, 11, long.MaxValue - 2), new(0, 193536), 3,
                "three segments whose last index is exactly 2^63 - 1"),
            new("v2-segment-ends-at-2-63-minus-1", WithUInt64BigEndian(s37, 3, (ulong)(long.MaxValue - 0x15400)),
                new(long.MaxValue - 0x15400 + 0xA000, 0x2800), 1, "the only segment ends at exactly 2^63 - 1"),
            new("v2-length-of-range-one-byte-into-last-segment", WithUInt64BigEndian(s36, 23, 0x24401), new(0, 0x24401), 3,
                "the range reaches one byte into the last listed segment"),
        ];
    }
}

/// <summary>An input that must be rejected with <see cref="Reason"/> at <see cref="Offset"/>.</summary>
public sealed record PccrcMutation(string Name, byte[] Bytes, PeerDistFormatError Reason, long Offset, string Why)
{
    public override string ToString() => Name;
}

/// <summary>A valid hand-built input, with the range and segment count it describes.</summary>
public sealed record PccrcEdgeCase(string Name, byte[] Bytes, PeerDist.Content.ContentRange Range, int SegmentCount, string Why)
{
    public override string ToString() => Name;
}
