using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PeerDist.Caching;
using PeerDist.Content;
using PeerDist.Retrieval.Client;
using PeerDist.Transport.Http;

namespace PeerDist.HostedCache;

/// <summary>
/// The hosted cache side of MS-PCHC (3.1): answers offers and pulls the offered segments from the offering client's
/// PCCRR server into the content cache, from which the node's PCCRR server serves every other client.
/// </summary>
/// <remarks>
/// <para>
/// <b>Decisions (wire.md §3.4).</b> INITIAL_OFFER: OK when the cache holds the segment's hashes and secret (and a pull
/// of the missing blocks starts), INTERESTED otherwise. SEGMENT_INFO: OK; the segment's hashes and Kp come with it, its
/// consistency is checked (HoD against the block hashes, HoHoDk against Kp and HoD) and its listed blocks are pulled,
/// decrypted and verified before they are cached. BATCHED_OFFER: OK; each segment the cache does not fully hold is
/// pulled with one GETBLKS per block (block 0 for V2) and stored as received ciphertext with its IV, since the offer
/// carries neither Kp nor HoD; it is replayed verbatim and verified by the clients that hold Kp. A malformed request is
/// rejected (HTTP 400 and close: no PCHC response); a well-formed offer the cache cannot use (unknown hash algorithm,
/// not exactly one segment, inconsistent hashes) is answered OK and not pulled.
/// </para>
/// <para>
/// <b>Pulls.</b> The pull goes to the request's source address and the offered port. Pulls are bounded in number
/// (<see cref="HostedCacheServerOptions.MaxConcurrentPulls"/>) and time (<see cref="HostedCacheServerOptions.PullTimeout"/>),
/// a segment already pending or being pulled is not pulled twice, and a full queue drops further pulls (the offers are
/// still answered). A bad reply (wrong type, incompatible version, wrong size, missing IV, failed verification) stops
/// the pull of that segment; nothing from that reply is cached.
/// </para>
/// <para>
/// <b>Not done.</b> Client authentication of version 1.0 (SPNEGO, a 401 challenge) is out of scope: offers over TLS
/// are accepted from any client.
/// </para>
/// </remarks>
public sealed partial class HostedCacheServer : IAsyncDisposable
{
    private readonly ContentCache _cache;
    private readonly PccrrClient _pullClient;
    private readonly HostedCacheServerOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _pullSlots;
    private readonly ConcurrentDictionary<byte[], Task> _pulls = new(SegmentIdComparer.Instance);
    private readonly CancellationTokenSource _disposing = new();
    private long _offersAnswered;
    private long _offersDropped;
    private long _interested;
    private long _notPulled;
    private long _duplicates;
    private long _pullsCompleted;
    private long _pullsFailed;
    private long _blocksPulled;
    private long _bytesPulled;
    private int _disposed;

    /// <summary>Creates a hosted cache over <paramref name="cache"/> that pulls with <paramref name="pullClient"/>.</summary>
    public HostedCacheServer(ContentCache cache, PccrrClient pullClient, HostedCacheServerOptions? options = null, ILogger<HostedCacheServer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(pullClient);
        _cache = cache;
        _pullClient = pullClient;
        _options = (options ?? new HostedCacheServerOptions()).Validate();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _pullSlots = new SemaphoreSlim(_options.MaxConcurrentPulls);
        V1Handler = new Handler(this, 1);
        V2Handler = new Handler(this, 2);
    }

    /// <summary>The handler for the version 1.0 path (<see cref="PeerDistHttpPaths.HostedCacheV1"/>, served over TLS).</summary>
    public IPeerDistRequestHandler V1Handler { get; }

    /// <summary>The handler for the version 2.0 path (<see cref="PeerDistHttpPaths.HostedCacheV2"/>, plain HTTP).</summary>
    public IPeerDistRequestHandler V2Handler { get; }

    /// <summary>The segments pending or being pulled.</summary>
    public int PendingPulls => _pulls.Count;

    /// <summary>What the server has done so far.</summary>
    public HostedCacheStatistics GetStatistics() => new()
    {
        OffersAnswered = Interlocked.Read(ref _offersAnswered),
        OffersDropped = Interlocked.Read(ref _offersDropped),
        InterestedAnswers = Interlocked.Read(ref _interested),
        SegmentsNotPulled = Interlocked.Read(ref _notPulled),
        DuplicateOffers = Interlocked.Read(ref _duplicates),
        PullsCompleted = Interlocked.Read(ref _pullsCompleted),
        PullsFailed = Interlocked.Read(ref _pullsFailed),
        BlocksPulled = Interlocked.Read(ref _blocksPulled),
        BytesPulled = Interlocked.Read(ref _bytesPulled),
    };

    /// <summary>Waits until no pull is pending or running (for tests and orderly shutdown).</summary>
    public async Task WhenIdleAsync(CancellationToken cancellationToken = default)
    {
        while (!_pulls.IsEmpty)
        {
            Task[] running = [.. _pulls.Values];
            await Task.WhenAll(running).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Cancels the pulls and waits for them to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll([.. _pulls.Values]).ConfigureAwait(false);
        _disposing.Dispose();
        _pullSlots.Dispose();
    }

    /// <summary>Answers one offer; returns the response code, or null when the request is dropped.</summary>
    internal PchcResponseCode? Answer(ReadOnlySpan<byte> body, int majorVersion, EndPoint remote)
    {
        if (!PchcMessageReader.TryRead(body, majorVersion, out PchcMessage? message, out PeerDistFormatError error, out long offset, _options.MaxMessageLength))
        {
            Interlocked.Increment(ref _offersDropped);
            LogDropped(_logger, remote, error, offset);
            return null;
        }

        Interlocked.Increment(ref _offersAnswered);
        EndPoint source = remote is IPEndPoint ip ? new IPEndPoint(ip.Address, message.Port) : remote;
        switch (message)
        {
            case PchcInitialOfferMessage offer:
                return AnswerInitialOffer(offer, source);
            case PchcSegmentInfoMessage info:
                AcceptSegmentInfo(info, source);
                return PchcResponseCode.Ok;
            default:
                foreach (PchcSegmentDescriptor segment in ((PchcBatchedOfferMessage)message).Segments)
                {
                    AcceptDescriptor(segment, source);
                }

                return PchcResponseCode.Ok;
        }
    }

    private PchcResponseCode AnswerInitialOffer(PchcInitialOfferMessage offer, EndPoint source)
    {
        if (!_cache.TryGetSegment(offer.SegmentId.Span, out SegmentMetadata? metadata) ||
            metadata.ToContentSegment() is not ContentSegment segment ||
            segment.ListedBlockCount != segment.BlockCount)
        {
            Interlocked.Increment(ref _interested);
            return PchcResponseCode.Interested;
        }

        SchedulePull(segment.SegmentId.ToArray(), source, token => PullVerifiedAsync(segment, source, token));
        return PchcResponseCode.Ok;
    }

    private void AcceptSegmentInfo(PchcSegmentInfoMessage info, EndPoint source)
    {
        if (!TryGetConsistentSegment(info, out ContentSegment? segment, out SegmentMetadata? metadata))
        {
            Interlocked.Increment(ref _notPulled);
            LogNotPulled(_logger, source, "the SEGMENT_INFO does not hold exactly one consistent segment");
            return;
        }

        if (!_cache.TryGetSegment(segment.SegmentId.Span, out SegmentMetadata? known) || !known.HasSegmentSecret)
        {
            if (known is not null)
            {
                // Known only as a replay-only segment: the hashes and Kp now arrive, so keep the verifiable form.
                _cache.RemoveSegment(segment.SegmentId.Span);
            }

            _cache.RegisterSegment(metadata);
        }

        SchedulePull(segment.SegmentId.ToArray(), source, token => PullVerifiedAsync(segment, source, token));
    }

    /// <summary>The one segment of a SEGMENT_INFO, when its hashes are consistent (HoD against the block hashes, HoHoDk against Kp and HoD).</summary>
    private static bool TryGetConsistentSegment(
        PchcSegmentInfoMessage info,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ContentSegment? segment,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SegmentMetadata? metadata)
    {
        metadata = null;
        if (!info.TryGetSegment(out segment) || segment.ListedBlockCount == 0)
        {
            return false;
        }

        try
        {
            metadata = SegmentMetadata.FromSegment(segment);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private void AcceptDescriptor(PchcSegmentDescriptor descriptor, EndPoint source)
    {
        ContentHashAlgorithm algorithm = descriptor.HashAlgorithm == PchcSegmentDescriptor.Sha256 ? ContentHashAlgorithm.Sha256 : ContentHashAlgorithm.Sha512Truncated;
        byte[] segmentId = descriptor.SegmentId.ToArray();
        if (!descriptor.IsKnownHashAlgorithm)
        {
            Interlocked.Increment(ref _notPulled);
            LogNotPulled(_logger, source, "the BATCHED_OFFER names an unknown hash algorithm");
            return;
        }

        if (_cache.TryGetSegment(segmentId, out SegmentMetadata? known))
        {
            if (known.ToContentSegment() is ContentSegment segment && segment.ListedBlockCount == segment.BlockCount)
            {
                SchedulePull(segmentId, source, token => PullVerifiedAsync(segment, source, token));
            }
            else
            {
                SchedulePull(segmentId, source, token => PullEncryptedAsync(known, source, token));
            }

            return;
        }

        bool v2 = algorithm == ContentHashAlgorithm.Sha512Truncated;
        int length = (int)Math.Min(descriptor.SegmentSize, int.MaxValue);
        SegmentMetadata metadata;
        try
        {
            metadata = SegmentMetadata.Create(algorithm, segmentId, [], [], length, v2 ? length : PeerDistConstants.BlockSize, 0, []);
        }
        catch (ArgumentException)
        {
            Interlocked.Increment(ref _notPulled);
            LogNotPulled(_logger, source, "the BATCHED_OFFER segment size is out of range");
            return;
        }

        _cache.RegisterSegment(metadata);
        SchedulePull(segmentId, source, token => PullEncryptedAsync(metadata, source, token));
    }

    private void SchedulePull(byte[] segmentId, EndPoint source, Func<CancellationToken, Task<bool>> pull)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        if (_pulls.Count >= _options.MaxPendingPulls)
        {
            Interlocked.Increment(ref _notPulled);
            LogNotPulled(_logger, source, "the pull queue is full");
            return;
        }

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task task = RunPullAsync(segmentId, start.Task, pull);
        if (!_pulls.TryAdd(segmentId, task))
        {
            Interlocked.Increment(ref _duplicates);
            start.SetCanceled();
            return;
        }

        start.SetResult();
    }

    private async Task RunPullAsync(byte[] segmentId, Task start, Func<CancellationToken, Task<bool>> pull)
    {
        try
        {
            await start.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return; // a duplicate: never registered
        }

        try
        {
            await _pullSlots.WaitAsync(_disposing.Token).ConfigureAwait(false);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_disposing.Token);
                timeout.CancelAfter(_options.PullTimeout);
                bool complete = await pull(timeout.Token).ConfigureAwait(false);
                Interlocked.Increment(ref complete ? ref _pullsCompleted : ref _pullsFailed);
            }
            finally
            {
                _pullSlots.Release();
            }
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref _pullsFailed);
        }
#pragma warning disable CA1031 // A failing pull (disk full, a disposed cache) must never take the server down.
        catch (Exception e)
        {
            Interlocked.Increment(ref _pullsFailed);
            LogPullError(_logger, e);
        }
#pragma warning restore CA1031
        finally
        {
            _pulls.TryRemove(segmentId, out _);
        }
    }

    /// <summary>Pulls the listed blocks the cache lacks, decrypted and verified by the PCCRR client; true when all are held.</summary>
    private async Task<bool> PullVerifiedAsync(ContentSegment segment, EndPoint source, CancellationToken cancellationToken)
    {
        int first = segment.FirstListedBlockIndex;
        int end = first + segment.ListedBlockCount;
        int batch = _options.PullBatchBlocks;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(batch * segment.BlockSize);
        var outcomes = new BlockOutcome[batch];
        try
        {
            for (int index = first; index < end;)
            {
                if (_cache.ContainsBlock(segment.SegmentId.Span, index))
                {
                    index++;
                    continue;
                }

                int count = 1;
                while (count < batch && index + count < end && !_cache.ContainsBlock(segment.SegmentId.Span, index + count))
                {
                    count++;
                }

                await _pullClient.GetBlocksAsync(source, segment, index, count, buffer, outcomes, cancellationToken).ConfigureAwait(false);
                for (int i = 0; i < count; i++)
                {
                    BlockOutcome outcome = outcomes[i];
                    if (outcome == BlockOutcome.Delivered)
                    {
                        int length = (int)segment.GetBlockRange(index + i).Length;
                        BlockPutResult put = _cache.PutBlock(segment.SegmentId.Span, index + i, buffer.AsSpan(i * segment.BlockSize, length));
                        if (put == BlockPutResult.Stored)
                        {
                            Interlocked.Increment(ref _blocksPulled);
                            Interlocked.Add(ref _bytesPulled, length);
                        }
                    }
                    else if (outcome is not (BlockOutcome.Missing or BlockOutcome.Busy))
                    {
                        LogPullStopped(_logger, source, outcome);
                        return false;
                    }
                }

                index += count;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }

        return HoldsAll(segment.SegmentId.Span, first, end);
    }

    /// <summary>Pulls the blocks of a replay-only segment as received ciphertext; true when all are held.</summary>
    private async Task<bool> PullEncryptedAsync(SegmentMetadata metadata, EndPoint source, CancellationToken cancellationToken)
    {
        for (int index = 0; index < metadata.BlockCount; index++)
        {
            if (_cache.ContainsBlock(metadata.SegmentId.Span, index))
            {
                continue;
            }

            int length = metadata.GetBlockLength(index);
            PccrrEncryptedBlockResult result = await _pullClient.GetEncryptedBlockAsync(source, metadata.SegmentId, index, length, cancellationToken).ConfigureAwait(false);
            if (result.Outcome == BlockOutcome.Delivered)
            {
                var record = new EncryptedBlock((int)result.CryptoAlgorithm, result.InitializationVector.Span, result.Ciphertext.Span);
                if (_cache.PutEncryptedBlock(metadata.SegmentId.Span, index, record) == BlockPutResult.Stored)
                {
                    Interlocked.Increment(ref _blocksPulled);
                    Interlocked.Add(ref _bytesPulled, length);
                }
            }
            else if (result.Outcome is not (BlockOutcome.Missing or BlockOutcome.Busy))
            {
                LogPullStopped(_logger, source, result.Outcome);
                return false;
            }
        }

        return HoldsAll(metadata.SegmentId.Span, 0, metadata.BlockCount);
    }

    private bool HoldsAll(ReadOnlySpan<byte> segmentId, int first, int end)
    {
        for (int index = first; index < end; index++)
        {
            if (!_cache.ContainsBlock(segmentId, index))
            {
                return false;
            }
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dropped a malformed offer from {Remote}: {Error} at byte {Offset}")]
    private static partial void LogDropped(ILogger logger, EndPoint remote, PeerDistFormatError error, long offset);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Offer from {Source} answered OK but not pulled: {Reason}")]
    private static partial void LogNotPulled(ILogger logger, EndPoint source, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pull from {Source} stopped: {Outcome}")]
    private static partial void LogPullStopped(ILogger logger, EndPoint source, BlockOutcome outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A pull failed")]
    private static partial void LogPullError(ILogger logger, Exception exception);

    /// <summary>One of the two offer paths: the transport's view of the server.</summary>
    private sealed class Handler(HostedCacheServer server, int majorVersion) : IPeerDistRequestHandler
    {
        public ValueTask<PeerDistHandlerResult> HandleAsync(
            ReadOnlySequence<byte> requestBody,
            EndPoint remoteEndPoint,
            IBufferWriter<byte> responseBody,
            CancellationToken cancellationToken)
        {
            if (requestBody.Length > server._options.MaxMessageLength)
            {
                Interlocked.Increment(ref server._offersDropped);
                return ValueTask.FromResult(PeerDistHandlerResult.Reject);
            }

            byte[]? rented = null;
            ReadOnlySpan<byte> body;
            if (requestBody.IsSingleSegment)
            {
                body = requestBody.FirstSpan;
            }
            else
            {
                rented = ArrayPool<byte>.Shared.Rent((int)requestBody.Length);
                requestBody.CopyTo(rented);
                body = rented.AsSpan(0, (int)requestBody.Length);
            }

            try
            {
                PchcResponseCode? code = server.Answer(body, majorVersion, remoteEndPoint);
                if (code is not PchcResponseCode answer)
                {
                    return ValueTask.FromResult(PeerDistHandlerResult.Reject);
                }

                int written = PchcResponse.Write(answer, responseBody.GetSpan(PchcConstants.ResponseLength));
                responseBody.Advance(written);
                return ValueTask.FromResult(PeerDistHandlerResult.Respond);
            }
            finally
            {
                if (rented is not null)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }
        }
    }
}
