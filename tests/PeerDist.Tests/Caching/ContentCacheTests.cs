using System.Buffers;
using PeerDist.Caching;
using PeerDist.Content;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Caching;

[TestFixtureSource(typeof(CacheKind), nameof(CacheKind.All))]
public sealed class ContentCacheTests(CacheKind kind)
{
    private static readonly TestContent s_v1 = TestContent.Create((9 * PeerDistConstants.BlockSize) + 1234, ContentInformationVersion.V1, seed: 1);
    private static readonly TestContent s_v2 = TestContent.Create(600_000, ContentInformationVersion.V2, seed: 2);

    private FakeTimeProvider _time = null!;
    private List<ContentCache> _caches = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider();
        _caches = [];
    }

    [TearDown]
    public void TearDown()
    {
        foreach (ContentCache cache in _caches)
        {
            cache.Dispose();
        }

        kind.Cleanup();
    }

    [Test]
    public void PutBlock_EveryV1Block_ReadBlockReturnsSameBytes()
    {
        ContentCache cache = CreateCache();
        ContentSegment segment = s_v1.Segments[0];
        Assert.That(cache.RegisterSegment(segment), Is.True);
        for (int i = 0; i < segment.BlockCount; i++)
        {
            Assert.That(cache.PutBlock(segment.SegmentId.Span, i, s_v1.Block(segment, i).Span), Is.EqualTo(BlockPutResult.Stored));
        }

        byte[] buffer = new byte[PeerDistConstants.BlockSize];
        for (int i = 0; i < segment.BlockCount; i++)
        {
            BlockReadResult result = cache.ReadBlock(segment.SegmentId.Span, i, buffer);
            Assert.That(result.Status, Is.EqualTo(BlockReadStatus.Success));
            ByteAssert.AreEqual(buffer.AsSpan(0, result.BytesWritten), s_v1.Block(segment, i).Span, $"block {i}");
        }
    }

    [Test]
    public async Task PutBlockAsync_EveryV2Segment_ReadBlockAsyncReturnsSameBytes()
    {
        ContentCache cache = CreateCache();
        Assert.That(s_v2.Segments, Has.Count.GreaterThan(1));
        foreach (ContentSegment segment in s_v2.Segments)
        {
            Assert.That(await cache.RegisterSegmentAsync(SegmentMetadata.FromSegment(segment)), Is.True);
            Assert.That(await cache.PutBlockAsync(segment.SegmentId, 0, s_v2.Block(segment, 0)), Is.EqualTo(BlockPutResult.Stored));
        }

        byte[] buffer = new byte[PeerDistConstants.MaxSegmentLengthV2];
        foreach (ContentSegment segment in s_v2.Segments)
        {
            BlockReadResult result = await cache.ReadBlockAsync(segment.SegmentId, 0, buffer);
            Assert.That(result.Status, Is.EqualTo(BlockReadStatus.Success));
            ByteAssert.AreEqual(buffer.AsSpan(0, result.BytesWritten), s_v2.Block(segment, 0).Span);
        }
    }

    [Test]
    public void ReadBlock_BufferWriter_WritesExactlyTheBlock()
    {
        ContentCache cache = CreateCache();
        ContentSegment segment = s_v1.Segments[0];
        cache.RegisterSegment(segment);
        int last = segment.BlockCount - 1;
        cache.PutBlock(segment.SegmentId.Span, last, s_v1.Block(segment, last).Span);
        var writer = new ArrayBufferWriter<byte>();

        BlockReadResult result = cache.ReadBlock(segment.SegmentId.Span, last, writer);

        Assert.That(result, Is.EqualTo(new BlockReadResult(BlockReadStatus.Success, 1234)));
        ByteAssert.AreEqual(writer.WrittenSpan, s_v1.Block(segment, last).Span);
    }

    [Test]
    public void ReadBlock_DestinationTooSmall_ReturnsLengthNeeded()
    {
        ContentCache cache = CreateCache();
        ContentSegment segment = s_v1.Segments[0];
        cache.RegisterSegment(segment);
        cache.PutBlock(segment.SegmentId.Span, 0, s_v1.Block(segment, 0).Span);

        BlockReadResult result = cache.ReadBlock(segment.SegmentId.Span, 0, new byte[100]);

        Assert.That(result, Is.EqualTo(new BlockReadResult(BlockReadStatus.DestinationTooSmall, PeerDistConstants.BlockSize)));
    }

    [Test]
    public void PutBlock_CorruptedBlock_ReturnsVerificationFailedAndStoresNothing()
    {
        ContentCache cache = CreateCache();
        ContentSegment segment = s_v1.Segments[0];
        cache.RegisterSegment(segment);
        byte[] corrupted = s_v1.Block(segment, 1).ToArray();
        corrupted[500] ^= 0x01;

        BlockPutResult result = cache.PutBlock(segment.SegmentId.Span, 1, corrupted);

        Assert.That(result, Is.EqualTo(BlockPutResult.VerificationFailed));
        Assert.That(cache.ContainsBlock(segment.SegmentId.Span, 1), Is.False);
        Assert.That(cache.ReadBlock(segment.SegmentId.Span, 1, new byte[PeerDistConstants.BlockSize]).Status, Is.EqualTo(BlockReadStatus.NotFound));
        Assert.That(cache.GetStatistics().RejectedBlocks, Is.EqualTo(1));
    }

    [Test]
    public void PutBlock_CorruptedV2Segment_ReturnsVerificationFailed()
    {
        ContentCache cache = CreateCache();
        ContentSegment segment = s_v2.Segments[0];
        cache.RegisterSegment(segment);
        byte[] corrupted = s_v2.Block(segment, 0).ToArray();
        corrupted[^1] ^= 0x80;

        Assert.That(cache.PutBlock(segment.SegmentId.Span, 0, corrupted), Is.EqualTo(BlockPutResult.VerificationFailed));
        Assert.That(cache.GetStatistics().BlockCount, Is.Zero);
    }

    [Test]
    public void PutBlock_BadRequests_ReturnTypedResults()
    {
        ContentCache cache = CreateCache();
        ContentSegment segment = s_v1.Segments[0];
        ReadOnlySpan<byte> id = segment.SegmentId.Span;

        Assert.That(cache.PutBlock(id, 0, s_v1.Block(segment, 0).Span), Is.EqualTo(BlockPutResult.UnknownSegment));
        cache.RegisterSegment(segment);
        Assert.That(cache.PutBlock(id, segment.BlockCount, new byte[10]), Is.EqualTo(BlockPutResult.BlockIndexOutOfRange));
        Assert.That(cache.PutBlock(id, -1, new byte[10]), Is.EqualTo(BlockPutResult.BlockIndexOutOfRange));
        Assert.That(cache.PutBlock(id, 0, s_v1.Block(segment, 0).Span[..100]), Is.EqualTo(BlockPutResult.WrongLength));
        Assert.That(cache.PutBlock(id, 0, s_v1.Block(segment, 0).Span), Is.EqualTo(BlockPutResult.Stored));
        Assert.That(cache.PutBlock(id, 0, s_v1.Block(segment, 0).Span), Is.EqualTo(BlockPutResult.AlreadyHeld));
    }

    [Test]
    public void PutBlock_MetadataWithoutThatBlockHash_ReturnsHashNotListed()
    {
        ContentCache cache = CreateCache();
        ContentSegment segment = s_v1.Segments[0];
        int digest = segment.HashAlgorithm.GetDigestLength();
        SegmentMetadata partial = SegmentMetadata.Create(
            segment.HashAlgorithm,
            segment.SegmentId.Span,
            segment.HashOfData.Span,
            segment.SegmentSecret.Span,
            segment.Length,
            segment.BlockSize,
            firstListedBlockIndex: 2,
            segment.BlockHashes.Span.Slice(2 * digest, 3 * digest));
        cache.RegisterSegment(partial);

        Assert.That(cache.PutBlock(segment.SegmentId.Span, 1, s_v1.Block(segment, 1).Span), Is.EqualTo(BlockPutResult.HashNotListed));
        Assert.That(cache.PutBlock(segment.SegmentId.Span, 4, s_v1.Block(segment, 4).Span), Is.EqualTo(BlockPutResult.Stored));
        Assert.That(cache.PutBlock(segment.SegmentId.Span, 5, s_v1.Block(segment, 5).Span), Is.EqualTo(BlockPutResult.HashNotListed));
    }

    [Test]
    public void PutEncryptedBlock_Record_TryReadEncryptedBlockReturnsItAndRangesIncludeIt()
    {
        ContentCache cache = CreateCache();
        ContentSegment segment = s_v1.Segments[0];
        cache.RegisterSegment(segment);
        byte[] ciphertext = new byte[PeerDistConstants.BlockSize + 16];
        new Random(5).NextBytes(ciphertext);
        byte[] iv = [.. Enumerable.Range(0, 16).Select(i => (byte)i)];
        cache.PutBlock(segment.SegmentId.Span, 0, s_v1.Block(segment, 0).Span);

        BlockPutResult put = cache.PutEncryptedBlock(segment.SegmentId.Span, 1, new EncryptedBlock(0x00020000, iv, ciphertext));

        Assert.That(put, Is.EqualTo(BlockPutResult.Stored));
        Assert.That(cache.TryReadEncryptedBlock(segment.SegmentId.Span, 1, out EncryptedBlock? record), Is.True);
        Assert.That(record!.CryptoAlgorithmId, Is.EqualTo(0x00020000));
        Assert.That(record.InitializationVector.ToArray(), Is.EqualTo(iv));
        ByteAssert.AreEqual(record.Ciphertext.Span, ciphertext);
        Assert.That(cache.GetHeldBlockRanges(segment.SegmentId.Span), Is.EqualTo(new[] { new BlockIndexRange(0, 2) }));
        Assert.That(cache.ContainsBlock(segment.SegmentId.Span, 1), Is.True);
        Assert.That(cache.ReadBlock(segment.SegmentId.Span, 1, new byte[PeerDistConstants.BlockSize]).Status, Is.EqualTo(BlockReadStatus.NotFound));
        Assert.That(cache.TryReadEncryptedBlock(segment.SegmentId.Span, 0, out _), Is.False);
        Assert.That(cache.GetStatistics().Bytes, Is.EqualTo((2L * PeerDistConstants.BlockSize) + 16));
        Assert.That(cache.PutEncryptedBlock(segment.SegmentId.Span, 1, new EncryptedBlock(0, iv, ciphertext)), Is.EqualTo(BlockPutResult.AlreadyHeld));
    }

    [TestCase(PeerDistConstants.BlockSize - 1)]
    [TestCase(PeerDistConstants.BlockSize + 17)]
    [TestCase(0)]
    public void PutEncryptedBlock_ImplausibleCiphertextLength_ReturnsWrongLength(int length)
    {
        ContentCache cache = CreateCache();
        ContentSegment segment = s_v1.Segments[0];
        cache.RegisterSegment(segment);

        BlockPutResult put = cache.PutEncryptedBlock(segment.SegmentId.Span, 0, new EncryptedBlock(1, new byte[16], new byte[length]));

        Assert.That(put, Is.EqualTo(BlockPutResult.WrongLength));
        Assert.That(cache.GetStatistics().BlockCount, Is.Zero);
    }

    [Test]
    public async Task PutEncryptedBlockAsync_UnknownSegmentOrIndex_ReturnsTypedResult()
    {
        ContentCache cache = CreateCache();
        ContentSegment segment = s_v2.Segments[0];
        byte[] iv = [.. Enumerable.Range(1, 16).Select(i => (byte)i)];
        byte[] ciphertext = [.. Enumerable.Range(0, segment.Length + 5).Select(i => (byte)(i * 7))];
        var record = new EncryptedBlock(1, iv, ciphertext);

        Assert.That(await cache.PutEncryptedBlockAsync(segment.SegmentId, 0, record), Is.EqualTo(BlockPutResult.UnknownSegment));
        cache.RegisterSegment(segment);
        Assert.That(await cache.PutEncryptedBlockAsync(segment.SegmentId, 1, record), Is.EqualTo(BlockPutResult.BlockIndexOutOfRange));
        Assert.That(await cache.PutEncryptedBlockAsync(segment.SegmentId, 0, record), Is.EqualTo(BlockPutResult.Stored));
        EncryptedBlock? stored = await cache.ReadEncryptedBlockAsync(segment.SegmentId, 0);
        Assert.That(stored, Is.Not.Null);
        Assert.That(stored!.CryptoAlgorithmId, Is.EqualTo(record.CryptoAlgorithmId));
        Assert.That(stored.InitializationVector.ToArray(), Is.EqualTo(record.InitializationVector.ToArray()));
        Assert.That(stored.Ciphertext.ToArray(), Is.EqualTo(record.Ciphertext.ToArray()));
    }

    [Test]
    public void RegisterSegment_SameIdentifierTwice_SecondReturnsFalse()
    {
        ContentCache cache = CreateCache();

        Assert.That(cache.RegisterSegment(s_v1.Segments[0]), Is.True);
        Assert.That(cache.RegisterSegment(s_v1.Segments[0]), Is.False);
        Assert.That(cache.TryGetSegment(s_v1.Segments[0].SegmentId.Span, out SegmentMetadata? metadata), Is.True);
        Assert.That(metadata!.BlockCount, Is.EqualTo(10));
        Assert.That(metadata.Version, Is.EqualTo(ContentInformationVersion.V1));
        Assert.That(metadata.HasSegmentSecret, Is.True);
    }

    [Test]
    public void GetHeldBlockRanges_SparseBlocks_ReturnsSortedRuns()
    {
        ContentCache cache = CreateCache();
        ContentSegment segment = s_v1.Segments[0];
        cache.RegisterSegment(segment);
        foreach (int i in new[] { 9, 0, 5, 1, 8, 2, 7 })
        {
            cache.PutBlock(segment.SegmentId.Span, i, s_v1.Block(segment, i).Span);
        }

        IReadOnlyList<BlockIndexRange> ranges = cache.GetHeldBlockRanges(segment.SegmentId.Span);

        Assert.That(ranges, Is.EqualTo(new[] { new BlockIndexRange(0, 3), new BlockIndexRange(5, 1), new BlockIndexRange(7, 3) }));
    }

    [TestCase(0, 0)]
    [TestCase(1, 1)]
    [TestCase(3, 5)]
    [TestCase(6, 7)]
    [TestCase(9, 9)]
    [TestCase(10, -1)]
    [TestCase(511, -1)]
    public void FindHeldBlock_SparseBlocksIncludingEncryptedRecord_ReturnsFirstAtOrAfterStart(int start, int expected)
    {
        ContentCache cache = CreateCache();
        ContentSegment segment = s_v1.Segments[0];
        cache.RegisterSegment(segment);
        foreach (int i in new[] { 0, 1, 5, 9 })
        {
            cache.PutBlock(segment.SegmentId.Span, i, s_v1.Block(segment, i).Span);
        }

        // Block 7 held only as an encrypted record (a hosted cache's form) counts as held too.
        byte[] ciphertext = new byte[PeerDistConstants.BlockSize + 16];
        Assert.That(cache.PutEncryptedBlock(segment.SegmentId.Span, 7, new EncryptedBlock(1, new byte[16], ciphertext)), Is.EqualTo(BlockPutResult.Stored));

        Assert.That(cache.FindHeldBlock(segment.SegmentId.Span, start), Is.EqualTo(expected));
    }

    [Test]
    public void FindHeldBlock_UnknownSegment_ReturnsMinusOne()
    {
        ContentCache cache = CreateCache();

        Assert.That(cache.FindHeldBlock(new byte[32], 0), Is.EqualTo(-1));
    }

    [Test]
    public void TryGetSegmentAge_AfterTimePasses_CountsFromRegistrationNotFromLastAccess()
    {
        ContentCache cache = CreateCache();
        ContentSegment segment = s_v1.Segments[0];
        Assert.That(cache.TryGetSegmentAge(segment.SegmentId.Span, out _), Is.False);
        cache.RegisterSegment(segment);
        _time.Advance(TimeSpan.FromMinutes(5));
        cache.PutBlock(segment.SegmentId.Span, 0, s_v1.Block(segment, 0).Span);
        Assert.That(cache.ReadBlock(segment.SegmentId.Span, 0, new byte[PeerDistConstants.BlockSize]).IsSuccess, Is.True);
        _time.Advance(TimeSpan.FromMinutes(2));

        Assert.That(cache.TryGetSegmentAge(segment.SegmentId.Span, out TimeSpan age), Is.True);
        Assert.That(age, Is.EqualTo(TimeSpan.FromMinutes(7)));
    }

    [Test]
    public void GetHeldBlockRanges_UnknownSegment_ReturnsEmpty()
    {
        ContentCache cache = CreateCache();

        Assert.That(cache.GetHeldBlockRanges(new byte[32]), Is.Empty);
    }

    [Test]
    public void PutBlock_OverCapacity_EvictsLeastRecentlyUsedSegment()
    {
        ContentSegment a = s_v2.Segments[0];
        ContentSegment b = s_v2.Segments[1];
        ContentSegment c = s_v2.Segments[2];
        ContentCache cache = CreateCache(maxSizeBytes: a.Length + b.Length + c.Length - 1);
        foreach (ContentSegment segment in new[] { a, b, c })
        {
            cache.RegisterSegment(segment);
        }

        Put(cache, a);
        Put(cache, b);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(cache.ReadBlock(a.SegmentId.Span, 0, new byte[a.Length]).IsSuccess, Is.True);
        Put(cache, c);

        Assert.That(cache.ContainsBlock(a.SegmentId.Span, 0), Is.True);
        Assert.That(cache.TryGetSegment(b.SegmentId.Span, out _), Is.False);
        Assert.That(cache.ContainsBlock(c.SegmentId.Span, 0), Is.True);
        ContentCacheStatistics statistics = cache.GetStatistics();
        Assert.That(statistics.Evictions, Is.EqualTo(1));
        Assert.That(statistics.Bytes, Is.EqualTo(a.Length + c.Length));
        Assert.That(statistics.Bytes, Is.LessThanOrEqualTo(statistics.CapacityBytes));
    }

    [Test]
    public void PutBlock_ManySegmentsUnderSmallCap_NeverExceedsCap()
    {
        long cap = 2L * PeerDistConstants.MaxSegmentLengthV2;
        ContentCache cache = CreateCache(maxSizeBytes: cap);
        foreach (ContentSegment segment in s_v2.Segments)
        {
            cache.RegisterSegment(segment);
            Put(cache, segment);
            Assert.That(cache.GetStatistics().Bytes, Is.LessThanOrEqualTo(cap));
        }

        Assert.That(cache.ContainsBlock(s_v2.Segments[^1].SegmentId.Span, 0), Is.True);
        Assert.That(cache.GetStatistics().Evictions, Is.GreaterThan(0));
    }

    [Test]
    public void ReadBlock_AfterMaxAge_ReturnsNotFoundAndCountsExpiration()
    {
        ContentCache cache = CreateCache();
        ContentSegment segment = s_v2.Segments[0];
        cache.RegisterSegment(segment);
        Put(cache, segment);

        _time.Advance(TimeSpan.FromDays(28) + TimeSpan.FromSeconds(1));
        BlockReadResult result = cache.ReadBlock(segment.SegmentId.Span, 0, new byte[segment.Length]);

        Assert.That(result.Status, Is.EqualTo(BlockReadStatus.NotFound));
        ContentCacheStatistics statistics = cache.GetStatistics();
        Assert.That(statistics.Expirations, Is.EqualTo(1));
        Assert.That(statistics.SegmentCount, Is.Zero);
        Assert.That(statistics.Bytes, Is.Zero);
    }

    [Test]
    public void ReadBlock_AccessedWithinMaxAge_StaysCached()
    {
        ContentCache cache = CreateCache();
        ContentSegment segment = s_v2.Segments[0];
        cache.RegisterSegment(segment);
        Put(cache, segment);

        for (int i = 0; i < 3; i++)
        {
            _time.Advance(TimeSpan.FromDays(20));
            Assert.That(cache.ReadBlock(segment.SegmentId.Span, 0, new byte[segment.Length]).IsSuccess, Is.True, $"read {i}");
        }
    }

    [Test]
    public async Task TrimAsync_SomeSegmentsExpired_RemovesOnlyThose()
    {
        ContentCache cache = CreateCache();
        ContentSegment old = s_v2.Segments[0];
        ContentSegment fresh = s_v2.Segments[1];
        cache.RegisterSegment(old);
        cache.RegisterSegment(fresh);
        Put(cache, old);
        Put(cache, fresh);
        _time.Advance(TimeSpan.FromDays(20));
        cache.ReadBlock(fresh.SegmentId.Span, 0, new byte[fresh.Length]);
        _time.Advance(TimeSpan.FromDays(10));

        int removed = await cache.TrimAsync();

        Assert.That(removed, Is.EqualTo(1));
        ContentCacheStatistics statistics = cache.GetStatistics();
        Assert.That(statistics.SegmentCount, Is.EqualTo(1));
        Assert.That(statistics.Expirations, Is.EqualTo(1));
        Assert.That(cache.ContainsBlock(fresh.SegmentId.Span, 0), Is.True);
    }

    [Test]
    public void RemoveSegment_Registered_RemovesItsBlocks()
    {
        ContentCache cache = CreateCache();
        ContentSegment segment = s_v2.Segments[0];
        cache.RegisterSegment(segment);
        Put(cache, segment);

        Assert.That(cache.RemoveSegment(segment.SegmentId.Span), Is.True);
        Assert.That(cache.RemoveSegment(segment.SegmentId.Span), Is.False);
        Assert.That(cache.ReadBlock(segment.SegmentId.Span, 0, new byte[segment.Length]).Status, Is.EqualTo(BlockReadStatus.NotFound));
        Assert.That(cache.GetStatistics().Bytes, Is.Zero);
        Assert.That(cache.GetStatistics().SegmentCount, Is.Zero);
    }

    [Test]
    public void GetStatistics_AfterPutsAndReads_CountsEverything()
    {
        ContentCache cache = CreateCache();
        ContentSegment segment = s_v1.Segments[0];
        cache.RegisterSegment(segment);
        for (int i = 0; i < 4; i++)
        {
            cache.PutBlock(segment.SegmentId.Span, i, s_v1.Block(segment, i).Span);
        }

        cache.PutBlock(segment.SegmentId.Span, 4, new byte[PeerDistConstants.BlockSize]);
        byte[] buffer = new byte[PeerDistConstants.BlockSize];
        cache.ReadBlock(segment.SegmentId.Span, 0, buffer);
        cache.ReadBlock(segment.SegmentId.Span, 3, buffer);
        cache.ReadBlock(segment.SegmentId.Span, 4, buffer);
        cache.ReadBlock(new byte[32], 0, buffer);

        Assert.That(cache.GetStatistics(), Is.EqualTo(new ContentCacheStatistics
        {
            SegmentCount = 1,
            BlockCount = 4,
            Bytes = 4L * PeerDistConstants.BlockSize,
            CapacityBytes = cache.CapacityBytes,
            Hits = 2,
            Misses = 2,
            RejectedBlocks = 1,
        }));
    }

    [TestCase(0)]
    [TestCase(16)]
    [TestCase(31)]
    [TestCase(33)]
    [TestCase(47)]
    [TestCase(63)]
    [TestCase(65)]
    [TestCase(128)]
    public void Operations_SegmentIdWithWrongLength_ThrowArgumentException(int length)
    {
        ContentCache cache = CreateCache();

        Assert.Multiple(() =>
        {
            Assert.That(() => cache.ReadBlock(new byte[length], 0, new byte[16]), Throws.ArgumentException);
            Assert.That(() => cache.PutBlock(new byte[length], 0, new byte[16]), Throws.ArgumentException);
            Assert.That(() => cache.GetHeldBlockRanges(new byte[length]), Throws.ArgumentException);
            Assert.That(() => cache.TryGetSegment(new byte[length], out _), Throws.ArgumentException);
            Assert.That(() => cache.ContainsBlock(new byte[length], 0), Throws.ArgumentException);
            Assert.That(() => cache.RemoveSegment(new byte[length]), Throws.ArgumentException);
        });
    }

    [Test]
    public async Task PutAndReadBlock_ManyConcurrentTasks_EveryReadIsWholeAndCorrect()
    {
        ContentCache cache = CreateCache();
        ContentSegment[] segments = [.. s_v2.Segments, s_v1.Segments[0]];
        const int Iterations = 100;
        int failures = 0;

        Task[] tasks = Enumerable.Range(0, 16).Select(t => Task.Run(() =>
        {
            byte[] buffer = new byte[PeerDistConstants.MaxSegmentLengthV2];
            var random = new Random(t);
            for (int n = 0; n < Iterations; n++)
            {
                ContentSegment segment = segments[random.Next(segments.Length)];
                TestContent content = segment.HashAlgorithm == ContentHashAlgorithm.Sha512Truncated ? s_v2 : s_v1;
                int block = random.Next(segment.BlockCount);
                cache.RegisterSegment(segment);
                BlockPutResult put = cache.PutBlock(segment.SegmentId.Span, block, content.Block(segment, block).Span);
                if (put is not (BlockPutResult.Stored or BlockPutResult.AlreadyHeld))
                {
                    Interlocked.Increment(ref failures);
                }

                BlockReadResult read = cache.ReadBlock(segment.SegmentId.Span, block, buffer);
                if (!read.IsSuccess || !buffer.AsSpan(0, read.BytesWritten).SequenceEqual(content.Block(segment, block).Span))
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToArray();
        await Task.WhenAll(tasks);

        Assert.That(failures, Is.Zero);
        ContentCacheStatistics statistics = cache.GetStatistics();
        Assert.That(statistics.SegmentCount, Is.EqualTo(segments.Length));
        Assert.That(statistics.Hits, Is.EqualTo(16 * Iterations));
    }

    [Test]
    public async Task PutBlock_ConcurrentWithEvictionUnderTinyCap_StaysConsistent()
    {
        long cap = 3L * PeerDistConstants.MaxSegmentLengthV2;
        ContentCache cache = CreateCache(maxSizeBytes: cap);
        IReadOnlyList<ContentSegment> segments = s_v2.Segments;
        int corrupt = 0;

        Task[] tasks = Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            byte[] buffer = new byte[PeerDistConstants.MaxSegmentLengthV2];
            var random = new Random(100 + t);
            for (int n = 0; n < 40; n++)
            {
                ContentSegment segment = segments[random.Next(segments.Count)];
                cache.RegisterSegment(segment);
                cache.PutBlock(segment.SegmentId.Span, 0, s_v2.Block(segment, 0).Span);
                BlockReadResult read = cache.ReadBlock(segment.SegmentId.Span, 0, buffer);
                if (read.IsSuccess && !buffer.AsSpan(0, read.BytesWritten).SequenceEqual(s_v2.Block(segment, 0).Span))
                {
                    Interlocked.Increment(ref corrupt);
                }
            }
        })).ToArray();
        await Task.WhenAll(tasks);

        Assert.That(corrupt, Is.Zero);
        ContentCacheStatistics statistics = cache.GetStatistics();
        Assert.That(statistics.Bytes, Is.LessThanOrEqualTo(cap));
        long held = segments.Where(s => cache.ContainsBlock(s.SegmentId.Span, 0)).Sum(s => (long)s.Length);
        Assert.That(statistics.Bytes, Is.EqualTo(held));
    }

    [Test]
    public void Operations_AfterDispose_ThrowObjectDisposedException()
    {
        ContentCache cache = CreateCache();
        cache.Dispose();

        Assert.That(() => cache.ReadBlock(new byte[32], 0, new byte[16]), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(() => cache.RegisterSegment(s_v1.Segments[0]), Throws.TypeOf<ObjectDisposedException>());
    }

    private static void Put(ContentCache cache, ContentSegment segment) =>
        Assert.That(cache.PutBlock(segment.SegmentId.Span, 0, s_v2.Block(segment, 0).Span), Is.EqualTo(BlockPutResult.Stored));

    private ContentCache CreateCache(long maxSizeBytes = 64L * 1024 * 1024)
    {
        ContentCache cache = kind.Create(kind.CreateOptions(_time, maxSizeBytes));
        _caches.Add(cache);
        return cache;
    }
}
