using System.Net;
using PeerDist.Caching;
using PeerDist.Content;
using PeerDist.Cryptography;
using PeerDist.Peer;
using PeerDist.Retrieval;
using PeerDist.Retrieval.Client;
using PeerDist.Retrieval.Server;
using PeerDist.Tests.Shared;
using PeerDist.Transport.Http;

namespace PeerDist.Tests.Peer;

/// <summary>The replay path of <see cref="ContentCacheBlockSource"/>: a cache without Kp (a hosted cache) serving stored encrypted records.</summary>
public sealed class ContentCacheBlockSourceTests
{
    [Test]
    public void TryGetBlock_SegmentWithoutSecret_ReportsStoredRecord()
    {
        (ContentSegment segment, byte[] content) = CreateSegment();
        using var cache = new MemoryContentCache();
        StoreEncrypted(cache, segment, content, PccrrCryptoAlgorithm.Aes256);
        var source = new ContentCacheBlockSource(cache);

        bool found = source.TryGetBlock(segment.SegmentId.Span, 1, out BlockSourceBlock block);
        byte[] ciphertext = new byte[block.Length];
        byte[] iv = new byte[16];
        bool read = source.TryReadEncrypted(segment.SegmentId.Span, 1, ciphertext, iv);
        bool beyond = source.TryGetBlock(segment.SegmentId.Span, (uint)segment.BlockCount, out _);
        bool hasSecret = source.TryReadSegmentSecret(segment.SegmentId.Span, new byte[64], out _);

        Assert.Multiple(() =>
        {
            Assert.That(found, Is.True);
            Assert.That(block.Format, Is.EqualTo(BlockSourceFormat.Encrypted));
            Assert.That(block.CryptoAlgorithm, Is.EqualTo(PccrrCryptoAlgorithm.Aes256));
            Assert.That(read, Is.True);
            Assert.That(hasSecret, Is.False);
            Assert.That(beyond, Is.False);
        });
    }

    [Test]
    [Category("Socket")]
    [CancelAfter(30_000)]
    public async Task GetBlocksAsync_HostedCacheReplaysEncryptedRecords_DeliversEveryBlock(CancellationToken cancellationToken)
    {
        (ContentSegment segment, byte[] content) = CreateSegment();
        using var cache = new MemoryContentCache();
        StoreEncrypted(cache, segment, content, PccrrCryptoAlgorithm.Aes192);
        var server = new PccrrServer(new ContentCacheBlockSource(cache));
        await using var http = new PeerDistHttpServer(
            new PeerDistHttpServerOptions { EndPoints = [new IPEndPoint(IPAddress.Loopback, 0)] },
            new PccrrRequestHandler(server));
        http.Start();
        using var httpClient = new PeerDistHttpClient();
        var client = new PccrrClient(new HttpPccrrTransport(httpClient));
        byte[] destination = new byte[segment.Length];
        var outcomes = new BlockOutcome[segment.BlockCount];

        int delivered = await client.GetBlocksAsync(http.LocalEndPoints[0], segment, 0, segment.BlockCount, destination, outcomes, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(delivered, Is.EqualTo(segment.BlockCount));
            Assert.That(destination.AsSpan().SequenceEqual(content), Is.True);
        });
    }

    [Test]
    public void TryFindHeldBlock_SparseCache_AgreesWithBlockByBlockScan()
    {
        (ContentSegment segment, byte[] content) = CreateSegment();
        using var cache = new MemoryContentCache();
        cache.RegisterSegment(segment);
        foreach (int i in new[] { 2, 4 })
        {
            ContentRange range = segment.GetBlockRange(i);
            cache.PutBlock(segment.SegmentId.Span, i, content.AsSpan((int)range.Start, (int)range.Length));
        }

        IBlockSource source = new ContentCacheBlockSource(cache);
        for (uint start = 0; start < 8; start++)
        {
            // The oracle: the first index at or after start for which ContainsBlock says held.
            uint? expected = null;
            for (uint i = start; i < PeerDistConstants.MaxBlocksPerSegment && expected is null; i++)
            {
                expected = source.ContainsBlock(segment.SegmentId.Span, i) ? i : null;
            }

            bool found = source.TryFindHeldBlock(segment.SegmentId.Span, start, out uint index);
            Assert.That(found ? index : (uint?)null, Is.EqualTo(expected), $"start {start}");
        }

        Assert.That(source.TryFindHeldBlock(segment.SegmentId.Span, 0, out uint first) && first == 2, Is.True);
    }

    [Test]
    public void TryGetSegmentAge_RegisteredSegment_ReportsTimeSinceRegistration()
    {
        (ContentSegment segment, _) = CreateSegment();
        var time = new PeerDist.Tests.Caching.FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero));
        using var cache = new MemoryContentCache(new ContentCacheOptions { TimeProvider = time });
        var source = new ContentCacheBlockSource(cache);
        Assert.That(source.TryGetSegmentAge(segment.SegmentId.Span, out _), Is.False);
        cache.RegisterSegment(segment);
        time.Advance(TimeSpan.FromSeconds(90));

        Assert.That(source.TryGetSegmentAge(segment.SegmentId.Span, out TimeSpan age), Is.True);
        Assert.That(age, Is.EqualTo(TimeSpan.FromSeconds(90)));
    }

    private static (ContentSegment Segment, byte[] Content) CreateSegment()
    {
        byte[] content = PseudoRandomContent.Create(7, (6 * PeerDistConstants.BlockSize) + 999);
        using ServerSecret secret = ServerSecret.FromPassphrase("replay tests");
        ContentInformation information = ContentInformationBuilder.Create((ReadOnlyMemory<byte>)content, secret);
        return (information.Segments[0], content);
    }

    /// <summary>Registers the segment without Kp and stores every block as the encrypted record a client would have received.</summary>
    private static void StoreEncrypted(ContentCache cache, ContentSegment segment, byte[] content, PccrrCryptoAlgorithm algorithm)
    {
        SegmentMetadata withKp = SegmentMetadata.FromSegment(segment);
        SegmentMetadata metadata = SegmentMetadata.Create(
            withKp.HashAlgorithm, withKp.SegmentId.Span, withKp.HashOfData.Span, [], withKp.SegmentLength, withKp.BlockSize, withKp.FirstListedBlockIndex, withKp.BlockHashes.Span);
        Assert.That(cache.RegisterSegment(metadata), Is.True);
        byte[] iv = new byte[16];
        for (int i = 0; i < segment.BlockCount; i++)
        {
            ContentRange range = segment.GetBlockRange(i);
            ReadOnlySpan<byte> plaintext = content.AsSpan((int)range.Start, (int)range.Length);
            iv.AsSpan().Fill((byte)i);
            byte[] ciphertext = new byte[PeerDistBlockCipher.GetCiphertextLength(plaintext.Length, algorithm)];
            int written = PeerDistBlockCipher.Encrypt(plaintext, segment.SegmentSecret.Span, algorithm, iv, ciphertext);
            BlockPutResult put = cache.PutEncryptedBlock(segment.SegmentId.Span, i, new EncryptedBlock((int)algorithm, iv, ciphertext.AsSpan(0, written)));
            Assert.That(put, Is.EqualTo(BlockPutResult.Stored));
        }
    }
}
