using System.IO.Pipelines;
using System.Security.Cryptography;
using PeerDist.Content;
using PeerDist.Cryptography;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Content;

/// <summary>
/// Generation. V1 output is compared byte for byte with the independent vectors of spec-vectors/pccrc/v1 (content
/// i mod 251, secret "no more secrets") through every entry point. V2 boundaries are this project's own format (see
/// <see cref="ContentDefinedSegmenterTests"/>), so V2 output is checked against invariants recomputed here with the BCL.
/// </summary>
public class ContentInformationBuilderTests
{
    /// <summary>MS-PCCRC 3 examples' secret, the one every derived vector uses.</summary>
    internal static readonly byte[] SecretKey = "no more secrets"u8.ToArray();

    private const int BufferLength = ContentInformationBuilder.BufferLength;

    /// <summary>Append piece sizes: tiny, around a block, around the 4 MiB gathering buffer.</summary>
    private static readonly int[] s_oddPieces = [1, 7, 65535, 65537, (3 << 20) + 1, BufferLength - 1, 13, BufferLength + 3, 251];

    private static readonly ContentInformationBuilderOptions s_v2 = new() { Version = ContentInformationVersion.V2 };

    // ---- V1 against the vectors -----------------------------------------------------------------------------------

    /// <summary>V1 vectors of mod-251 content that describe the whole content the way Windows writes it (both header offsets 0).</summary>
    public static IEnumerable<TestCaseData> WholeContentV1Vectors() =>
        V1Vectors(v => v.ContentLength <= int.MaxValue && IsWholeContent(v) && ReadBytesInLastSegment(v) == 0);

    /// <summary>Range vectors (MS-PCCRC 3.3 and 3.5 layouts).</summary>
    public static IEnumerable<TestCaseData> RangeV1Vectors() =>
        V1Vectors(v => v.ContentLength <= int.MaxValue && !IsWholeContent(v));

    /// <summary>Whole-content vectors that spell "whole last segment" as its length instead of 0 (MS-PCCRC 3.1, 3.4; pccrc.md P6).</summary>
    public static IEnumerable<TestCaseData> FullLengthReadBytesV1Vectors() =>
        V1Vectors(v => v.ContentLength <= int.MaxValue && IsWholeContent(v) && ReadBytesInLastSegment(v) != 0);

    public static IEnumerable<TestCaseData> SmallWholeContentV1Vectors() =>
        V1Vectors(v => v.ContentLength <= 1 << 20 && IsWholeContent(v) && ReadBytesInLastSegment(v) == 0);

    public static IEnumerable<TestCaseData> WholeContentV1VectorsByParallelism() =>
        from TestCaseData data in WholeContentV1Vectors()
        from int parallelism in new[] { 1, -1, 3 }
        let vector = (TestVectors.Vector)data.Arguments[0]!
        select new TestCaseData(vector, parallelism).SetArgDisplayNames(vector.Name, parallelism.ToString(System.Globalization.CultureInfo.InvariantCulture));

    [TestCaseSource(nameof(WholeContentV1Vectors))]
    public void Create_WholeContentVector_EqualsVectorBytes(TestVectors.Vector vector)
    {
        byte[] content = Mod251(vector);
        using ServerSecret secret = SecretOf(vector);
        ContentInformation info = ContentInformationBuilder.Create(content, secret, OptionsOf(vector));
        byte[] bytes = info.ToArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(bytes, Is.EqualTo(vector.Bytes));
            Assert.That(info.GetEncodedLength(), Is.EqualTo(bytes.Length));
            Assert.That(ContentInformation.Parse(bytes).ToArray(), Is.EqualTo(bytes)); // round trip
        }
    }

    [TestCaseSource(nameof(WholeContentV1VectorsByParallelism))]
    public void Create_AnyParallelism_EqualsVectorBytes(TestVectors.Vector vector, int parallelism)
    {
        byte[] content = Mod251(vector);
        using ServerSecret secret = SecretOf(vector);
        ContentInformation info = ContentInformationBuilder.Create(content, secret, OptionsOf(vector) with { MaxDegreeOfParallelism = parallelism });
        Assert.That(info.ToArray(), Is.EqualTo(vector.Bytes));
    }

    [TestCaseSource(nameof(WholeContentV1VectorsByParallelism))]
    public void CreateFromMemory_AnyParallelism_EqualsVectorBytes(TestVectors.Vector vector, int parallelism)
    {
        // The in-place overload hashes the caller's memory without copying it into the builder's buffers.
        ReadOnlyMemory<byte> content = Mod251(vector);
        using ServerSecret secret = SecretOf(vector);
        ContentInformation info = ContentInformationBuilder.Create(content, secret, OptionsOf(vector) with { MaxDegreeOfParallelism = parallelism });
        Assert.That(info.ToArray(), Is.EqualTo(vector.Bytes));
    }

    [TestCaseSource(nameof(WholeContentV1VectorsByParallelism))]
    public void Append_MemoryAndSpanPiecesMixed_EqualsVectorBytes(TestVectors.Vector vector, int parallelism)
    {
        // Alternating the copying and the in-place overloads moves the builder between its two paths mid-block.
        byte[] content = Mod251(vector);
        using ServerSecret secret = SecretOf(vector);
        using var builder = new ContentInformationBuilder(secret, OptionsOf(vector) with { MaxDegreeOfParallelism = parallelism });
        AppendInPieces(builder, content, s_oddPieces, mixMemory: true);
        Assert.That(builder.Complete().ToArray(), Is.EqualTo(vector.Bytes));
    }

    [TestCaseSource(nameof(WholeContentV1Vectors))]
    public void Append_OddSizedPieces_EqualsVectorBytes(TestVectors.Vector vector)
    {
        byte[] content = Mod251(vector);
        using ServerSecret secret = SecretOf(vector);
        using var builder = new ContentInformationBuilder(secret, OptionsOf(vector));
        AppendInPieces(builder, content, s_oddPieces);
        Assert.That(builder.BytesAppended, Is.EqualTo(content.Length));
        Assert.That(builder.Complete().ToArray(), Is.EqualTo(vector.Bytes));
    }

    [TestCaseSource(nameof(WholeContentV1Vectors))]
    public async Task CreateAsync_NonSeekableStream_EqualsVectorBytes(TestVectors.Vector vector)
    {
        using ServerSecret secret = SecretOf(vector);
        using Stream stream = ContentPatterns.Mod251Stream(vector.ContentLength!.Value);
        ContentInformation info = await ContentInformationBuilder.CreateAsync(stream, secret, OptionsOf(vector));
        Assert.That(info.ToArray(), Is.EqualTo(vector.Bytes));
    }

    [TestCaseSource(nameof(WholeContentV1Vectors))]
    public async Task CreateAsync_StreamWithShortReads_EqualsVectorBytes(TestVectors.Vector vector)
    {
        using ServerSecret secret = SecretOf(vector);
        using Stream stream = new ShortReadStream(ContentPatterns.Mod251Stream(vector.ContentLength!.Value), s_oddPieces);
        ContentInformation info = await ContentInformationBuilder.CreateAsync(stream, secret, OptionsOf(vector) with { MaxDegreeOfParallelism = 3 });
        Assert.That(info.ToArray(), Is.EqualTo(vector.Bytes));
    }

    [TestCaseSource(nameof(WholeContentV1Vectors))]
    public async Task CreateFromFileAsync_TempFile_EqualsVectorBytes(TestVectors.Vector vector)
    {
        using ServerSecret secret = SecretOf(vector);
        string path = Path.Combine(Path.GetTempPath(), $"pdm-builder-{Guid.NewGuid():N}.bin");
        try
        {
            await File.WriteAllBytesAsync(path, Mod251(vector));
            ContentInformation info = await ContentInformationBuilder.CreateFromFileAsync(path, secret, OptionsOf(vector));
            Assert.That(info.ToArray(), Is.EqualTo(vector.Bytes));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestCaseSource(nameof(WholeContentV1Vectors))]
    public async Task CreateAsync_PipeReaderOverStream_EqualsVectorBytes(TestVectors.Vector vector)
    {
        using ServerSecret secret = SecretOf(vector);
        using Stream stream = ContentPatterns.Mod251Stream(vector.ContentLength!.Value);
        PipeReader reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 65537, minimumReadSize: 4099));
        ContentInformation info = await ContentInformationBuilder.CreateAsync(reader, secret, OptionsOf(vector));
        await reader.CompleteAsync();
        Assert.That(info.ToArray(), Is.EqualTo(vector.Bytes));
    }

    [TestCaseSource(nameof(WholeContentV1Vectors))]
    public async Task CreateAsync_PipeFedInOddPieces_EqualsVectorBytes(TestVectors.Vector vector)
    {
        byte[] content = Mod251(vector);
        using ServerSecret secret = SecretOf(vector);
        ContentInformation info = await CreateThroughPipeAsync(content, secret, OptionsOf(vector));
        Assert.That(info.ToArray(), Is.EqualTo(vector.Bytes));
    }

    [TestCaseSource(nameof(RangeV1Vectors))]
    public async Task Create_RangeVector_EqualsVectorBytes(TestVectors.Vector vector)
    {
        // MS-PCCRC 3.3 / 3.5: the whole content is hashed, only the segments of the range are listed, each block list
        // runs from block 0 to the last block in the range (pccrc.md P7, the project's decision).
        ContentRange range = RangeOf(vector);
        ContentInformationBuilderOptions options = OptionsOf(vector) with { Range = range };
        using ServerSecret secret = SecretOf(vector);
        ContentInformation fromSpan = ContentInformationBuilder.Create(Mod251(vector), secret, options with { MaxDegreeOfParallelism = 1 });
        using Stream stream = ContentPatterns.Mod251Stream(vector.ContentLength!.Value);
        ContentInformation fromStream = await ContentInformationBuilder.CreateAsync(stream, secret, options);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(fromSpan.ToArray(), Is.EqualTo(vector.Bytes));
            Assert.That(fromStream.ToArray(), Is.EqualTo(vector.Bytes));
            Assert.That(fromSpan.Range, Is.EqualTo(range));
        }
    }

    [TestCaseSource(nameof(FullLengthReadBytesV1Vectors))]
    public void Create_VectorWithFullLengthReadBytes_DiffersOnlyInThatField(TestVectors.Vector vector)
    {
        // We write 0 for "the whole last segment" as Windows does (pccrc.md P6); these vectors write its length.
        byte[] content = Mod251(vector);
        using ServerSecret secret = SecretOf(vector);
        byte[] actual = ContentInformationBuilder.Create(content, secret, OptionsOf(vector)).ToArray();
        byte[] expected = (byte[])vector.Bytes.Clone();
        expected.AsSpan(10, 4).Clear(); // MS-PCCRC 2.3: dwReadBytesInLastSegment
        Assert.That(actual, Is.EqualTo(expected));
    }

    [TestCaseSource(nameof(WholeContentV1Vectors))]
    public void Create_WholeContentVector_ModelMatchesJson(TestVectors.Vector vector)
    {
        using ServerSecret secret = SecretOf(vector);
        ContentInformation info = ContentInformationBuilder.Create(Mod251(vector), secret, OptionsOf(vector));
        var expected = vector.Json.GetProperty("segments").EnumerateArray().ToList();
        Assert.That(info.Segments, Has.Count.EqualTo(expected.Count));
        for (int i = 0; i < expected.Count; i++)
        {
            ContentSegment segment = info.Segments[i];
            using (Assert.EnterMultipleScope())
            {
                Assert.That(segment.Offset, Is.EqualTo(expected[i].GetProperty("offset").GetInt64()));
                Assert.That(segment.Length, Is.EqualTo(expected[i].GetProperty("length").GetInt32()));
                Assert.That(segment.ListedBlockCount, Is.EqualTo(expected[i].GetProperty("blockCount").GetInt32()));
                Assert.That(Convert.ToHexStringLower(segment.HashOfData.Span), Is.EqualTo(expected[i].GetProperty("hod").GetString()));
                Assert.That(Convert.ToHexStringLower(segment.SegmentSecret.Span), Is.EqualTo(expected[i].GetProperty("kp").GetString()));
                Assert.That(Convert.ToHexStringLower(segment.SegmentId.Span), Is.EqualTo(expected[i].GetProperty("segmentId").GetString()));
            }
        }
    }

    [TestCaseSource(nameof(SmallWholeContentV1Vectors))]
    public void ToString_GeneratedContentInformation_NeverShowsKeys(TestVectors.Vector vector)
    {
        using ServerSecret secret = SecretOf(vector);
        ContentInformation info = ContentInformationBuilder.Create(Mod251(vector), secret, OptionsOf(vector));
        string[] texts = [info.ToString()!, .. info.Segments.Select(s => s.ToString())];
        string[] keys = [vector.String("ksHex")!, Convert.ToHexString(SecretKey), .. info.Segments.Select(s => Convert.ToHexStringLower(s.SegmentSecret.Span))];
        foreach (string text in texts)
        {
            foreach (string key in keys)
            {
                Assert.That(text, Does.Not.Contain(key).IgnoreCase);
            }
        }
    }

    // ---- V2 invariants ------------------------------------------------------------------------------------------------

    [TestCase(1)]
    [TestCase(32768)]
    [TestCase(32769)]
    [TestCase(65535)]
    [TestCase(65536)]
    [TestCase(65537)]
    [TestCase(131072)]
    [TestCase(131073)]
    [TestCase(BufferLength - 1)]
    [TestCase(BufferLength)]
    [TestCase(BufferLength + 1)]
    [TestCase(PeerDistConstants.SegmentSize - 1)]
    [TestCase(PeerDistConstants.SegmentSize)]
    [TestCase(PeerDistConstants.SegmentSize + 1)]
    public void Create_V2EdgeLength_SatisfiesInvariants(int length)
    {
        byte[] content = PseudoRandomContent.Create((ulong)length, length);
        using var secret = ServerSecret.FromKey(SecretKey);
        ContentInformation info = ContentInformationBuilder.Create(content, secret, s_v2);
        AssertV2Invariants(info, length, (offset, destination) => content.AsSpan((int)offset, destination.Length).CopyTo(destination), every: 1);
    }

    [Test]
    public void Create_V2Mod251Content_SatisfiesInvariantsWithMaxLengthSegments()
    {
        // The mod-251 pattern defeats the chunker (see ContentDefinedSegmenterTests); the output must still be valid.
        byte[] content = ContentPatterns.Mod251((2 * BufferLength) + 12345);
        using var secret = ServerSecret.FromKey(SecretKey);
        ContentInformation info = ContentInformationBuilder.Create(content, secret, s_v2);
        AssertV2Invariants(info, content.Length, (offset, destination) => content.AsSpan((int)offset, destination.Length).CopyTo(destination), every: 1);
        Assert.That(info.Segments.SkipLast(1).Select(s => s.Length), Is.All.EqualTo(PeerDistConstants.MaxSegmentLengthV2));
    }

    [Test]
    public async Task Create_V2AnyEntryPointOrParallelism_GivesIdenticalBytes()
    {
        byte[] content = PseudoRandomContent.Create(42, (2 * BufferLength) + (BufferLength / 3) + 17);
        using var secret = ServerSecret.FromKey(SecretKey);
        byte[] expected = ContentInformationBuilder.Create(content, secret, s_v2 with { MaxDegreeOfParallelism = 1 }).ToArray();

        var results = new Dictionary<string, byte[]>
        {
            ["parallelism -1"] = ContentInformationBuilder.Create(content, secret, s_v2).ToArray(),
            ["parallelism 3"] = ContentInformationBuilder.Create(content, secret, s_v2 with { MaxDegreeOfParallelism = 3 }).ToArray(),
        };
        using (var builder = new ContentInformationBuilder(secret, s_v2))
        {
            AppendInPieces(builder, content, s_oddPieces);
            results["odd appends"] = builder.Complete().ToArray();
        }

        foreach (int parallelism in new[] { 1, -1 })
        {
            ContentInformationBuilderOptions options = s_v2 with { MaxDegreeOfParallelism = parallelism };
            results[$"memory, parallelism {parallelism}"] = ContentInformationBuilder.Create((ReadOnlyMemory<byte>)content, secret, options).ToArray();
            using var builder = new ContentInformationBuilder(secret, options);
            AppendInPieces(builder, content, s_oddPieces, mixMemory: true);
            results[$"mixed appends, parallelism {parallelism}"] = builder.Complete().ToArray();
        }

        using (var stream = new ShortReadStream(new MemoryStream(content, writable: false), [1, 65537, 7, (3 << 20) + 1]))
        {
            results["short reads"] = (await ContentInformationBuilder.CreateAsync(stream, secret, s_v2 with { MaxDegreeOfParallelism = 3 })).ToArray();
        }

        results["pipe"] = (await CreateThroughPipeAsync(content, secret, s_v2)).ToArray();
        foreach ((string how, byte[] actual) in results)
        {
            Assert.That(actual, Is.EqualTo(expected), how);
        }

        AssertV2Invariants(ContentInformation.Parse(expected), content.Length, (offset, destination) => content.AsSpan((int)offset, destination.Length).CopyTo(destination), every: 1);
    }

    [Test]
    public void Append_V2OneByteAtATime_GivesIdenticalBytes()
    {
        byte[] content = PseudoRandomContent.Create(43, 384 * 1024);
        using var secret = ServerSecret.FromKey(SecretKey);
        byte[] expected = ContentInformationBuilder.Create(content, secret, s_v2).ToArray();
        using var builder = new ContentInformationBuilder(secret, s_v2);
        foreach (byte value in content)
        {
            builder.Append([value]);
        }

        Assert.That(builder.Complete().ToArray(), Is.EqualTo(expected));
    }

    [TestCase(ContentInformationVersion.V1, 1)]
    [TestCase(ContentInformationVersion.V1, -1)]
    [TestCase(ContentInformationVersion.V2, 1)]
    [TestCase(ContentInformationVersion.V2, -1)]
    public void Append_MemoryReusedAfterReturn_DoesNotChangeTheResult(ContentInformationVersion version, int parallelism)
    {
        // Append(ReadOnlyMemory) promises the memory may be reused once it returns: nothing may still read it later.
        byte[] content = PseudoRandomContent.Create(47, (3 * BufferLength) + 54321);
        using var secret = ServerSecret.FromKey(SecretKey);
        var options = new ContentInformationBuilderOptions { Version = version, MaxDegreeOfParallelism = parallelism };
        byte[] expected = ContentInformationBuilder.Create(content, secret, options).ToArray();
        using var builder = new ContentInformationBuilder(secret, options);
        byte[] scratch = new byte[BufferLength + 777];
        for (int at = 0; at < content.Length;)
        {
            int count = Math.Min(scratch.Length, content.Length - at);
            content.AsSpan(at, count).CopyTo(scratch);
            builder.Append(scratch.AsMemory(0, count));
            scratch.AsSpan().Fill(0xA5);
            at += count;
        }

        Assert.That(builder.Complete().ToArray(), Is.EqualTo(expected));
    }

    [Test]
    public void Create_V2RandomContent_MeanSegmentLengthIsPlausible()
    {
        byte[] content = PseudoRandomContent.Create(44, 48 << 20);
        using var secret = ServerSecret.FromKey(SecretKey);
        ContentInformation info = ContentInformationBuilder.Create(content, secret, s_v2);
        double mean = info.Segments.SkipLast(1).Average(s => s.Length);
        TestContext.Out.WriteLine($"48 MiB random: {info.Segments.Count} segments, mean {mean:F0} bytes ({mean / 1024:F1} KiB)");
        Assert.That(mean, Is.InRange(60 * 1024, 80 * 1024));
    }

    [Test]
    public void Create_V2Range_EqualsRestrictedWholeAndHeaderDescribesIt()
    {
        byte[] content = PseudoRandomContent.Create(45, 1_000_000);
        using var secret = ServerSecret.FromKey(SecretKey);
        ContentInformation whole = ContentInformationBuilder.Create(content, secret, s_v2);
        ContentRange range = ContentRange.FromBounds(whole.Segments[2].Offset + 1000, whole.Segments[5].Offset + 7);
        var restricted = (ContentInformationV2)ContentInformationBuilder.Create(content, secret, s_v2 with { Range = range });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(restricted.ToArray(), Is.EqualTo(whole.Restrict(range).ToArray()));
            Assert.That(restricted.Range, Is.EqualTo(range));
            Assert.That(restricted.StartInContent, Is.EqualTo(whole.Segments[2].Offset)); // MS-PCCRC 2.4 ullStartInContent
            Assert.That(restricted.IndexOfFirstSegment, Is.EqualTo(2));
            Assert.That(restricted.OffsetInFirstSegment, Is.EqualTo(1000));
            Assert.That(restricted.LengthOfRange, Is.EqualTo(range.Length)); // a length, not an end (pccrc.md P12)
            Assert.That(restricted.Segments.Select(s => s.Index), Is.EqualTo(new long[] { 2, 3, 4, 5 }));
            Assert.That(ContentInformation.Parse(restricted.ToArray()).ToArray(), Is.EqualTo(restricted.ToArray()));
        }
    }

    [Test]
    public void Create_V2WithV1HashAlgorithmOption_IgnoresIt()
    {
        byte[] content = PseudoRandomContent.Create(46, 200_000);
        using var secret = ServerSecret.FromKey(SecretKey);
        byte[] expected = ContentInformationBuilder.Create(content, secret, s_v2).ToArray();
        ContentInformation info = ContentInformationBuilder.Create(content, secret, s_v2 with { HashAlgorithm = ContentHashAlgorithm.Sha384 });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(info.HashAlgorithm, Is.EqualTo(ContentHashAlgorithm.Sha512Truncated));
            Assert.That(info.ToArray(), Is.EqualTo(expected));
        }
    }

    [Test]
    public void Create_V2PinnedContent_EqualsIndependentPythonComputation()
    {
        // The first 8 MiB of PseudoRandomContent(20240423), cut by the Python transcription of docs/v2-segmentation.md
        // (111 segments, see ContentDefinedSegmenterTests), HoD/Kp with hashlib/hmac, header and one chunk as MS-PCCRC
        // 2.4 lays them out, secret "no more secrets". Any change to the V2 format changes this digest.
        byte[] content = PseudoRandomContent.Create(20240423, 8 << 20);
        using var secret = ServerSecret.FromKey(SecretKey);
        ContentInformation info = ContentInformationBuilder.Create(content, secret, s_v2);
        byte[] bytes = info.ToArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(bytes, Has.Length.EqualTo(7584));
            Assert.That(Convert.ToHexStringLower(SHA256.HashData(bytes)), Is.EqualTo("539038439fbf0a50c96415b1c81af968b144e6295e6ee155dc7cf8f235c7657e"));
            Assert.That(Convert.ToHexStringLower(info.Segments[0].SegmentId.Span), Is.EqualTo("0e0f23111c3156683a2501d32966bdfd67093f4485f53ce204fec4b5400de6a2"));
        }
    }

    // ---- Misuse and edge cases ------------------------------------------------------------------------------------------

    [TestCase(ContentInformationVersion.V1)]
    [TestCase(ContentInformationVersion.V2)]
    public void Complete_NoContent_ThrowsInvalidOperationException(ContentInformationVersion version)
    {
        // MS-PCCRC 2.3: content has at least one byte (pccrc.md P11).
        using var secret = ServerSecret.FromKey(SecretKey);
        using var builder = new ContentInformationBuilder(secret, new ContentInformationBuilderOptions { Version = version });
        builder.Append([]);
        Assert.That(builder.Complete, Throws.InvalidOperationException);
    }

    [Test]
    public void Create_EmptySpan_ThrowsInvalidOperationException()
    {
        using var secret = ServerSecret.FromKey(SecretKey);
        Assert.That(() => ContentInformationBuilder.Create([], secret), Throws.InvalidOperationException);
    }

    [Test]
    public void CreateAsync_EmptyStream_ThrowsInvalidOperationException()
    {
        using var secret = ServerSecret.FromKey(SecretKey);
        using var stream = new MemoryStream();
        Assert.That(async () => await ContentInformationBuilder.CreateAsync(stream, secret), Throws.InvalidOperationException);
    }

    [Test]
    public void Append_AfterComplete_ThrowsInvalidOperationException()
    {
        using var secret = ServerSecret.FromKey(SecretKey);
        using var builder = new ContentInformationBuilder(secret);
        builder.Append([1, 2, 3]);
        builder.Complete();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => builder.Append([4]), Throws.InvalidOperationException);
            Assert.That(builder.Complete, Throws.InvalidOperationException);
        }
    }

    [Test]
    public void Append_AfterDispose_ThrowsObjectDisposedException()
    {
        using var secret = ServerSecret.FromKey(SecretKey);
        var builder = new ContentInformationBuilder(secret);
        builder.Append(new byte[BufferLength + 10]); // leaves hashing in flight
        builder.Dispose();
        builder.Dispose(); // idempotent
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => builder.Append([4]), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(builder.Complete, Throws.TypeOf<ObjectDisposedException>());
        }
    }

    [Test]
    public void Constructor_DisposedSecret_ThrowsObjectDisposedException()
    {
        var secret = ServerSecret.FromKey(SecretKey);
        secret.Dispose();
        Assert.That(() => new ContentInformationBuilder(secret), Throws.TypeOf<ObjectDisposedException>());
    }

    [Test]
    public void Complete_SecretDisposedAfterConstruction_StillUsesKs()
    {
        // The builder keeps only Ks, so the caller may wipe the secret as soon as the builder exists.
        TestVectors.Vector vector = TestVectors.Load("pccrc/v1", "derived-65537-sha256");
        var secret = ServerSecret.FromKey(SecretKey);
        using var builder = new ContentInformationBuilder(secret);
        secret.Dispose();
        builder.Append(Mod251(vector));
        Assert.That(builder.Complete().ToArray(), Is.EqualTo(vector.Bytes));
    }

    [Test]
    public void Arguments_Null_ThrowArgumentExceptions()
    {
        using var secret = ServerSecret.FromKey(SecretKey);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => new ContentInformationBuilder(null!), Throws.ArgumentNullException);
            Assert.That(() => ContentInformationBuilder.Create([1], null!), Throws.ArgumentNullException);
            Assert.That(async () => await ContentInformationBuilder.CreateAsync((Stream)null!, secret), Throws.ArgumentNullException);
            Assert.That(async () => await ContentInformationBuilder.CreateAsync((PipeReader)null!, secret), Throws.ArgumentNullException);
            Assert.That(async () => await ContentInformationBuilder.CreateFromFileAsync(string.Empty, secret), Throws.ArgumentException);
            Assert.That(async () => await ContentInformationBuilder.CreateFromFileAsync(Path.Combine(Path.GetTempPath(), $"pdm-missing-{Guid.NewGuid():N}"), secret), Throws.InstanceOf<FileNotFoundException>());
        }
    }

    public static IEnumerable<TestCaseData> InvalidOptions()
    {
        yield return new TestCaseData(new ContentInformationBuilderOptions { HashAlgorithm = ContentHashAlgorithm.Sha512Truncated }).SetArgDisplayNames("V1 with Sha512Truncated");
        yield return new TestCaseData(new ContentInformationBuilderOptions { HashAlgorithm = (ContentHashAlgorithm)0x800B }).SetArgDisplayNames("V1 with 0x800B");
        yield return new TestCaseData(new ContentInformationBuilderOptions { Version = (ContentInformationVersion)3 }).SetArgDisplayNames("version 3");
        yield return new TestCaseData(new ContentInformationBuilderOptions { Version = 0 }).SetArgDisplayNames("version 0");
        yield return new TestCaseData(new ContentInformationBuilderOptions { MaxDegreeOfParallelism = 0 }).SetArgDisplayNames("parallelism 0");
        yield return new TestCaseData(new ContentInformationBuilderOptions { MaxDegreeOfParallelism = -2 }).SetArgDisplayNames("parallelism -2");
        yield return new TestCaseData(new ContentInformationBuilderOptions { MaxDegreeOfParallelism = int.MinValue }).SetArgDisplayNames("parallelism MinValue");
        yield return new TestCaseData(new ContentInformationBuilderOptions { Range = new ContentRange(-1, 10) }).SetArgDisplayNames("range start -1");
        yield return new TestCaseData(new ContentInformationBuilderOptions { Range = new ContentRange(10, -1) }).SetArgDisplayNames("range length -1");
        yield return new TestCaseData(new ContentInformationBuilderOptions { Range = new ContentRange(10, 0) }).SetArgDisplayNames("range empty");
        yield return new TestCaseData(new ContentInformationBuilderOptions { Range = new ContentRange(long.MaxValue, 1) }).SetArgDisplayNames("range end overflows");
        yield return new TestCaseData(new ContentInformationBuilderOptions { Version = ContentInformationVersion.V2, Range = new ContentRange(-5, 10) }).SetArgDisplayNames("V2 range start -5");
    }

    [TestCaseSource(nameof(InvalidOptions))]
    public void Constructor_InvalidOptions_ThrowsArgumentOutOfRangeException(ContentInformationBuilderOptions options)
    {
        using var secret = ServerSecret.FromKey(SecretKey);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => new ContentInformationBuilder(secret, options), Throws.TypeOf<ArgumentOutOfRangeException>());
            Assert.That(() => ContentInformationBuilder.Create([1, 2, 3], secret, options), Throws.TypeOf<ArgumentOutOfRangeException>());
            Assert.That(async () => await ContentInformationBuilder.CreateAsync(new MemoryStream([1, 2, 3]), secret, options), Throws.TypeOf<ArgumentOutOfRangeException>());
        }
    }

    [TestCase(ContentInformationVersion.V1, ContentHashAlgorithm.Sha384, 1)]
    [TestCase(ContentInformationVersion.V1, ContentHashAlgorithm.Sha512, 64)]
    [TestCase(ContentInformationVersion.V2, ContentHashAlgorithm.Sha256, -1)]
    public void Constructor_ValidOptions_DoesNotThrow(ContentInformationVersion version, ContentHashAlgorithm algorithm, int parallelism)
    {
        using var secret = ServerSecret.FromKey(SecretKey);
        var options = new ContentInformationBuilderOptions { Version = version, HashAlgorithm = algorithm, MaxDegreeOfParallelism = parallelism };
        Assert.That(() => new ContentInformationBuilder(secret, options).Dispose(), Throws.Nothing);
    }

    [TestCase(ContentInformationVersion.V1, 0, 100_001)]
    [TestCase(ContentInformationVersion.V1, 100_000, 1)]
    [TestCase(ContentInformationVersion.V1, 200_000, 5)]
    [TestCase(ContentInformationVersion.V2, 99_999, 2)]
    [TestCase(ContentInformationVersion.V2, 0, long.MaxValue)]
    public void Complete_RangePastTheContent_ThrowsInvalidOperationException(ContentInformationVersion version, long start, long length)
    {
        using var secret = ServerSecret.FromKey(SecretKey);
        var options = new ContentInformationBuilderOptions { Version = version, Range = new ContentRange(start, length) };
        using var builder = new ContentInformationBuilder(secret, options);
        builder.Append(PseudoRandomContent.Create(1, 100_000));
        Assert.That(builder.Complete, Throws.InvalidOperationException);
    }

    [TestCase(ContentInformationVersion.V1)]
    [TestCase(ContentInformationVersion.V2)]
    public void Complete_RangeOfTheWholeContent_EqualsNoRange(ContentInformationVersion version)
    {
        byte[] content = PseudoRandomContent.Create(2, 300_000);
        using var secret = ServerSecret.FromKey(SecretKey);
        var options = new ContentInformationBuilderOptions { Version = version };
        byte[] expected = ContentInformationBuilder.Create(content, secret, options).ToArray();
        byte[] actual = ContentInformationBuilder.Create(content, secret, options with { Range = new ContentRange(0, content.Length) }).ToArray();
        Assert.That(actual, Is.EqualTo(expected));
    }

    [Test]
    public async Task CreateAsync_Progress_IsMonotonicAndEndsAtContentLength()
    {
        const long Length = (2L * BufferLength) + 99_999;
        using var secret = ServerSecret.FromKey(SecretKey);
        var fromStream = new RecordingProgress();
        using (var stream = new ShortReadStream(ContentPatterns.Mod251Stream(Length), [1, 65537, 7, 1 << 20]))
        {
            await ContentInformationBuilder.CreateAsync(stream, secret, progress: fromStream);
        }

        var fromPipe = new RecordingProgress();
        using (Stream stream = ContentPatterns.Mod251Stream(Length))
        {
            PipeReader reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 300_007));
            await ContentInformationBuilder.CreateAsync(reader, secret, s_v2, fromPipe);
            await reader.CompleteAsync();
        }

        foreach (RecordingProgress progress in new[] { fromStream, fromPipe })
        {
            using (Assert.EnterMultipleScope())
            {
                Assert.That(progress.Values, Has.Count.GreaterThan(3));
                Assert.That(progress.Values, Is.Ordered.Ascending);
                Assert.That(progress.Values[^1], Is.EqualTo(Length));
            }
        }
    }

    [Test]
    public async Task CreateFromFileAsync_Progress_EndsAtFileLength()
    {
        const int Length = BufferLength + 4321;
        using var secret = ServerSecret.FromKey(SecretKey);
        string path = Path.Combine(Path.GetTempPath(), $"pdm-builder-{Guid.NewGuid():N}.bin");
        try
        {
            await File.WriteAllBytesAsync(path, ContentPatterns.Mod251(Length));
            var progress = new RecordingProgress();
            await ContentInformationBuilder.CreateFromFileAsync(path, secret, progress: progress);
            Assert.That(progress.Values, Is.Ordered.Ascending.And.Not.Empty);
            Assert.That(progress.Values[^1], Is.EqualTo(Length));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    [CancelAfter(10_000)]
    public void CreateAsync_TokenCancelledMidStream_ThrowsOperationCanceledPromptly(CancellationToken testToken)
    {
        using var secret = ServerSecret.FromKey(SecretKey);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(testToken);
        using var stream = new CancellingStream(ContentPatterns.Mod251Stream(long.MaxValue), cancelAfterBytes: 3L * BufferLength, cancellation);
        Assert.That(async () => await ContentInformationBuilder.CreateAsync(stream, secret, cancellationToken: cancellation.Token), Throws.InstanceOf<OperationCanceledException>());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(testToken.IsCancellationRequested, Is.False, "the builder ran until the test's own deadline");
            Assert.That(stream.ReadsAfterCancel, Is.LessThanOrEqualTo(1));
        }
    }

    [Test]
    [CancelAfter(10_000)]
    public void CreateAsync_PipeReaderTokenCancelledMidStream_ThrowsOperationCanceled(CancellationToken testToken)
    {
        using var secret = ServerSecret.FromKey(SecretKey);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(testToken);
        using var stream = new CancellingStream(ContentPatterns.Mod251Stream(long.MaxValue), cancelAfterBytes: 3L * BufferLength, cancellation);
        PipeReader reader = PipeReader.Create(stream);
        Assert.That(async () => await ContentInformationBuilder.CreateAsync(reader, secret, s_v2, cancellationToken: cancellation.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(testToken.IsCancellationRequested, Is.False, "the builder ran until the test's own deadline");
    }

    [Test]
    public void CreateAsync_TokenAlreadyCancelled_ReadsNothing()
    {
        using var secret = ServerSecret.FromKey(SecretKey);
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        using var stream = new CancellingStream(ContentPatterns.Mod251Stream(1000), cancelAfterBytes: long.MaxValue, cancellation);
        Assert.That(async () => await ContentInformationBuilder.CreateAsync(stream, secret, cancellationToken: cancellation.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(stream.Position, Is.Zero);
    }

    // ---- Helpers shared with ContentInformationBuilderLargeTests ---------------------------------------------------------

    /// <summary>
    /// Checks a whole-content V2 content information against MS-PCCRC 2.4 and our chunker's bounds, recomputing HoD
    /// and Kp with the BCL for every <paramref name="every"/>-th segment (plus the first and last) from <paramref name="fill"/>.
    /// </summary>
    internal static void AssertV2Invariants(ContentInformation info, long contentLength, FillContent fill, int every, IEnumerable<int>? alsoCheck = null)
    {
        byte[] ks = SHA512.HashData(SecretKey)[..32]; // MS-PCCRC 2.5, truncated for V2 (pccrc.md P3)
        var info2 = (ContentInformationV2)info;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(info2.HashAlgorithm, Is.EqualTo(ContentHashAlgorithm.Sha512Truncated));
            Assert.That(info2.Range, Is.EqualTo(new ContentRange(0, contentLength)));
            Assert.That(info2.StartInContent, Is.Zero);
            Assert.That(info2.IndexOfFirstSegment, Is.Zero);
            Assert.That(info2.OffsetInFirstSegment, Is.Zero);
            Assert.That(info2.LengthOfRange, Is.Zero); // whole content, as Windows writes it
            Assert.That(info2.ChunkSegmentCounts, Is.EqualTo(new[] { info2.Segments.Count }));
        }

        var check = new HashSet<int>(alsoCheck ?? []) { 0, info.Segments.Count - 1 };
        long expectedOffset = 0;
        byte[] buffer = new byte[PeerDistConstants.MaxSegmentLengthV2];
        for (int i = 0; i < info.Segments.Count; i++)
        {
            ContentSegment segment = info.Segments[i];
            bool last = i == info.Segments.Count - 1;
            if (segment.Offset != expectedOffset || segment.Index != i || segment.Length < 1 || segment.Length > PeerDistConstants.MaxSegmentLengthV2
                || (!last && segment.Length <= 32 * 1024) || segment.BlockSize != segment.Length || segment.BlockCount != 1)
            {
                Assert.Fail($"segment {i}: index {segment.Index}, offset {segment.Offset} (expected {expectedOffset}), length {segment.Length}, block size {segment.BlockSize}");
            }

            expectedOffset += segment.Length;
            byte[] kp = HMACSHA512.HashData(ks, segment.HashOfData.Span)[..32];
            if (!segment.SegmentSecret.Span.SequenceEqual(kp) || !segment.BlockHashes.Span.SequenceEqual(segment.HashOfData.Span))
            {
                Assert.Fail($"segment {i}: Kp is not HMAC-SHA512(Ks, HoD)[..32], or the block hash is not the HoD");
            }

            if (i % every == 0 || check.Contains(i))
            {
                Span<byte> bytes = buffer.AsSpan(0, segment.Length);
                fill(segment.Offset, bytes);
                byte[] hod = SHA512.HashData(bytes)[..32];
                if (!segment.HashOfData.Span.SequenceEqual(hod))
                {
                    Assert.Fail($"segment {i} at {segment.Offset}: HoD is not SHA-512(segment bytes)[..32]");
                }
            }
        }

        Assert.That(expectedOffset, Is.EqualTo(contentLength));
        byte[] encoded = info.ToArray();
        ContentInformation parsed = ContentInformation.Parse(encoded);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(parsed.Version, Is.EqualTo(ContentInformationVersion.V2));
            Assert.That(parsed.Range, Is.EqualTo(info.Range));
            Assert.That(parsed.Segments, Has.Count.EqualTo(info.Segments.Count));
            Assert.That(parsed.ToArray(), Is.EqualTo(encoded));
            Assert.That(parsed.Segments[^1].SegmentId.ToArray(), Is.EqualTo(info.Segments[^1].SegmentId.ToArray()));
        }
    }

    internal delegate void FillContent(long offset, Span<byte> destination);

    private static IEnumerable<TestCaseData> V1Vectors(Func<TestVectors.Vector, bool> include) =>
        TestVectors.Names("pccrc/v1")
            .Select(name => TestVectors.Load("pccrc/v1", name))
            .Where(v => v.ContentLength is not null && include(v))
            .Select(v => new TestCaseData(v).SetArgDisplayNames(v.Name));

    private static bool IsWholeContent(TestVectors.Vector vector) =>
        vector.Json.GetProperty("range").GetProperty("start").GetInt64() == 0
        && vector.Json.GetProperty("range").GetProperty("end").GetInt64() == vector.ContentLength
        && vector.Json.GetProperty("v1Header").GetProperty("offsetInFirstSegment").GetInt64() == 0;

    private static long ReadBytesInLastSegment(TestVectors.Vector vector) =>
        vector.Json.GetProperty("v1Header").GetProperty("readBytesInLastSegment").GetInt64();

    private static ContentRange RangeOf(TestVectors.Vector vector) => ContentRange.FromBounds(
        vector.Json.GetProperty("range").GetProperty("start").GetInt64(),
        vector.Json.GetProperty("range").GetProperty("end").GetInt64());

    internal static ServerSecret SecretOf(TestVectors.Vector vector) => ServerSecret.FromKey(vector.Hex("serverSecretHex"));

    internal static ContentInformationBuilderOptions OptionsOf(TestVectors.Vector vector) => vector.String("hashAlgorithm") switch
    {
        "sha256" => new ContentInformationBuilderOptions { HashAlgorithm = ContentHashAlgorithm.Sha256 },
        "sha384" => new ContentInformationBuilderOptions { HashAlgorithm = ContentHashAlgorithm.Sha384 },
        "sha512" => new ContentInformationBuilderOptions { HashAlgorithm = ContentHashAlgorithm.Sha512 },
        "sha512-truncated" => s_v2,
        string other => throw new InvalidOperationException($"Unknown hash algorithm {other} in {vector.Name}"),
        null => throw new InvalidOperationException($"No hash algorithm in {vector.Name}"),
    };

    private static byte[] Mod251(TestVectors.Vector vector)
    {
        // Through the tiled stream: much faster than a byte loop in a Debug build.
        byte[] content = new byte[checked((int)vector.ContentLength!.Value)];
        using Stream stream = ContentPatterns.Mod251Stream(content.Length);
        stream.ReadExactly(content);
        return content;
    }

    private static void AppendInPieces(ContentInformationBuilder builder, byte[] content, int[] pieces, bool mixMemory = false)
    {
        for (int at = 0, i = 0; at < content.Length; i++)
        {
            int count = Math.Min(content.Length - at, pieces[i % pieces.Length]);
            if (mixMemory && i % 2 == 1)
            {
                builder.Append(new ReadOnlyMemory<byte>(content, at, count));
            }
            else
            {
                builder.Append(new ReadOnlySpan<byte>(content, at, count));
            }

            at += count;
        }
    }

    private static async Task<ContentInformation> CreateThroughPipeAsync(byte[] content, ServerSecret secret, ContentInformationBuilderOptions options)
    {
        var pipe = new Pipe();
        Task producer = Task.Run(async () =>
        {
            for (int at = 0, i = 0; at < content.Length; i++)
            {
                int count = Math.Min(content.Length - at, s_oddPieces[i % s_oddPieces.Length]);
                await pipe.Writer.WriteAsync(content.AsMemory(at, count));
                at += count;
            }

            await pipe.Writer.CompleteAsync();
        });
        ContentInformation info = await ContentInformationBuilder.CreateAsync(pipe.Reader, secret, options);
        await producer;
        await pipe.Reader.CompleteAsync();
        return info;
    }

    /// <summary>Collects every report on the reporting thread (unlike <see cref="Progress{T}"/>, which posts).</summary>
    private sealed class RecordingProgress : IProgress<long>
    {
        public List<long> Values { get; } = [];

        public void Report(long value) => Values.Add(value);
    }

    /// <summary>Returns at most the next size of a cycle per read, to exercise short reads.</summary>
    internal sealed class ShortReadStream(Stream inner, int[] sizes) : ForwardOnlyStream
    {
        private int _next;

        public override long Position => inner.Position;

        public override int Read(Span<byte> buffer) => inner.Read(buffer[..Math.Min(buffer.Length, sizes[_next++ % sizes.Length])]);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>Cancels a token once enough bytes were read, and counts the reads that come after.</summary>
    private sealed class CancellingStream(Stream inner, long cancelAfterBytes, CancellationTokenSource cancellation) : ForwardOnlyStream
    {
        private long _position;

        public int ReadsAfterCancel { get; private set; }

        public override long Position => _position;

        public override int Read(Span<byte> buffer)
        {
            if (cancellation.IsCancellationRequested)
            {
                ReadsAfterCancel++;
            }

            int read = inner.Read(buffer);
            _position += read;
            if (_position >= cancelAfterBytes && !cancellation.IsCancellationRequested)
            {
                cancellation.Cancel();
            }

            return read;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
