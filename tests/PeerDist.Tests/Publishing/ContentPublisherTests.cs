using System.Security.Cryptography;
using PeerDist.Content;
using PeerDist.Cryptography;
using PeerDist.Publishing;
using PeerDist.Tests.Caching;

namespace PeerDist.Tests.Publishing;

[TestFixture]
[CancelAfter(60_000)]
public sealed class ContentPublisherTests
{
    private const int BlockSize = 64 * 1024;

    private ServerSecret _secret = null!;
    private TempDirectory _directory = null!;

    [SetUp]
    public void SetUp()
    {
        _secret = ServerSecret.FromPassphrase("publisher tests");
        _directory = new TempDirectory();
    }

    [TearDown]
    public void TearDown()
    {
        _secret.Dispose();
        _directory.Dispose();
    }

    private static byte[] CreateContent(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private ContentPublisher CreatePublisher(bool onDisk = true, int maxConcurrentGenerations = 2, bool generateV2 = true) => new(
        _secret,
        new ContentPublisherOptions
        {
            CacheDirectory = onDisk ? Path.Combine(_directory.Path, "store") : null,
            MaxConcurrentGenerations = maxConcurrentGenerations,
            GenerateV2 = generateV2,
        });

    private string WriteFile(byte[] bytes, string name = "content.bin")
    {
        string path = Path.Combine(_directory.Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task PublishAsync_Stream_V1BlockHashesAreSha256OfTheBlocks(bool onDisk)
    {
        byte[] bytes = CreateContent((3 * BlockSize) + 1234, seed: 1);
        await using ContentPublisher publisher = CreatePublisher(onDisk);

        await publisher.PublishAsync("item", new MemoryStream(bytes), cancellationToken: CancellationToken.None);
        ContentInformation? v1 = await publisher.RetrieveContentInformationAsync(
            "item", new ContentValidator(bytes.Length), ContentInformationVersion.V1, ContentInformationVersion.V1);

        Assert.That(v1, Is.Not.Null);
        // Independent check: MS-PCCRC 2.3 V1 block hashes are SHA-256 of each 64 KiB block (the last one short).
        byte[] expected = [.. Enumerable.Range(0, 4)
            .SelectMany(i => SHA256.HashData(bytes.AsSpan(i * BlockSize, Math.Min(BlockSize, bytes.Length - (i * BlockSize)))))];
        ContentInformation parsed = ContentInformation.Parse(v1!.ToArray());
        Assert.That(parsed.Segments, Has.Count.EqualTo(1));
        byte[] actual = parsed.Segments[0].BlockHashes.ToArray();
        Assert.That(actual, Is.EqualTo(expected));
    }

    [Test]
    public async Task PublishAsync_Stream_BothVersionsVerifyAgainstTheContent()
    {
        byte[] bytes = CreateContent((5 * BlockSize) + 77, seed: 2);
        await using ContentPublisher publisher = CreatePublisher();

        PublishedContent content = await publisher.PublishAsync("item", new MemoryStream(bytes));

        ContentVerificationResult v1 = await ContentInformationVerifier.VerifyAsync(content.V1, new MemoryStream(bytes), _secret);
        ContentVerificationResult v2 = await ContentInformationVerifier.VerifyAsync(content.V2!, new MemoryStream(bytes), _secret);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(content.V1.Version, Is.EqualTo(ContentInformationVersion.V1));
            Assert.That(content.V2!.Version, Is.EqualTo(ContentInformationVersion.V2));
            Assert.That(v1.IsMatch, Is.True, v1.ToString());
            Assert.That(v2.IsMatch, Is.True, v2.ToString());
            Assert.That(content.Validator, Is.EqualTo(new ContentValidator(bytes.Length)));
        }
    }

    [Test]
    public async Task PublishFileAsync_ConcurrentCallsForOneFile_GenerateOnce()
    {
        byte[] bytes = CreateContent(8 * BlockSize, seed: 3);
        string path = WriteFile(bytes);
        await using ContentPublisher publisher = CreatePublisher();

        Task<PublishedContent>[] calls = [.. Enumerable.Range(0, 8).Select(_ => publisher.PublishFileAsync("file", path))];
        PublishedContent[] results = await Task.WhenAll(calls);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(publisher.GetStatistics().Generations, Is.EqualTo(1));
            Assert.That(results.Select(r => r.V1.ToArray()).Distinct(new ByteArrayComparer()).Count(), Is.EqualTo(1));
            Assert.That(results[0].Validator, Is.EqualTo(ContentValidator.FromFile(new FileInfo(path))));
        }
    }

    [Test]
    public async Task PublishFileAsync_AlreadyPublished_DoesNotHashAgain()
    {
        string path = WriteFile(CreateContent(2 * BlockSize, seed: 4));
        await using ContentPublisher publisher = CreatePublisher();

        await publisher.PublishFileAsync("file", path);
        await publisher.PublishFileAsync("file", path);

        Assert.That(publisher.GetStatistics().Generations, Is.EqualTo(1));
    }

    [TestCase(ContentInformationVersion.V1, ContentInformationVersion.V1, ContentInformationVersion.V1)]
    [TestCase(ContentInformationVersion.V1, ContentInformationVersion.V2, ContentInformationVersion.V2)]
    [TestCase(ContentInformationVersion.V2, ContentInformationVersion.V2, ContentInformationVersion.V2)]
    public async Task RetrieveContentInformationAsync_VersionWindow_ReturnsHighestInside(
        ContentInformationVersion min, ContentInformationVersion max, ContentInformationVersion expected)
    {
        byte[] bytes = CreateContent(2 * BlockSize, seed: 5);
        await using ContentPublisher publisher = CreatePublisher();
        await publisher.PublishAsync("item", new MemoryStream(bytes));

        ContentInformation? info = await publisher.RetrieveContentInformationAsync("item", null, min, max);

        Assert.That(info?.Version, Is.EqualTo(expected));
    }

    [Test]
    public async Task RetrieveContentInformationAsync_V2NotGenerated_ReturnsNullForV2OnlyWindow()
    {
        await using ContentPublisher publisher = CreatePublisher(generateV2: false);
        await publisher.PublishAsync("item", new MemoryStream(CreateContent(2 * BlockSize, seed: 6)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await publisher.RetrieveContentInformationAsync("item", null, ContentInformationVersion.V2, ContentInformationVersion.V2), Is.Null);
            Assert.That((await publisher.RetrieveContentInformationAsync("item", null, ContentInformationVersion.V1, ContentInformationVersion.V2))?.Version, Is.EqualTo(ContentInformationVersion.V1));
        }
    }

    [TestCase(ContentInformationVersion.V1)]
    [TestCase(ContentInformationVersion.V2)]
    public async Task RetrieveContentInformationAsync_Range_DescribesTheRangeAndVerifies(ContentInformationVersion version)
    {
        byte[] bytes = CreateContent(10 * BlockSize, seed: 7);
        await using ContentPublisher publisher = CreatePublisher();
        await publisher.PublishAsync("item", new MemoryStream(bytes));
        var range = new ContentRange((2 * BlockSize) + 100, (3 * BlockSize) + 5);

        ContentInformation? info = await publisher.RetrieveContentInformationAsync("item", null, version, version, range);

        Assert.That(info, Is.Not.Null);
        ContentInformation parsed = ContentInformation.Parse(info!.ToArray());
        ContentVerificationResult result = await ContentInformationVerifier.VerifyAsync(parsed, new MemoryStream(bytes), _secret);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(parsed.Range, Is.EqualTo(range));
            Assert.That(result.IsMatch, Is.True, result.ToString());
        }
    }

    [Test]
    public async Task RetrieveContentInformationAsync_RangePastTheEnd_Throws()
    {
        await using ContentPublisher publisher = CreatePublisher();
        await publisher.PublishAsync("item", new MemoryStream(CreateContent(2 * BlockSize, seed: 8)));

        Assert.That(
            async () => await publisher.RetrieveContentInformationAsync("item", null, ContentInformationVersion.V1, ContentInformationVersion.V1, new ContentRange(BlockSize, 2 * BlockSize)),
            Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public async Task FindAsync_ValidatorChanged_ReturnsNullAndCountsInvalidation()
    {
        await using ContentPublisher publisher = CreatePublisher();
        var old = new ContentValidator(2 * BlockSize, "\"a\"", DateTimeOffset.UnixEpoch);
        await publisher.PublishAsync("item", new MemoryStream(CreateContent(2 * BlockSize, seed: 9)), old);

        PublishedContent? stale = await publisher.FindAsync("item", old with { ETag = "\"b\"" });
        PublishedContent? current = await publisher.FindAsync("item", old);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(stale, Is.Null);
            Assert.That(current, Is.Not.Null);
            Assert.That(publisher.GetStatistics().Invalidations, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task PublishFileAsync_FileRewritten_GetsNewContentInformation()
    {
        string path = WriteFile(CreateContent(2 * BlockSize, seed: 10));
        await using ContentPublisher publisher = CreatePublisher();
        PublishedContent first = await publisher.PublishFileAsync("file", path);

        byte[] changed = CreateContent(3 * BlockSize, seed: 11);
        File.WriteAllBytes(path, changed);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        PublishedContent second = await publisher.PublishFileAsync("file", path);

        ContentVerificationResult result = await ContentInformationVerifier.VerifyAsync(second.V1, new MemoryStream(changed), _secret);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await publisher.FindAsync("file", first.Validator), Is.Null);
            Assert.That(second.V1.Range.Length, Is.EqualTo(changed.Length));
            Assert.That(result.IsMatch, Is.True);
            Assert.That(publisher.GetStatistics().Generations, Is.EqualTo(2));
        }
    }

    [Test]
    public async Task FileStore_NewPublisherOnSameDirectory_FindsTheEntry()
    {
        byte[] bytes = CreateContent(2 * BlockSize, seed: 12);
        byte[] expected;
        await using (ContentPublisher publisher = CreatePublisher())
        {
            expected = (await publisher.PublishAsync("item", new MemoryStream(bytes))).V1.ToArray();
        }

        await using ContentPublisher reopened = CreatePublisher();
        PublishedContent? found = await reopened.FindAsync("item", new ContentValidator(bytes.Length));

        Assert.That(found?.V1.ToArray(), Is.EqualTo(expected));
    }

    [Test]
    public async Task FileStore_DamagedEntry_IsDroppedNotServed()
    {
        await using (ContentPublisher publisher = CreatePublisher())
        {
            await publisher.PublishAsync("item", new MemoryStream(CreateContent(2 * BlockSize, seed: 13)));
        }

        string entry = Directory.EnumerateFiles(Path.Combine(_directory.Path, "store"), "*.pdpub", SearchOption.AllDirectories).Single();
        byte[] file = File.ReadAllBytes(entry);
        file[file.Length / 2] ^= 0x01;
        File.WriteAllBytes(entry, file);

        await using ContentPublisher reopened = CreatePublisher();
        PublishedContent? found = await reopened.FindAsync("item", null);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(found, Is.Null);
            Assert.That(File.Exists(entry), Is.False);
            Assert.That(reopened.GetStatistics().Invalidations, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task FileStore_LeftoverTemporaryFile_IsDeletedOnOpen()
    {
        string store = Path.Combine(_directory.Path, "store");
        Directory.CreateDirectory(Path.Combine(store, "ab"));
        string leftover = Path.Combine(store, "ab", "x.pdpub.0123.tmp");
        File.WriteAllBytes(leftover, [1, 2, 3]);

        await using ContentPublisher publisher = CreatePublisher();

        Assert.That(File.Exists(leftover), Is.False);
    }

    [Test]
    public async Task UnpublishAsync_Published_RemovesIt()
    {
        await using ContentPublisher publisher = CreatePublisher();
        await publisher.PublishAsync("item", new MemoryStream(CreateContent(2 * BlockSize, seed: 14)));

        bool first = await publisher.UnpublishAsync("item");
        bool second = await publisher.UnpublishAsync("item");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.True);
            Assert.That(second, Is.False);
            Assert.That(await publisher.FindAsync("item", null), Is.Null);
        }
    }

    [Test]
    public async Task PublishAsync_Generations_AreBoundedByMaxConcurrentGenerations()
    {
        await using ContentPublisher publisher = CreatePublisher(maxConcurrentGenerations: 2);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int opened = 0;
        byte[] bytes = CreateContent(BlockSize, seed: 15);
        Func<CancellationToken, ValueTask<Stream>> Open() => async ct =>
        {
            Interlocked.Increment(ref opened);
            await release.Task.WaitAsync(ct);
            return new MemoryStream(bytes);
        };

        Task<PublishedContent>[] calls = [.. Enumerable.Range(0, 3).Select(i => publisher.PublishAsync($"item{i}", new ContentValidator(bytes.Length), Open()))];
        await Task.Delay(300);
        int openedWhileBlocked = Volatile.Read(ref opened);
        release.SetResult();
        await Task.WhenAll(calls);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(openedWhileBlocked, Is.EqualTo(2));
            Assert.That(opened, Is.EqualTo(3));
            Assert.That(publisher.GetStatistics().Generations, Is.EqualTo(3));
        }
    }

    [Test]
    public async Task PublishAsync_ContentShorterThanValidator_FailsAndStoresNothing()
    {
        await using ContentPublisher publisher = CreatePublisher();
        byte[] bytes = CreateContent(BlockSize, seed: 16);

        Assert.That(
            () => publisher.PublishAsync("item", new ContentValidator(2 * BlockSize), _ => ValueTask.FromResult<Stream>(new MemoryStream(bytes))),
            Throws.InvalidOperationException);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await publisher.FindAsync("item", null), Is.Null);
            Assert.That(publisher.GetStatistics().FailedGenerations, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task PublishAsync_EmptyStream_ThrowsInvalidOperation()
    {
        await using ContentPublisher publisher = CreatePublisher();

        Assert.That(() => publisher.PublishAsync("item", new MemoryStream()), Throws.InvalidOperationException);
    }

    [Test]
    public async Task PublishAsync_CanceledToken_ThrowsOperationCanceled()
    {
        await using ContentPublisher publisher = CreatePublisher();
        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();

        Assert.That(
            () => publisher.PublishAsync("item", new MemoryStream(CreateContent(BlockSize, 17)), cancellationToken: canceled.Token),
            Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task UnpublishAsync_DuringGeneration_CancelsIt()
    {
        await using ContentPublisher publisher = CreatePublisher();
        var never = new TaskCompletionSource<Stream>();
        Task<PublishedContent> pending = publisher.PublishAsync("item", new ContentValidator(10), async ct => await never.Task.WaitAsync(ct));
        await Task.Delay(100);

        bool removed = await publisher.UnpublishAsync("item");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(removed, Is.True);
            Assert.That(() => pending, Throws.InstanceOf<OperationCanceledException>());
        }
    }

    [Test]
    public void Constructor_ZeroConcurrentGenerations_Throws()
    {
        Assert.That(
            () => new ContentPublisher(_secret, new ContentPublisherOptions { MaxConcurrentGenerations = 0 }),
            Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => obj.Length;
    }
}
