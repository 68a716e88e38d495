using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PeerDist.Content;
using PeerDist.Cryptography;
using PeerDist.Peer;
using PeerDist.Retrieval;
using PeerDist.Retrieval.Client;
using PeerDist.Retrieval.Server;
using PeerDist.Tests.Shared;
using PeerDist.Transport.Http;

namespace PeerDist.Tests.Peer;

/// <summary>
/// End to end over real loopback sockets: node A (<see cref="ServingNode"/>: FileContentCache + PccrrServer +
/// PeerDistHttpServer) and node B (<see cref="PccrrClient"/> over <see cref="HttpPccrrTransport"/>, holding only the
/// content information).
/// </summary>
[Category("Socket")]
public sealed class PeerRetrievalTests
{
    private const int MatrixLength = 16 * 1024 * 1024;
    private const int LargeLength = 100 * 1024 * 1024;

    private static readonly Lazy<(byte[] Content, ContentInformation Information)> s_v1 = new(() => Build(MatrixLength, ContentInformationVersion.V1, seed: 1));
    private static readonly Lazy<(byte[] Content, ContentInformation Information)> s_v2 = new(() => Build(3 * 1024 * 1024, ContentInformationVersion.V2, seed: 2));
    private static readonly Lazy<(byte[] Content, ContentInformation Information)> s_small = new(() => Build((20 * PeerDistConstants.BlockSize) + 123, ContentInformationVersion.V1, seed: 3));

    [TestCase(PccrrCryptoAlgorithm.None)]
    [TestCase(PccrrCryptoAlgorithm.Aes128)]
    [TestCase(PccrrCryptoAlgorithm.Aes192)]
    [TestCase(PccrrCryptoAlgorithm.Aes256)]
    [CancelAfter(30_000)]
    public async Task GetBlocksAsync_V1ContentEachAlgorithm_DeliversEveryBlock(PccrrCryptoAlgorithm algorithm, CancellationToken cancellationToken)
    {
        (byte[] content, ContentInformation information) = s_v1.Value;
        await using ServingNode node = ServingNode.Start(information, content, new PccrrServerOptions { CryptoAlgorithm = algorithm });

        byte[] fetched = await FetchAllAsync(node.EndPoint, information, content.Length, new PccrrClientOptions { CryptoAlgorithm = algorithm }, cancellationToken);

        Assert.That(fetched.AsSpan().SequenceEqual(content), Is.True);
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task GetBlocksAsync_100MiBV1Aes128_DeliversEveryBlock(CancellationToken cancellationToken)
    {
        // The scenario: node A caches a 100 MiB file; node B, holding only the content information, fetches every block from A.
        (byte[] content, ContentInformation information) = Build(LargeLength, ContentInformationVersion.V1, seed: 100);
        await using ServingNode node = ServingNode.Start(information, content, new PccrrServerOptions { CryptoAlgorithm = PccrrCryptoAlgorithm.Aes128 });

        var watch = Stopwatch.StartNew();
        byte[] fetched = await FetchAllAsync(node.EndPoint, information, content.Length, new PccrrClientOptions(), cancellationToken);
        watch.Stop();
        TestContext.Out.WriteLine($"100 MiB V1 AES-128 over loopback: {watch.Elapsed.TotalMilliseconds:F0} ms");

        Assert.That(fetched.AsSpan().SequenceEqual(content), Is.True);
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task GetBlocksAsync_V2Content_DeliversEverySegment(CancellationToken cancellationToken)
    {
        (byte[] content, ContentInformation information) = s_v2.Value;
        Assert.That(information.Version, Is.EqualTo(ContentInformationVersion.V2));
        await using ServingNode node = ServingNode.Start(information, content);

        byte[] fetched = await FetchAllAsync(node.EndPoint, information, content.Length, new PccrrClientOptions(), cancellationToken);

        Assert.That(fetched.AsSpan().SequenceEqual(content), Is.True);
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task GetBlocksAsync_PeerHoldsFirstHalf_RestMissing(CancellationToken cancellationToken)
    {
        (byte[] content, ContentInformation information) = s_small.Value;
        ContentSegment segment = information.Segments[0];
        int half = segment.BlockCount / 2;
        await using ServingNode node = ServingNode.Start(information, content, hold: (_, block) => block < half);
        using var http = new PeerDistHttpClient();
        var client = new PccrrClient(new HttpPccrrTransport(http));
        byte[] destination = new byte[segment.Length];
        var outcomes = new BlockOutcome[segment.BlockCount];

        int delivered = await client.GetBlocksAsync(node.EndPoint, segment, 0, segment.BlockCount, destination, outcomes, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(delivered, Is.EqualTo(half));
            Assert.That(outcomes[..half], Is.All.EqualTo(BlockOutcome.Delivered));
            Assert.That(outcomes[half..], Is.All.EqualTo(BlockOutcome.Missing));
            int heldLength = (int)(segment.GetBlockRange(half).Start - segment.Offset);
            Assert.That(destination.AsSpan(0, heldLength).SequenceEqual(content.AsSpan((int)segment.Offset, heldLength)), Is.True);
        });
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task GetBlocksAsync_PeerFlipsCiphertextBit_BadDataAndNothingDelivered(CancellationToken cancellationToken)
    {
        (byte[] content, ContentInformation information) = s_small.Value;
        ContentSegment segment = information.Segments[0];
        await using ServingNode node = ServingNode.Start(information, content, wrap: inner => new BitFlippingHandler(inner));
        using var http = new PeerDistHttpClient();
        var client = new PccrrClient(new HttpPccrrTransport(http));
        byte[] destination = new byte[segment.Length];
        var outcomes = new BlockOutcome[8];

        int delivered = await client.GetBlocksAsync(node.EndPoint, segment, 0, outcomes.Length, destination, outcomes, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(delivered, Is.Zero);
            Assert.That(outcomes, Is.All.EqualTo(BlockOutcome.BadData));
            Assert.That(destination.AsSpan().ContainsAnyExcept((byte)0), Is.False);
        });
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task GetBlockAsync_PeerStalls_Timeout(CancellationToken cancellationToken)
    {
        (byte[] content, ContentInformation information) = s_small.Value;
        ContentSegment segment = information.Segments[0];
        using var release = new CancellationTokenSource();
        await using ServingNode node = ServingNode.Start(information, content, wrap: _ => new StallingHandler(release.Token));
        try
        {
            using var http = new PeerDistHttpClient();
            var client = new PccrrClient(new HttpPccrrTransport(http), new PccrrClientOptions { RequestTimeout = TimeSpan.FromMilliseconds(200) });
            byte[] destination = new byte[PeerDistConstants.BlockSize];
            var watch = Stopwatch.StartNew();

            BlockOutcome outcome = await client.GetBlockAsync(node.EndPoint, segment, 0, destination, cancellationToken);

            Assert.Multiple(() =>
            {
                Assert.That(outcome, Is.EqualTo(BlockOutcome.Timeout));
                Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
            });
        }
        finally
        {
            await release.CancelAsync();
        }
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task GetBlocksAsync_PeerAtBusyThreshold_BusyForListedBlocks(CancellationToken cancellationToken)
    {
        (byte[] content, ContentInformation information) = s_small.Value;
        ContentSegment segment = information.Segments[0];
        BusyAfterFirstRequestHandler? busy = null;
        await using ServingNode node = ServingNode.Start(
            information,
            content,
            new PccrrServerOptions { MaxActiveClients = 1 },
            wrap: inner => busy = new BusyAfterFirstRequestHandler(inner));
        try
        {
            using var http = new PeerDistHttpClient();
            var client = new PccrrClient(new HttpPccrrTransport(http));
            byte[] destination = new byte[segment.Length];
            var outcomes = new BlockOutcome[6];

            // The block list is answered; then another client's upload holds the only slot, so every listed block comes back empty.
            int delivered = await client.GetBlocksAsync(node.EndPoint, segment, 0, outcomes.Length, destination, outcomes, cancellationToken);
            PccrrBlockListResult list = await client.GetBlockListAsync(node.EndPoint, segment, new[] { new PccrrBlockRange(0, 4) }, cancellationToken);

            Assert.Multiple(() =>
            {
                Assert.That(node.Server.ActiveClientCount, Is.EqualTo(1));
                Assert.That(delivered, Is.Zero);
                Assert.That(outcomes, Is.All.EqualTo(BlockOutcome.Busy));
                Assert.That(list.Outcome, Is.EqualTo(BlockOutcome.Delivered));
                Assert.That(list.BlockRanges.IsEmpty, Is.True);
            });
        }
        finally
        {
            busy?.Release();
        }
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task GetBlockListAsync_RequestHeldOpenAtThresholdOne_EmptyList(CancellationToken cancellationToken)
    {
        (byte[] content, ContentInformation information) = s_small.Value;
        ContentSegment segment = information.Segments[0];
        using var gate = new GatedHandlerState();
        await using ServingNode node = ServingNode.Start(
            information,
            content,
            new PccrrServerOptions { MaxActiveClients = 1 },
            wrapSource: source => new GatedSource(source, gate));
        using var http = new PeerDistHttpClient();
        var client = new PccrrClient(new HttpPccrrTransport(http), new PccrrClientOptions { RequestTimeout = TimeSpan.FromSeconds(10) });
        byte[] heldDestination = new byte[PeerDistConstants.BlockSize];

        // The first request enters the engine and is held there (a slow upload), taking the only slot.
        gate.HoldNext = true;
        ValueTask<BlockOutcome> held = client.GetBlockAsync(node.EndPoint, segment, 0, heldDestination, cancellationToken);
        Assert.That(gate.Entered.Wait(TimeSpan.FromSeconds(10), cancellationToken), Is.True);
        PccrrBlockListResult list = await client.GetBlockListAsync(node.EndPoint, segment, new[] { new PccrrBlockRange(0, 4) }, cancellationToken);
        gate.Release.Set();
        BlockOutcome heldOutcome = await held;

        Assert.Multiple(() =>
        {
            Assert.That(list.Outcome, Is.EqualTo(BlockOutcome.Delivered));
            Assert.That(list.BlockRanges.IsEmpty, Is.True);
            Assert.That(heldOutcome, Is.EqualTo(BlockOutcome.Delivered));
        });
    }

    [TestCase(3, 3, 1)]
    [TestCase(1, 1, 2)]
    [CancelAfter(30_000)]
    public async Task GetBlockAsync_PeerAlwaysAnswersNegotiateResponse_IncompatibleVersion(int minMajor, int maxMajor, int expectedRequests, CancellationToken cancellationToken)
    {
        (byte[] content, ContentInformation information) = s_small.Value;
        ContentSegment segment = information.Segments[0];
        var negotiator = new NegotiateOnlyHandler(new PccrrVersion((ushort)minMajor, 0), new PccrrVersion((ushort)maxMajor, 0));
        await using ServingNode node = ServingNode.Start(information, content, wrap: _ => negotiator);
        using var http = new PeerDistHttpClient();
        var client = new PccrrClient(new HttpPccrrTransport(http));
        byte[] destination = new byte[PeerDistConstants.BlockSize];

        BlockOutcome first = await client.GetBlockAsync(node.EndPoint, segment, 0, destination, cancellationToken);
        BlockOutcome second = await client.GetBlockAsync(node.EndPoint, segment, 1, destination, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(BlockOutcome.IncompatibleVersion));
            Assert.That(second, Is.EqualTo(BlockOutcome.IncompatibleVersion));
            Assert.That(client.GetPeerVersion(node.EndPoint), Is.Null);
            Assert.That(negotiator.RequestCount, Is.EqualTo(expectedRequests), "the second call must not reach the peer");
        });
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task GetBlocksAsync_IPv6Loopback_DeliversEveryBlock(CancellationToken cancellationToken)
    {
        if (!Socket.OSSupportsIPv6 || !CanBindIPv6Loopback())
        {
            Assert.Ignore("IPv6 loopback (::1) is not available.");
        }

        (byte[] content, ContentInformation information) = s_small.Value;
        await using ServingNode node = ServingNode.Start(information, content, address: IPAddress.IPv6Loopback);
        Assert.That(node.EndPoint.AddressFamily, Is.EqualTo(AddressFamily.InterNetworkV6));

        byte[] fetched = await FetchAllAsync(node.EndPoint, information, content.Length, new PccrrClientOptions(), cancellationToken);

        Assert.That(fetched.AsSpan().SequenceEqual(content), Is.True);
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task SendAsync_NothingListening_ConnectFailed(CancellationToken cancellationToken)
    {
        IPEndPoint closed;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            closed = (IPEndPoint)probe.LocalEndPoint!;
        }

        using var http = new PeerDistHttpClient();
        var transport = new HttpPccrrTransport(http);

        using PccrrTransportResponse response = await transport.SendAsync(closed, new byte[] { 1, 2, 3 }, cancellationToken);

        Assert.That(response.Status, Is.EqualTo(PccrrTransportStatus.ConnectFailed));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task SendAsync_MalformedRequest_HttpError(CancellationToken cancellationToken)
    {
        (byte[] content, ContentInformation information) = s_small.Value;
        await using ServingNode node = ServingNode.Start(information, content);
        using var http = new PeerDistHttpClient();
        var transport = new HttpPccrrTransport(http);

        using PccrrTransportResponse response = await transport.SendAsync(node.EndPoint, new byte[] { 1, 2, 3 }, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(response.Status, Is.EqualTo(PccrrTransportStatus.HttpError));
            Assert.That(response.Body.IsEmpty, Is.True);
        });
    }

    private static (byte[] Content, ContentInformation Information) Build(int length, ContentInformationVersion version, ulong seed)
    {
        byte[] content = PseudoRandomContent.Create(seed, length);
        using ServerSecret secret = ServerSecret.FromPassphrase("peer retrieval tests");
        ContentInformation information = ContentInformationBuilder.Create(
            (ReadOnlyMemory<byte>)content,
            secret,
            new ContentInformationBuilderOptions { Version = version });
        return (content, information);
    }

    /// <summary>Node B: fetches every block of every segment (segments in parallel) and checks every outcome.</summary>
    private static async Task<byte[]> FetchAllAsync(IPEndPoint peer, ContentInformation information, int length, PccrrClientOptions options, CancellationToken cancellationToken)
    {
        using var http = new PeerDistHttpClient();
        var client = new PccrrClient(new HttpPccrrTransport(http), options);
        byte[] fetched = new byte[length];
        int failures = 0;
        await Parallel.ForEachAsync(
            information.Segments,
            new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (segment, token) =>
            {
                var outcomes = new BlockOutcome[segment.BlockCount];
                int delivered = await client.GetBlocksAsync(peer, segment, 0, segment.BlockCount, fetched.AsMemory((int)segment.Offset, segment.Length), outcomes, token);
                if (delivered != segment.BlockCount)
                {
                    Interlocked.Increment(ref failures);
                }
            });
        Assert.That(failures, Is.Zero, "segments with a block not delivered");
        return fetched;
    }

    private static bool CanBindIPv6Loopback()
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>A lying peer: answers as the real one, with one bit flipped in the middle of every large (MSG_BLK) body.</summary>
    private sealed class BitFlippingHandler(IPeerDistRequestHandler inner) : IPeerDistRequestHandler
    {
        public async ValueTask<PeerDistHandlerResult> HandleAsync(ReadOnlySequence<byte> requestBody, EndPoint remoteEndPoint, IBufferWriter<byte> responseBody, CancellationToken cancellationToken)
        {
            var buffer = new ArrayBufferWriter<byte>();
            PeerDistHandlerResult result = await inner.HandleAsync(requestBody, remoteEndPoint, buffer, cancellationToken);
            byte[] body = buffer.WrittenSpan.ToArray();
            if (body.Length > 1024)
            {
                body[body.Length / 2] ^= 0x10; // inside the 64 KiB Block field of MSG_BLK
            }

            responseBody.Write(body);
            return result;
        }
    }

    /// <summary>A stalling peer: never answers until the test releases it.</summary>
    private sealed class StallingHandler(CancellationToken release) : IPeerDistRequestHandler
    {
        public async ValueTask<PeerDistHandlerResult> HandleAsync(ReadOnlySequence<byte> requestBody, EndPoint remoteEndPoint, IBufferWriter<byte> responseBody, CancellationToken cancellationToken)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(release, cancellationToken);
            try
            {
                await Task.Delay(Timeout.Infinite, linked.Token);
            }
            catch (OperationCanceledException)
            {
            }

            return PeerDistHandlerResult.Close;
        }
    }

    /// <summary>After the first request, takes an Active Client Count unit (another client's upload in progress) until released.</summary>
    private sealed class BusyAfterFirstRequestHandler(PccrrRequestHandler inner) : IPeerDistRequestHandler
    {
        private ActiveClientScope _scope;
        private int _requests;

        public void Release() => _scope.Dispose();

        public async ValueTask<PeerDistHandlerResult> HandleAsync(ReadOnlySequence<byte> requestBody, EndPoint remoteEndPoint, IBufferWriter<byte> responseBody, CancellationToken cancellationToken)
        {
            PeerDistHandlerResult result = await inner.HandleAsync(requestBody, remoteEndPoint, responseBody, cancellationToken);
            if (Interlocked.Increment(ref _requests) == 1)
            {
                _scope = inner.Server.EnterClient();
            }

            return result;
        }
    }

    private sealed class GatedHandlerState : IDisposable
    {
        public volatile bool HoldNext;

        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public void Dispose()
        {
            Release.Set();
            Entered.Dispose();
            Release.Dispose();
        }
    }

    /// <summary>Holds the flagged request inside the engine (its block read blocks) so it keeps the Active Client Count raised.</summary>
    private sealed class GatedSource(IBlockSource inner, GatedHandlerState state) : IBlockSource
    {
        public bool ContainsSegment(ReadOnlySpan<byte> segmentId) => inner.ContainsSegment(segmentId);

        public bool ContainsBlock(ReadOnlySpan<byte> segmentId, uint blockIndex) => inner.ContainsBlock(segmentId, blockIndex);

        public bool TryGetBlock(ReadOnlySpan<byte> segmentId, uint blockIndex, out BlockSourceBlock block) => inner.TryGetBlock(segmentId, blockIndex, out block);

        public bool TryReadPlaintext(ReadOnlySpan<byte> segmentId, uint blockIndex, Span<byte> destination)
        {
            if (state.HoldNext)
            {
                state.HoldNext = false;
                state.Entered.Set();
                state.Release.Wait(TimeSpan.FromSeconds(10));
            }

            return inner.TryReadPlaintext(segmentId, blockIndex, destination);
        }

        public bool TryReadSegmentSecret(ReadOnlySpan<byte> segmentId, Span<byte> destination, out int bytesWritten) => inner.TryReadSegmentSecret(segmentId, destination, out bytesWritten);

        public bool TryReadEncrypted(ReadOnlySpan<byte> segmentId, uint blockIndex, Span<byte> ciphertext, Span<byte> iv) => inner.TryReadEncrypted(segmentId, blockIndex, ciphertext, iv);

        public bool TryGetSegmentAge(ReadOnlySpan<byte> segmentId, out TimeSpan age) => inner.TryGetSegmentAge(segmentId, out age);
    }

    /// <summary>A peer from another protocol generation: answers every request with the same MSG_NEGO_RESP.</summary>
    private sealed class NegotiateOnlyHandler(PccrrVersion min, PccrrVersion max) : IPeerDistRequestHandler
    {
        private int _requests;

        public int RequestCount => Volatile.Read(ref _requests);

        public ValueTask<PeerDistHandlerResult> HandleAsync(ReadOnlySequence<byte> requestBody, EndPoint remoteEndPoint, IBufferWriter<byte> responseBody, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            new PccrrNegotiateResponse(min, max).Write(responseBody);
            return new ValueTask<PeerDistHandlerResult>(PeerDistHandlerResult.Respond);
        }
    }
}
