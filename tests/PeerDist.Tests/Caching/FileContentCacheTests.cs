using PeerDist.Caching;
using PeerDist.Content;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Caching;

public sealed class FileContentCacheTests
{
    private static readonly TestContent s_v1 = TestContent.Create((4 * PeerDistConstants.BlockSize) + 77, ContentInformationVersion.V1, seed: 11);
    private static readonly TestContent s_v2 = TestContent.Create(300_000, ContentInformationVersion.V2, seed: 12);

    private TempDirectory _directory = null!;
    private FakeTimeProvider _time = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = new TempDirectory();
        _time = new FakeTimeProvider();
    }

    [TearDown]
    public void TearDown() => _directory.Dispose();

    [Test]
    public void Constructor_MissingNestedDirectoryWithSizeCap_CreatesItAndHoldsBlocks()
    {
        string root = Path.Combine(_directory.Path, "not", "there", "yet");
        ContentSegment segment = s_v2.Segments[0];
        using (var cache = new FileContentCache(new ContentCacheOptions { RootPath = root, MaxSizeBytes = 1L << 20 }))
        {
            cache.RegisterSegment(segment);
            cache.PutBlock(segment.SegmentId.Span, 0, s_v2.Block(segment, 0).Span);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(File.Exists(Path.Combine(root, "cache.lock")), Is.True);
            Assert.That(Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Count(), Is.GreaterThan(1), "the block was written under the new directory");
        }
    }

    [Test]
    public void Constructor_AfterRestart_KeepsSegmentsAndBlocks()
    {
        ContentSegment v1 = s_v1.Segments[0];
        using (FileContentCache cache = Open())
        {
            cache.RegisterSegment(v1);
            cache.PutBlock(v1.SegmentId.Span, 1, s_v1.Block(v1, 1).Span);
            cache.PutBlock(v1.SegmentId.Span, 4, s_v1.Block(v1, 4).Span);
            foreach (ContentSegment segment in s_v2.Segments)
            {
                cache.RegisterSegment(segment);
                cache.PutBlock(segment.SegmentId.Span, 0, s_v2.Block(segment, 0).Span);
            }
        }

        using FileContentCache reopened = Open();
        Assert.That(reopened.GetHeldBlockRanges(v1.SegmentId.Span), Is.EqualTo(new[] { new BlockIndexRange(1, 1), new BlockIndexRange(4, 1) }));
        Assert.That(reopened.TryGetSegment(v1.SegmentId.Span, out SegmentMetadata? metadata), Is.True);
        Assert.That(metadata!.SegmentSecret.ToArray(), Is.EqualTo(v1.SegmentSecret.ToArray()));
        byte[] buffer = new byte[PeerDistConstants.MaxSegmentLengthV2];
        BlockReadResult read = reopened.ReadBlock(v1.SegmentId.Span, 4, buffer);
        Assert.That(read.Status, Is.EqualTo(BlockReadStatus.Success));
        ByteAssert.AreEqual(buffer.AsSpan(0, read.BytesWritten), s_v1.Block(v1, 4).Span);
        foreach (ContentSegment segment in s_v2.Segments)
        {
            read = reopened.ReadBlock(segment.SegmentId.Span, 0, buffer);
            ByteAssert.AreEqual(buffer.AsSpan(0, read.BytesWritten), s_v2.Block(segment, 0).Span);
        }

        Assert.That(reopened.GetStatistics().SegmentCount, Is.EqualTo(1 + s_v2.Segments.Count));
        Assert.That(reopened.GetStatistics().BlockCount, Is.EqualTo(2 + s_v2.Segments.Count));
    }

    [Test]
    public void ReadBlock_BlockFileCorruptedWhileRunning_NotServedAndDiscarded()
    {
        ContentSegment segment = s_v1.Segments[0];
        using FileContentCache cache = Open();
        cache.RegisterSegment(segment);
        cache.PutBlock(segment.SegmentId.Span, 2, s_v1.Block(segment, 2).Span);
        FlipByte(BlockPath(segment, 2), 1000);

        BlockReadResult result = cache.ReadBlock(segment.SegmentId.Span, 2, new byte[PeerDistConstants.BlockSize]);

        Assert.That(result.Status, Is.EqualTo(BlockReadStatus.NotFound));
        Assert.That(cache.ContainsBlock(segment.SegmentId.Span, 2), Is.False);
        Assert.That(File.Exists(BlockPath(segment, 2)), Is.False);
        Assert.That(cache.GetStatistics().DamagedBlocks, Is.EqualTo(1));
        Assert.That(cache.PutBlock(segment.SegmentId.Span, 2, s_v1.Block(segment, 2).Span), Is.EqualTo(BlockPutResult.Stored));
    }

    [Test]
    public void Constructor_BlockFileCorruptedWhileClosed_NotServedAfterRestart()
    {
        ContentSegment segment = s_v2.Segments[0];
        using (FileContentCache cache = Open())
        {
            cache.RegisterSegment(segment);
            cache.PutBlock(segment.SegmentId.Span, 0, s_v2.Block(segment, 0).Span);
        }

        FlipByte(BlockPath(segment, 0), 0);
        using FileContentCache reopened = Open();

        BlockReadResult result = reopened.ReadBlock(segment.SegmentId.Span, 0, new byte[segment.Length]);

        Assert.That(result.Status, Is.EqualTo(BlockReadStatus.NotFound));
        Assert.That(reopened.GetStatistics().DamagedBlocks, Is.EqualTo(1));
        Assert.That(reopened.GetStatistics().BlockCount, Is.Zero);
    }

    [Test]
    public void Constructor_TruncatedBlockFile_DiscardedOnOpen()
    {
        ContentSegment segment = s_v1.Segments[0];
        using (FileContentCache cache = Open())
        {
            cache.RegisterSegment(segment);
            cache.PutBlock(segment.SegmentId.Span, 0, s_v1.Block(segment, 0).Span);
            cache.PutBlock(segment.SegmentId.Span, 1, s_v1.Block(segment, 1).Span);
        }

        using (FileStream stream = File.OpenWrite(BlockPath(segment, 1)))
        {
            stream.SetLength(1000); // a half-written block
        }

        using FileContentCache reopened = Open();

        Assert.That(reopened.GetHeldBlockRanges(segment.SegmentId.Span), Is.EqualTo(new[] { new BlockIndexRange(0, 1) }));
        Assert.That(File.Exists(BlockPath(segment, 1)), Is.False);
        Assert.That(reopened.GetStatistics().DamagedBlocks, Is.EqualTo(1));
    }

    [Test]
    public void Constructor_LeftoversOfACrash_IgnoredAndCleaned()
    {
        ContentSegment kept = s_v2.Segments[0];
        ContentSegment noMeta = s_v2.Segments[1];
        ContentSegment tornMeta = s_v2.Segments[2];
        using (FileContentCache cache = Open())
        {
            cache.RegisterSegment(kept);
            cache.PutBlock(kept.SegmentId.Span, 0, s_v2.Block(kept, 0).Span);
            cache.RegisterSegment(tornMeta);
            cache.PutBlock(tornMeta.SegmentId.Span, 0, s_v2.Block(tornMeta, 0).Span);
        }

        // A block write killed before its rename, and a temporary meta file.
        string temporaryBlock = BlockPath(kept, 0) + ".1234-1.tmp";
        File.WriteAllBytes(temporaryBlock, s_v2.Block(kept, 0)[..100].ToArray());
        string temporaryMeta = Path.Combine(SegmentDirectory(kept), "meta.1234-2.tmp");
        File.WriteAllBytes(temporaryMeta, [1, 2, 3]);

        // A segment directory created but killed before its metadata was renamed into place.
        Directory.CreateDirectory(SegmentDirectory(noMeta));
        File.WriteAllBytes(Path.Combine(SegmentDirectory(noMeta), "meta.99-1.tmp"), [1]);

        // Metadata cut short.
        string tornPath = Path.Combine(SegmentDirectory(tornMeta), "meta");
        byte[] meta = File.ReadAllBytes(tornPath);
        File.WriteAllBytes(tornPath, meta[..(meta.Length / 2)]);

        using FileContentCache reopened = Open();

        Assert.That(reopened.ContainsBlock(kept.SegmentId.Span, 0), Is.True);
        Assert.That(File.Exists(temporaryBlock), Is.False);
        Assert.That(File.Exists(temporaryMeta), Is.False);
        Assert.That(Directory.Exists(SegmentDirectory(noMeta)), Is.False);
        Assert.That(Directory.Exists(SegmentDirectory(tornMeta)), Is.False);
        Assert.That(reopened.TryGetSegment(tornMeta.SegmentId.Span, out _), Is.False);
        Assert.That(reopened.GetStatistics().SegmentCount, Is.EqualTo(1));
    }

    [Test]
    public void TryReadEncryptedBlock_AfterRestart_ReturnsRecordAndDamagedRecordIsNotServed()
    {
        ContentSegment segment = s_v1.Segments[0];
        byte[] ciphertext = new byte[PeerDistConstants.BlockSize + 16];
        new Random(6).NextBytes(ciphertext);
        using (FileContentCache cache = Open())
        {
            cache.RegisterSegment(segment);
            cache.PutEncryptedBlock(segment.SegmentId.Span, 0, new EncryptedBlock(2, new byte[16], ciphertext));
            cache.PutEncryptedBlock(segment.SegmentId.Span, 1, new EncryptedBlock(2, new byte[16], ciphertext));
        }

        FlipByte(Path.Combine(SegmentDirectory(segment), "001.enc"), 5000);
        using FileContentCache reopened = Open();

        Assert.That(reopened.TryReadEncryptedBlock(segment.SegmentId.Span, 0, out EncryptedBlock? record), Is.True);
        ByteAssert.AreEqual(record!.Ciphertext.Span, ciphertext);
        Assert.That(reopened.TryReadEncryptedBlock(segment.SegmentId.Span, 1, out _), Is.False);
        Assert.That(reopened.GetHeldBlockRanges(segment.SegmentId.Span), Is.EqualTo(new[] { new BlockIndexRange(0, 1) }));
        Assert.That(reopened.GetStatistics().DamagedBlocks, Is.EqualTo(1));
    }

    [Test]
    public void Constructor_ForeignFilesInDirectory_LeftAlone()
    {
        string foreignDirectory = Path.Combine(_directory.Path, "segments", "not-hex");
        Directory.CreateDirectory(foreignDirectory);
        string foreignFile = Path.Combine(_directory.Path, "segments", "ab", "README");
        Directory.CreateDirectory(Path.GetDirectoryName(foreignFile)!);
        File.WriteAllText(foreignFile, "mine");

        using FileContentCache cache = Open();

        Assert.That(Directory.Exists(foreignDirectory), Is.True);
        Assert.That(File.Exists(foreignFile), Is.True);
        Assert.That(cache.GetStatistics().SegmentCount, Is.Zero);
    }

    [Test]
    public void Constructor_DirectoryAlreadyOpen_ThrowsLockedExceptionNamingIt()
    {
        using FileContentCache first = Open();

        ContentCacheLockedException? exception = Assert.Throws<ContentCacheLockedException>(() => Open());

        Assert.That(exception!.Directory, Is.EqualTo(first.RootPath));
        Assert.That(exception.Message, Does.Contain(first.RootPath));
        Assert.That(exception, Is.InstanceOf<IOException>());
    }

    [Test]
    public void Constructor_AfterFirstDisposed_Opens()
    {
        Open().Dispose();

        Assert.That(() => Open().Dispose(), Throws.Nothing);
    }

    [Test]
    public void PutBlock_AnySegments_CreatesOnlyHexNames()
    {
        using (FileContentCache cache = Open())
        {
            foreach (TestContent content in new[] { s_v1, s_v2, TestContent.Create(70_000, ContentInformationVersion.V1, 13, ContentHashAlgorithm.Sha512) })
            {
                foreach (ContentSegment segment in content.Segments)
                {
                    cache.RegisterSegment(segment);
                    for (int i = 0; i < segment.BlockCount; i++)
                    {
                        cache.PutBlock(segment.SegmentId.Span, i, content.Block(segment, i).Span);
                        cache.PutEncryptedBlock(segment.SegmentId.Span, i, new EncryptedBlock(1, new byte[16], content.Block(segment, i).Span));
                    }
                }
            }
        }

        string segments = Path.Combine(_directory.Path, "segments");
        foreach (string path in Directory.EnumerateFileSystemEntries(segments, "*", SearchOption.AllDirectories))
        {
            string[] parts = Path.GetRelativePath(segments, path).Split(Path.DirectorySeparatorChar);
            Assert.That(parts[0], Does.Match("^[0-9a-f]{2}$"), path);
            if (parts.Length > 1)
            {
                Assert.That(parts[1], Does.Match("^([0-9a-f]{64}|[0-9a-f]{96}|[0-9a-f]{128})$"), path);
                Assert.That(parts[1], Does.StartWith(parts[0]), path);
            }

            if (parts.Length > 2)
            {
                Assert.That(parts[2], Does.Match(@"^(meta|[0-9]{3}\.(blk|enc))$"), path);
            }

            Assert.That(parts, Has.Length.LessThanOrEqualTo(3), path);
        }

        Assert.That(Directory.GetFiles(_directory.Path), Is.EqualTo(new[] { Path.Combine(_directory.Path, "cache.lock") }));
    }

    [Test]
    public void Constructor_SegmentUnusedForLongerThanMaxAgeAcrossRestart_Expires()
    {
        ContentSegment old = s_v2.Segments[0];
        ContentSegment fresh = s_v2.Segments[1];
        using (FileContentCache cache = Open())
        {
            cache.RegisterSegment(old);
            cache.PutBlock(old.SegmentId.Span, 0, s_v2.Block(old, 0).Span);
            _time.Advance(TimeSpan.FromDays(10));
            cache.RegisterSegment(fresh);
            cache.PutBlock(fresh.SegmentId.Span, 0, s_v2.Block(fresh, 0).Span);
        }

        _time.Advance(TimeSpan.FromDays(20));
        using FileContentCache reopened = Open();

        Assert.That(reopened.ContainsBlock(old.SegmentId.Span, 0), Is.False);
        Assert.That(reopened.ContainsBlock(fresh.SegmentId.Span, 0), Is.True);
        Assert.That(Directory.Exists(SegmentDirectory(old)), Is.False);
    }

    [Test]
    public void Constructor_CapLoweredBetweenRuns_EvictsLeastRecentlyUsedOnOpen()
    {
        using (FileContentCache cache = Open())
        {
            foreach (ContentSegment segment in s_v2.Segments)
            {
                _time.Advance(TimeSpan.FromMinutes(5));
                cache.RegisterSegment(segment);
                cache.PutBlock(segment.SegmentId.Span, 0, s_v2.Block(segment, 0).Span);
            }
        }

        ContentSegment newest = s_v2.Segments[^1];
        using FileContentCache reopened = Open(maxSizeBytes: newest.Length);

        Assert.That(reopened.GetStatistics().SegmentCount, Is.EqualTo(1));
        Assert.That(reopened.ContainsBlock(newest.SegmentId.Span, 0), Is.True);
    }

    [Test]
    public void Constructor_PercentOfVolume_CapacityIsThatShareOfTheVolume()
    {
        using var cache = new FileContentCache(new ContentCacheOptions { RootPath = _directory.Path, MaxSizePercentOfVolume = 1 });

        long total = new DriveInfo(_directory.Path).TotalSize;
        Assert.That(cache.CapacityBytes, Is.EqualTo(total / 100).Within(1));
    }

    [Test]
    public void Constructor_DefaultOptions_UseWindowsDefaults()
    {
        var options = new ContentCacheOptions();

        Assert.That(options.MaxSizePercentOfVolume, Is.EqualTo(5));
        Assert.That(options.MaxAge, Is.EqualTo(TimeSpan.FromDays(28)));
        Assert.That(options.MaxSizeBytes, Is.Null);
    }

    [TestCase(null, null, 5.0, 1, "RootPath")]
    [TestCase("", null, 5.0, 1, "RootPath")]
    [TestCase("x", 0L, 5.0, 1, "MaxSizeBytes")]
    [TestCase("x", -5L, 5.0, 1, "MaxSizeBytes")]
    [TestCase("x", null, 0.0, 1, "MaxSizePercentOfVolume")]
    [TestCase("x", null, 100.5, 1, "MaxSizePercentOfVolume")]
    [TestCase("x", null, double.NaN, 1, "MaxSizePercentOfVolume")]
    [TestCase("x", null, 5.0, 0, "MaxAge")]
    [TestCase("x", null, 5.0, -2, "MaxAge")]
    public void Constructor_InvalidOptions_ThrowsArgumentExceptionNamingTheSetting(string? root, long? maxBytes, double percent, int maxAgeDays, string setting)
    {
        var options = new ContentCacheOptions
        {
            RootPath = string.IsNullOrEmpty(root) ? root : Path.Combine(_directory.Path, root),
            MaxSizeBytes = maxBytes,
            MaxSizePercentOfVolume = percent,
            MaxAge = TimeSpan.FromDays(maxAgeDays),
        };

        ArgumentException? exception = Assert.Throws<ArgumentException>(() => new FileContentCache(options).Dispose());

        Assert.That(exception!.ParamName, Is.EqualTo(setting));
        Assert.That(exception.Message, Does.Contain("ContentCacheOptions." + setting));
    }

    [Test]
    public void Constructor_MemoryCacheWithBadMaxAge_ThrowsArgumentException()
    {
        Assert.That(() => new MemoryContentCache(new ContentCacheOptions { MaxAge = TimeSpan.Zero }), Throws.ArgumentException);
        Assert.That(() => new MemoryContentCache(new ContentCacheOptions { MaxAge = Timeout.InfiniteTimeSpan }).Dispose(), Throws.Nothing);
    }

    private static void FlipByte(string path, int offset)
    {
        byte[] bytes = File.ReadAllBytes(path);
        bytes[offset] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
    }

    private FileContentCache Open(long maxSizeBytes = 64L * 1024 * 1024) =>
        new(new ContentCacheOptions { RootPath = _directory.Path, MaxSizeBytes = maxSizeBytes, TimeProvider = _time });

    private string SegmentDirectory(ContentSegment segment)
    {
        string hex = Convert.ToHexStringLower(segment.SegmentId.Span);
        return Path.Combine(_directory.Path, "segments", hex[..2], hex);
    }

    private string BlockPath(ContentSegment segment, int blockIndex) =>
        Path.Combine(SegmentDirectory(segment), $"{blockIndex:D3}.blk");
}
