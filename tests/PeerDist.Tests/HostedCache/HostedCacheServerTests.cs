using System.Net;
using PeerDist.Caching;
using PeerDist.Client;
using PeerDist.Content;
using PeerDist.HostedCache;
using PeerDist.Tests.Caching;
using PeerDist.Tests.Client;
using PeerDist.Tests.Shared;
using PeerDist.Transport.Http;

namespace PeerDist.Tests.HostedCache;

/// <summary>
/// The hosted cache over loopback sockets: offers of both versions, the pull from a real offering client's PCCRR
/// server, serving the pulled blocks to another client, and the hosted-cache rows of wire.md §3.4 / §8 (malformed
/// offers dropped, unusable offers answered OK and not pulled, a misbehaving offering client).
/// </summary>
[CancelAfter(60_000)]
[Category("Socket")]
public sealed class HostedCacheServerTests
{
    private static readonly byte[] s_ok = [0, 0, 0, 1, 0];
    private static readonly byte[] s_interested = [0, 0, 0, 1, 1];
    private static readonly byte[] s_tag = "WinINet\0\0\0\0\0\0\0\0\0"u8.ToArray();

    private static readonly TestContent s_v2 = TestContent.Create(2_000_000, ContentInformationVersion.V2, seed: 61);
    private static readonly TestContent s_v1 = TestContent.Create((3 * 1024 * 1024) + 777, ContentInformationVersion.V1, seed: 62);

    [TestCase(ContentInformationVersion.V2)]
    [TestCase(ContentInformationVersion.V1)]
    public async Task BatchedOffer_PulledAsCiphertext_AnotherClientGetsEverythingFromTheHostedCache(ContentInformationVersion version, CancellationToken cancellationToken)
    {
        TestContent content = version == ContentInformationVersion.V2 ? s_v2 : s_v1;
        await using FaultPeer offering = FaultPeer.Start(content);
        await using HostedCacheNode hostedCache = HostedCacheNode.Start();

        foreach (byte[] offer in BatchedOffers(content, (ushort)offering.EndPoint.Port))
        {
            Assert.That(await PostAsync(hostedCache.EndPoint, PeerDistHttpPaths.HostedCacheV2, offer, cancellationToken), Is.EqualTo(s_ok));
        }

        await hostedCache.Server.WhenIdleAsync(cancellationToken);
        HostedCacheStatistics stats = hostedCache.Server.GetStatistics();

        // The hosted cache holds no Kp: what it has are the records as received, replayed to the next client.
        ContentSegment first = content.Segments[0];
        Assert.That(hostedCache.Cache.TryGetSegment(first.SegmentId.Span, out SegmentMetadata? metadata), Is.True);
        Assert.That(metadata!.HasSegmentSecret, Is.False);
        Assert.That(hostedCache.Cache.TryReadEncryptedBlock(first.SegmentId.Span, 0, out _), Is.True);

        (byte[] bytes, PeerDistContentStatistics client) = await ReadThroughAsync(content, hostedCache.EndPoint, cancellationToken);
        using (Assert.EnterMultipleScope())
        {
            ByteAssert.AreEqual(bytes, content.Bytes, "client B's bytes");
            Assert.That(client.BytesFromPeers, Is.EqualTo(content.Bytes.Length), "everything from the hosted cache");
            Assert.That(stats.PullsCompleted, Is.EqualTo(content.Segments.Count));
            Assert.That(stats.PullsFailed, Is.Zero);
            Assert.That(stats.BlocksPulled, Is.EqualTo(content.Segments.Sum(s => s.BlockCount)));
        }
    }

    [Test]
    public async Task InitialOffer_ThenSegmentInfo_InterestedThenOkPulledVerifiedAndServed(CancellationToken cancellationToken)
    {
        await using FaultPeer offering = FaultPeer.Start(s_v1);
        await using HostedCacheNode hostedCache = HostedCacheNode.Start();
        ContentSegment segment = s_v1.Segments.Single();
        ushort port = (ushort)offering.EndPoint.Port;
        byte[] initialOffer = new PchcInitialOfferMessage(port, segment.SegmentId).ToArray();

        byte[] first = await PostAsync(hostedCache.EndPoint, PeerDistHttpPaths.HostedCacheV1, initialOffer, cancellationToken);
        byte[] info = await PostAsync(hostedCache.EndPoint, PeerDistHttpPaths.HostedCacheV1, SegmentInfo(s_v1, segment, port), cancellationToken);
        await hostedCache.Server.WhenIdleAsync(cancellationToken);
        byte[] second = await PostAsync(hostedCache.EndPoint, PeerDistHttpPaths.HostedCacheV1, initialOffer, cancellationToken);

        (byte[] bytes, PeerDistContentStatistics client) = await ReadThroughAsync(s_v1, hostedCache.EndPoint, cancellationToken);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.EqualTo(s_interested), "no hashes yet");
            Assert.That(info, Is.EqualTo(s_ok));
            Assert.That(second, Is.EqualTo(s_ok), "hashes held now");
            Assert.That(hostedCache.Cache.TryGetSegment(segment.SegmentId.Span, out SegmentMetadata? metadata) && metadata.HasSegmentSecret, Is.True);
            ByteAssert.AreEqual(bytes, s_v1.Bytes, "client B's bytes");
            Assert.That(client.BytesFromPeers, Is.EqualTo(s_v1.Bytes.Length));
        }
    }

    [TestCase(PeerDistHttpPaths.HostedCacheV2, "00fe000100000000205a000000000000" + "2021222324252627282930313233343536373839404142434445464748495051")]
    [TestCase(PeerDistHttpPaths.HostedCacheV1, "0001fefe00000000205a000000000000" + "2021222324252627282930313233343536373839404142434445464748495051")]
    [TestCase(PeerDistHttpPaths.HostedCacheV2, "00020003000000000050000000000000")]
    [TestCase(PeerDistHttpPaths.HostedCacheV2, "00020003000000000050000000000000" + "0001000000010000" + "0000" + "04" + "2021222324252627282930313233343536373839404142434445464748495051")]
    [TestCase(PeerDistHttpPaths.HostedCacheV1, "00020003000000000050000000000000" + "0001000000010000" + "0010" + "00000000000000000000000000000000" + "04" + "2021222324252627282930313233343536373839404142434445464748495051")]
    public async Task MalformedOrWrongVersion_DroppedWith400AndNoPchcResponse(string path, string hex, CancellationToken cancellationToken)
    {
        await using HostedCacheNode hostedCache = HostedCacheNode.Start();

        PeerDistHttpException? error = Assert.ThrowsAsync<PeerDistHttpException>(
            async () => await PostAsync(hostedCache.EndPoint, path, Convert.FromHexString(hex), cancellationToken));

        Assert.That(error!.Message, Does.Contain("400"));
        Assert.That(hostedCache.Server.GetStatistics().OffersDropped, Is.EqualTo(1));
    }

    [Test]
    public async Task BatchedOfferUnknownHashAlgorithm_OkButNothingPulled(CancellationToken cancellationToken)
    {
        await using FaultPeer offering = FaultPeer.Start(s_v2);
        await using HostedCacheNode hostedCache = HostedCacheNode.Start();
        ContentSegment segment = s_v2.Segments[0];
        var offer = new PchcBatchedOfferMessage((ushort)offering.EndPoint.Port, [new PchcSegmentDescriptor((uint)segment.Length, (uint)segment.Length, s_tag, 0xFE, segment.SegmentId)]);

        byte[] answer = await PostAsync(hostedCache.EndPoint, PeerDistHttpPaths.HostedCacheV2, offer.ToArray(), cancellationToken);
        await hostedCache.Server.WhenIdleAsync(cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(answer, Is.EqualTo(s_ok));
            Assert.That(offering.Requests, Is.Zero, "no PCCRR retrieval");
            Assert.That(hostedCache.Server.GetStatistics().SegmentsNotPulled, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task SegmentInfoWithTwoSegmentsOrInconsistentHashes_OkButNothingPulled(CancellationToken cancellationToken)
    {
        TestContent twoSegments = TestContent.Create((int)PeerDistConstants.SegmentSize + 1000, ContentInformationVersion.V1, seed: 63);
        await using FaultPeer offering = FaultPeer.Start(twoSegments);
        await using HostedCacheNode hostedCache = HostedCacheNode.Start();
        ushort port = (ushort)offering.EndPoint.Port;
        byte[] both = new PchcSegmentInfoMessage(port, s_tag, twoSegments.Information.ToArray()).ToArray();
        byte[] tampered = SegmentInfo(twoSegments, twoSegments.Segments[1], port);
        tampered[^1] ^= 0x01; // the last block hash no longer matches HoD

        byte[] first = await PostAsync(hostedCache.EndPoint, PeerDistHttpPaths.HostedCacheV1, both, cancellationToken);
        byte[] second = await PostAsync(hostedCache.EndPoint, PeerDistHttpPaths.HostedCacheV1, tampered, cancellationToken);
        await hostedCache.Server.WhenIdleAsync(cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.EqualTo(s_ok));
            Assert.That(second, Is.EqualTo(s_ok));
            Assert.That(offering.Requests, Is.Zero, "no PCCRR retrieval");
            Assert.That(hostedCache.Server.GetStatistics().SegmentsNotPulled, Is.EqualTo(2));
        }
    }

    [TestCase(PeerLie.WrongBlockIndex, ContentInformationVersion.V2)]
    [TestCase(PeerLie.WrongLength, ContentInformationVersion.V2)]
    [TestCase(PeerLie.FlipBit, ContentInformationVersion.V1)]
    [TestCase(PeerLie.WrongBlockIndex, ContentInformationVersion.V1)]
    [TestCase(PeerLie.WrongLength, ContentInformationVersion.V1)]
    public async Task MisbehavingOfferingClient_PullStopsAndTheBadBlockIsNotCached(PeerLie lie, ContentInformationVersion version, CancellationToken cancellationToken)
    {
        TestContent content = version == ContentInformationVersion.V2 ? s_v2 : s_v1;
        await using FaultPeer offering = FaultPeer.Start(content);
        offering.Handler.Lie = lie;
        await using HostedCacheNode hostedCache = HostedCacheNode.Start();
        ContentSegment segment = content.Segments[0];
        ushort port = (ushort)offering.EndPoint.Port;
        byte[] offer = version == ContentInformationVersion.V2
            ? new PchcBatchedOfferMessage(port, [Descriptor(segment)]).ToArray()
            : SegmentInfo(content, segment, port);
        string path = version == ContentInformationVersion.V2 ? PeerDistHttpPaths.HostedCacheV2 : PeerDistHttpPaths.HostedCacheV1;

        Assert.That(await PostAsync(hostedCache.EndPoint, path, offer, cancellationToken), Is.EqualTo(s_ok));
        await hostedCache.Server.WhenIdleAsync(cancellationToken);

        HostedCacheStatistics stats = hostedCache.Server.GetStatistics();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(stats.PullsFailed, Is.EqualTo(1));
            Assert.That(stats.BlocksPulled, Is.Zero);
            Assert.That(hostedCache.Cache.ContainsBlock(segment.SegmentId.Span, 0), Is.False);
            // V2: the one GETBLKS. V1: GETBLKLIST for the run, then the first GETBLKS, whose bad reply ends the pull.
            Assert.That(offering.Requests, Is.EqualTo(version == ContentInformationVersion.V2 ? 1 : 2), "no further request after a bad reply");
        }
    }

    [Test]
    public async Task OfferStorm_ThousandOffersOfTheSameSegments_EachSegmentPulledOnce(CancellationToken cancellationToken)
    {
        await using FaultPeer offering = FaultPeer.Start(s_v2);
        offering.Handler.Delay = TimeSpan.FromMilliseconds(20); // keep pulls in flight while the storm goes on
        await using HostedCacheNode hostedCache = HostedCacheNode.Start();
        byte[] offer = BatchedOffers(s_v2, (ushort)offering.EndPoint.Port).Single();
        using var http = new PeerDistHttpClient(new PeerDistHttpClientOptions { MaxConnectionsPerEndPoint = 16 });

        long before = GC.GetTotalMemory(forceFullCollection: true);
        await Parallel.ForAsync(0, 1000, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (_, token) =>
        {
            using PeerDistHttpResponse response = await http.PostAsync(hostedCache.EndPoint, PeerDistHttpPaths.HostedCacheV2, offer, token);
            Assert.That(response.Body.ToArray(), Is.EqualTo(s_ok));
        });
        await hostedCache.Server.WhenIdleAsync(cancellationToken);
        long after = GC.GetTotalMemory(forceFullCollection: true);

        HostedCacheStatistics stats = hostedCache.Server.GetStatistics();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(stats.OffersAnswered, Is.EqualTo(1000));
            Assert.That(stats.BlocksPulled, Is.EqualTo(s_v2.Segments.Count), "each segment stored once");
            Assert.That(offering.Requests, Is.LessThan(3 * s_v2.Segments.Count), "re-offers of held segments pull nothing");
            Assert.That(hostedCache.Server.PendingPulls, Is.Zero);
            Assert.That(after - before, Is.LessThan(32L << 20), "bounded memory after the storm");
        }
    }

    [Test]
    public async Task Restart_KeepsPulledContent(CancellationToken cancellationToken)
    {
        using var directory = new TempDirectory();
        await using (FaultPeer offering = FaultPeer.Start(s_v2))
        await using (HostedCacheNode first = HostedCacheNode.Start(directory.Path))
        {
            foreach (byte[] offer in BatchedOffers(s_v2, (ushort)offering.EndPoint.Port))
            {
                await PostAsync(first.EndPoint, PeerDistHttpPaths.HostedCacheV2, offer, cancellationToken);
            }

            await first.Server.WhenIdleAsync(cancellationToken);
        }

        await using HostedCacheNode restarted = HostedCacheNode.Start(directory.Path);
        (byte[] bytes, PeerDistContentStatistics client) = await ReadThroughAsync(s_v2, restarted.EndPoint, cancellationToken);

        ByteAssert.AreEqual(bytes, s_v2.Bytes, "after restart");
        Assert.That(client.BytesFromPeers, Is.EqualTo(s_v2.Bytes.Length));
    }

    private static PchcSegmentDescriptor Descriptor(ContentSegment segment) =>
        new(
            (uint)segment.BlockSize,
            (uint)segment.Length,
            s_tag,
            segment.HashAlgorithm == ContentHashAlgorithm.Sha512Truncated ? PchcSegmentDescriptor.TruncatedSha512 : PchcSegmentDescriptor.Sha256,
            segment.SegmentId);

    private static IEnumerable<byte[]> BatchedOffers(TestContent content, ushort port) =>
        content.Segments.Chunk(PchcConstants.MaxBatchedSegments).Select(batch => new PchcBatchedOfferMessage(port, batch.Select(Descriptor).ToArray()).ToArray());

    /// <summary>A SEGMENT_INFO carrying the content information restricted to <paramref name="segment"/>.</summary>
    private static byte[] SegmentInfo(TestContent content, ContentSegment segment, ushort port) =>
        new PchcSegmentInfoMessage(port, s_tag, content.Information.Restrict(segment.Range).ToArray()).ToArray();

    private static async Task<byte[]> PostAsync(IPEndPoint endPoint, string path, byte[] body, CancellationToken cancellationToken)
    {
        using var http = new PeerDistHttpClient();
        using PeerDistHttpResponse response = await http.PostAsync(endPoint, path, body, cancellationToken);
        return response.Body.ToArray();
    }

    private static async Task<(byte[] Bytes, PeerDistContentStatistics Statistics)> ReadThroughAsync(TestContent content, IPEndPoint hostedCache, CancellationToken cancellationToken)
    {
        using var cache = new MemoryContentCache();
        await using var client = new PeerDistClient(new PeerDistClientOptions { Cache = cache, PeerLocator = new StaticPeerLocator([hostedCache]) });
        await using PeerDistContent handle = client.OpenContent(content.Information);
        byte[] bytes = new byte[content.Bytes.Length];
        await handle.ReadAsync(0, bytes, cancellationToken);
        return (bytes, handle.GetStatistics());
    }
}
