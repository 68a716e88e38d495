using PeerDist.Caching;
using PeerDist.Client;
using PeerDist.Content;
using PeerDist.Tests.Caching;
using PeerDist.Tests.Peer;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Client;

/// <summary>
/// The download client against a real content cache, real peers on loopback sockets and an in-memory origin: every
/// source, the order they are tried in, verification of every byte, and what is cached afterwards.
/// </summary>
[CancelAfter(30_000)]
public sealed class PeerDistClientTests
{
    /// <summary>V1, two segments (the second short), 66 blocks.</summary>
    private static readonly TestContent s_v1 = TestContent.Create((int)PeerDistConstants.SegmentSize + (2 * PeerDistConstants.BlockSize) + 4321, ContentInformationVersion.V1, seed: 41);

    /// <summary>V2, several segments of at most 128 KiB.</summary>
    private static readonly TestContent s_v2 = TestContent.Create(900_000, ContentInformationVersion.V2, seed: 42);

    [Test]
    public async Task ReadAsync_NoPeers_WholeContentFromOriginInCoalescedRangesAndCached(CancellationToken cancellationToken)
    {
        using var cache = new MemoryContentCache();
        var origin = new MemoryOrigin(s_v1.Bytes);
        await using var client = new PeerDistClient(new PeerDistClientOptions { Cache = cache });
        await using PeerDistContent content = client.OpenContent(s_v1.Information, origin);
        byte[] buffer = new byte[s_v1.Bytes.Length];

        int read = await content.ReadAsync(0, buffer, cancellationToken);

        PeerDistContentStatistics statistics = content.GetStatistics();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(read, Is.EqualTo(buffer.Length));
            ByteAssert.AreEqual(buffer, s_v1.Bytes, "content");
            Assert.That(statistics.BytesFromOrigin, Is.EqualTo(s_v1.Bytes.Length));
            Assert.That(statistics.BytesFromPeers + statistics.BytesFromCache, Is.Zero);
            Assert.That(origin.Requests.All(r => r.Length <= PeerDistClientOptions.DefaultMaxOriginRequestBytes), Is.True);
            Assert.That(origin.Requests.Sum(r => r.Length), Is.EqualTo(s_v1.Bytes.Length), "each byte asked of the origin once");
            Assert.That(cache.GetStatistics().BlockCount, Is.EqualTo(s_v1.Segments.Sum(s => s.BlockCount)));
        }
    }

    [Test]
    public async Task ReadAsync_SecondHandleAfterDownload_EverythingFromCacheNothingFromOrigin(CancellationToken cancellationToken)
    {
        using var cache = new MemoryContentCache();
        var origin = new MemoryOrigin(s_v2.Bytes);
        await using var client = new PeerDistClient(new PeerDistClientOptions { Cache = cache });
        await using (PeerDistContent first = client.OpenContent(s_v2.Information, origin))
        {
            await first.DownloadAsync(cancellationToken);
        }

        int originRequests = origin.Requests.Count;
        await using PeerDistContent second = client.OpenContent(s_v2.Information, origin);
        byte[] buffer = new byte[s_v2.Bytes.Length];
        await second.ReadAsync(0, buffer, cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            ByteAssert.AreEqual(buffer, s_v2.Bytes, "content");
            Assert.That(origin.Requests, Has.Count.EqualTo(originRequests));
            Assert.That(second.GetStatistics().BytesFromCache, Is.EqualTo(s_v2.Bytes.Length));
            Assert.That(second.GetLocallyAvailableLength(0), Is.EqualTo(s_v2.Bytes.Length));
        }
    }

    [TestCase(ContentInformationVersion.V1)]
    [TestCase(ContentInformationVersion.V2)]
    [Category("Socket")]
    public async Task ReadAsync_PeerHoldsEverything_AllBytesFromPeerNoneFromOrigin(ContentInformationVersion version, CancellationToken cancellationToken)
    {
        TestContent data = version == ContentInformationVersion.V1 ? s_v1 : s_v2;
        await using ServingNode peer = ServingNode.Start(data.Information, data.Bytes);
        using var cache = new MemoryContentCache();
        var origin = new MemoryOrigin(data.Bytes);
        await using var client = new PeerDistClient(new PeerDistClientOptions { Cache = cache, PeerLocator = new StaticPeerLocator([peer.EndPoint]) });
        await using PeerDistContent content = client.OpenContent(data.Information, origin);
        byte[] buffer = new byte[data.Bytes.Length];

        await content.ReadAsync(0, buffer, cancellationToken);

        PeerDistContentStatistics statistics = content.GetStatistics();
        using (Assert.EnterMultipleScope())
        {
            ByteAssert.AreEqual(buffer, data.Bytes, "content");
            Assert.That(statistics.BytesFromPeers, Is.EqualTo(data.Bytes.Length));
            Assert.That(statistics.BytesByPeer[peer.EndPoint], Is.EqualTo(data.Bytes.Length));
            Assert.That(origin.Requests, Is.Empty);
        }
    }

    [Test]
    [Category("Socket")]
    public async Task ReadAsync_OneReadOverMoreThan255Segments_EverySegmentLocatedAndFromThePeer(CancellationToken cancellationToken)
    {
        // A locate call covers at most 255 segments (one MS-PCCRD probe); a single read of more must still locate them all.
        TestContent many = TestContent.Create(30 * 1024 * 1024, ContentInformationVersion.V2, seed: 44);
        Assert.That(many.Segments, Has.Count.GreaterThan(300), "precondition: more segments than one locate call takes");
        await using ServingNode peer = ServingNode.Start(many.Information, many.Bytes);
        using var cache = new MemoryContentCache(new ContentCacheOptions { MaxSizeBytes = 1L << 30 });
        await using var client = new PeerDistClient(new PeerDistClientOptions { Cache = cache, PeerLocator = new StaticPeerLocator([peer.EndPoint]) });
        await using PeerDistContent content = client.OpenContent(many.Information);
        byte[] buffer = new byte[many.Bytes.Length];

        await content.ReadAsync(0, buffer, cancellationToken);

        ByteAssert.AreEqual(buffer, many.Bytes, "content");
        Assert.That(content.GetStatistics().BytesFromPeers, Is.EqualTo(many.Bytes.Length));
    }

    [Test]
    [Category("Socket")]
    public async Task ReadAsync_TwoPeersHoldEverything_BlocksSpreadOverBoth(CancellationToken cancellationToken)
    {
        await using ServingNode a = ServingNode.Start(s_v1.Information, s_v1.Bytes);
        await using ServingNode b = ServingNode.Start(s_v1.Information, s_v1.Bytes);
        using var cache = new MemoryContentCache();
        await using var client = new PeerDistClient(new PeerDistClientOptions { Cache = cache, PeerLocator = new StaticPeerLocator([a.EndPoint, b.EndPoint]) });
        await using PeerDistContent content = client.OpenContent(s_v1.Information);
        byte[] buffer = new byte[s_v1.Bytes.Length];

        await content.ReadAsync(0, buffer, cancellationToken);

        PeerDistContentStatistics statistics = content.GetStatistics();
        using (Assert.EnterMultipleScope())
        {
            ByteAssert.AreEqual(buffer, s_v1.Bytes, "content");
            Assert.That(statistics.BytesFromPeers, Is.EqualTo(s_v1.Bytes.Length));

            // Consecutive blocks rotate over the peers: each serves about half.
            Assert.That(statistics.BytesByPeer[a.EndPoint], Is.GreaterThan(s_v1.Bytes.Length / 3));
            Assert.That(statistics.BytesByPeer[b.EndPoint], Is.GreaterThan(s_v1.Bytes.Length / 3));
        }
    }

    [Test]
    [Category("Socket")]
    public async Task ReadAsync_PeerHoldsEvenBlocks_OddBlocksFromOriginEveryByteCorrect(CancellationToken cancellationToken)
    {
        await using ServingNode peer = ServingNode.Start(s_v1.Information, s_v1.Bytes, hold: (_, block) => block % 2 == 0);
        using var cache = new MemoryContentCache();
        var origin = new MemoryOrigin(s_v1.Bytes);
        await using var client = new PeerDistClient(new PeerDistClientOptions { Cache = cache, PeerLocator = new StaticPeerLocator([peer.EndPoint]) });
        await using PeerDistContent content = client.OpenContent(s_v1.Information, origin);
        byte[] buffer = new byte[s_v1.Bytes.Length];

        await content.ReadAsync(0, buffer, cancellationToken);

        long evenBytes = s_v1.Information.GetBlocks(s_v1.Information.Range).Where(b => b.BlockIndex % 2 == 0).Sum(b => b.BlockRange.Length);
        PeerDistContentStatistics statistics = content.GetStatistics();
        using (Assert.EnterMultipleScope())
        {
            ByteAssert.AreEqual(buffer, s_v1.Bytes, "content");
            Assert.That(statistics.BytesFromPeers, Is.EqualTo(evenBytes));
            Assert.That(statistics.BytesFromOrigin, Is.EqualTo(s_v1.Bytes.Length - evenBytes));
            Assert.That(statistics.BlocksRejected, Is.Zero);
        }
    }

    [Test]
    public async Task ReadAsync_OriginCorruptsOneByte_ThrowsOriginExceptionAndNeverCachesThatBlock(CancellationToken cancellationToken)
    {
        using var cache = new MemoryContentCache();
        long bad = PeerDistConstants.BlockSize * 3L + 17;
        var origin = new MemoryOrigin(s_v1.Bytes) { CorruptOffset = bad };
        await using var client = new PeerDistClient(new PeerDistClientOptions { Cache = cache });
        await using PeerDistContent content = client.OpenContent(s_v1.Information, origin);
        byte[] buffer = new byte[8 * PeerDistConstants.BlockSize];

        Assert.That(async () => await content.ReadAsync(0, buffer, cancellationToken), Throws.TypeOf<PeerDistOriginException>());
        ContentSegment segment = s_v1.Segments[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(cache.ContainsBlock(segment.SegmentId.Span, 3), Is.False);
            Assert.That(content.GetStatistics().BlocksRejected, Is.EqualTo(1));
            Assert.That(content.ReadLocal(3 * PeerDistConstants.BlockSize, new byte[PeerDistConstants.BlockSize]), Is.Zero);
        }
    }

    [Test]
    public async Task ReadAsync_NoPeersNoOrigin_ThrowsContentUnavailable(CancellationToken cancellationToken)
    {
        using var cache = new MemoryContentCache();
        await using var client = new PeerDistClient(new PeerDistClientOptions { Cache = cache });
        await using PeerDistContent content = client.OpenContent(s_v2.Information);

        PeerDistContentUnavailableException? e = Assert.ThrowsAsync<PeerDistContentUnavailableException>(
            async () => await content.ReadAsync(1000, new byte[10], cancellationToken));

        Assert.That(e!.Missing.Start, Is.Zero);
    }

    [Test]
    public async Task OpenRead_CopyAndSeek_MatchesContent(CancellationToken cancellationToken)
    {
        using var cache = new MemoryContentCache();
        await using var client = new PeerDistClient(new PeerDistClientOptions { Cache = cache, ReadAheadBytes = 4 * PeerDistConstants.BlockSize });
        await using PeerDistContent content = client.OpenContent(s_v1.Information, new MemoryOrigin(s_v1.Bytes));
        await using Stream stream = content.OpenRead();
        var copy = new MemoryStream();

        await stream.CopyToAsync(copy, 100_000, cancellationToken);
        stream.Seek(-5000, SeekOrigin.End);
        byte[] tail = new byte[6000];
        int tailRead = await stream.ReadAsync(tail, cancellationToken);
        stream.Position = 123_457;
        byte[] middle = new byte[70_000];
        await stream.ReadExactlyAsync(middle, cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            ByteAssert.AreEqual(copy.ToArray(), s_v1.Bytes, "copy");
            Assert.That(stream.Length, Is.EqualTo(s_v1.Bytes.Length));
            Assert.That(tailRead, Is.EqualTo(5000));
            ByteAssert.AreEqual(tail.AsSpan(0, 5000), s_v1.Bytes.AsSpan(s_v1.Bytes.Length - 5000), "tail");
            ByteAssert.AreEqual(middle, s_v1.Bytes.AsSpan(123_457, 70_000), "middle");
        }
    }

    [Test]
    public async Task ReadAsync_TwoReadersSameRangeAtOnce_OriginAskedForEachByteOnce(CancellationToken cancellationToken)
    {
        using var cache = new MemoryContentCache();
        var stall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var origin = new MemoryOrigin(s_v2.Bytes) { Stall = stall };
        await using var client = new PeerDistClient(new PeerDistClientOptions { Cache = cache });
        await using PeerDistContent content = client.OpenContent(s_v2.Information, origin);
        byte[] a = new byte[s_v2.Bytes.Length];
        byte[] b = new byte[s_v2.Bytes.Length];

        Task<int> first = content.ReadAsync(0, a, cancellationToken).AsTask();
        Task<int> second = content.ReadAsync(0, b, cancellationToken).AsTask();
        await Task.Delay(50, cancellationToken);
        stall.SetResult();
        await Task.WhenAll(first, second);

        using (Assert.EnterMultipleScope())
        {
            ByteAssert.AreEqual(a, s_v2.Bytes, "first");
            ByteAssert.AreEqual(b, s_v2.Bytes, "second");
            Assert.That(origin.Requests.Sum(r => r.Length), Is.EqualTo(s_v2.Bytes.Length));
        }
    }

    [Test]
    [Repeat(10)]
    public async Task ReadAsync_ManyReadersSmallPiecesInDifferentOrders_EachBlockFetchedOnce(CancellationToken cancellationToken)
    {
        // Readers that look at the cache just as another reader's fetch lands must not fetch that block again.
        const int Readers = 8;
        const int Piece = 4 * (int)PeerDistConstants.BlockSize;
        using var cache = new MemoryContentCache();
        var origin = new MemoryOrigin(s_v1.Bytes);
        await using var client = new PeerDistClient(new PeerDistClientOptions { Cache = cache });
        await using PeerDistContent content = client.OpenContent(s_v1.Information, origin);
        int blocks = (int)((s_v1.Bytes.Length + PeerDistConstants.BlockSize - 1) / PeerDistConstants.BlockSize);
        byte[][] results = new byte[Readers][];

        await Task.WhenAll(Enumerable.Range(0, Readers).Select(reader => Task.Run(
            async () =>
            {
                byte[] result = results[reader] = new byte[s_v1.Bytes.Length];
                // Overlapping reads of four blocks starting at every block, in a different order per reader.
                int[] starts = Enumerable.Range(0, blocks).ToArray();
                new Random(reader).Shuffle(starts);
                foreach (int start in starts)
                {
                    int offset = start * (int)PeerDistConstants.BlockSize;
                    await content.ReadAsync(offset, result.AsMemory(offset, Math.Min(Piece, result.Length - offset)), cancellationToken);
                }
            },
            cancellationToken)));

        PeerDistContentStatistics statistics = content.GetStatistics();
        using (Assert.EnterMultipleScope())
        {
            for (int reader = 0; reader < Readers; reader++)
            {
                ByteAssert.AreEqual(results[reader], s_v1.Bytes, $"reader {reader}");
            }

            Assert.That(origin.Requests.Sum(r => r.Length), Is.EqualTo(s_v1.Bytes.Length), "bytes asked of the origin");
            Assert.That(statistics.BytesFromOrigin, Is.EqualTo(s_v1.Bytes.Length), "bytes counted from the origin");
        }
    }

    [Test]
    public async Task ReadAsync_WithTimeout_ZeroReadsLocalOnlyAndExpiryThrowsTimeout(CancellationToken cancellationToken)
    {
        using var cache = new MemoryContentCache();
        var stall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var origin = new MemoryOrigin(s_v2.Bytes) { Stall = stall };
        await using var client = new PeerDistClient(new PeerDistClientOptions { Cache = cache });
        await using PeerDistContent content = client.OpenContent(s_v2.Information, origin);
        byte[] buffer = new byte[s_v2.Bytes.Length];

        int localBefore = await content.ReadAsync(0, buffer, TimeSpan.Zero, cancellationToken);
        Assert.That(origin.Requests, Is.Empty, "a local-only read never reaches the origin");
        Assert.ThrowsAsync<TimeoutException>(async () => await content.ReadAsync(0, buffer, TimeSpan.FromMilliseconds(100), cancellationToken));

        stall.SetResult();
        int read = await content.ReadAsync(0, buffer, Timeout.InfiniteTimeSpan, cancellationToken);
        Array.Clear(buffer);
        int localAfter = await content.ReadAsync(0, buffer, TimeSpan.Zero, cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(localBefore, Is.Zero);
            Assert.That(read, Is.EqualTo(s_v2.Bytes.Length));
            Assert.That(localAfter, Is.EqualTo(s_v2.Bytes.Length));
            ByteAssert.AreEqual(buffer, s_v2.Bytes, "local read after the download");
        }
    }

    [Test]
    public async Task ReadAsync_CancelledWhileOriginStalls_ThrowsPromptlyAndCacheStaysConsistent(CancellationToken cancellationToken)
    {
        using var cache = new MemoryContentCache();
        var origin = new MemoryOrigin(s_v1.Bytes) { Stall = new TaskCompletionSource() };
        await using var client = new PeerDistClient(new PeerDistClientOptions { Cache = cache });
        await using PeerDistContent content = client.OpenContent(s_v1.Information, origin);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        Task<int> read = content.ReadAsync(0, new byte[4 * PeerDistConstants.BlockSize], cancel.Token).AsTask();
        await Task.Delay(50, cancellationToken);
        cancel.Cancel();

        Assert.That(async () => await read.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(cache.GetStatistics().BlockCount, Is.Zero);

        // The handle still works afterwards.
        origin.Stall = null;
        byte[] buffer = new byte[100];
        await content.ReadAsync(0, buffer, cancellationToken);
        ByteAssert.AreEqual(buffer, s_v1.Bytes.AsSpan(0, 100), "after cancel");
    }

    [Test]
    public async Task AddDataAsync_WholeBlocksVerifiedAndCached_CorruptBlockRejected(CancellationToken cancellationToken)
    {
        using var cache = new MemoryContentCache();
        await using var client = new PeerDistClient(new PeerDistClientOptions { Cache = cache });
        await using PeerDistContent content = client.OpenContent(s_v1.Information);

        // Bytes 100 .. 3 blocks + 100: only blocks 1 and 2 are whole inside.
        long accepted = await content.AddDataAsync(100, s_v1.Bytes.AsMemory(100, 3 * PeerDistConstants.BlockSize), cancellationToken);
        byte[] bad = s_v1.Bytes.AsSpan(5 * PeerDistConstants.BlockSize, PeerDistConstants.BlockSize).ToArray();
        bad[10] ^= 0x80;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(accepted, Is.EqualTo(2 * PeerDistConstants.BlockSize));
            Assert.That(content.GetLocallyAvailableLength(PeerDistConstants.BlockSize), Is.EqualTo(2 * PeerDistConstants.BlockSize));
            Assert.That(content.GetLocallyAvailableLength(0), Is.Zero);
            Assert.That(async () => await content.AddDataAsync(5 * PeerDistConstants.BlockSize, bad, cancellationToken), Throws.TypeOf<InvalidDataException>());
            Assert.That(cache.ContainsBlock(s_v1.Segments[0].SegmentId.Span, 5), Is.False);
            Assert.That(content.GetStatistics().BytesFromCaller, Is.EqualTo(2 * PeerDistConstants.BlockSize));
        }
    }

    [Test]
    public async Task FlushContent_Tag_RemovesTheSegmentsOpenedUnderIt(CancellationToken cancellationToken)
    {
        using var cache = new MemoryContentCache();
        await using var client = new PeerDistClient(new PeerDistClientOptions { Cache = cache });
        var tag = Guid.NewGuid();
        await using (PeerDistContent content = client.OpenContent(s_v2.Information, new MemoryOrigin(s_v2.Bytes), tag))
        {
            await content.DownloadAsync(cancellationToken);
        }

        int removed = client.FlushContent(tag);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(removed, Is.EqualTo(s_v2.Segments.Count));
            Assert.That(cache.GetStatistics().BlockCount, Is.Zero);
            Assert.That(client.FlushContent(tag), Is.Zero);
        }
    }

    [Test]
    public void Constructor_NoCache_Throws() =>
        Assert.That(() => new PeerDistClient(new PeerDistClientOptions()), Throws.ArgumentException);
}
