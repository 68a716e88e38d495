using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PeerDist.Client;
using PeerDist.Content;
using PeerDist.Transport.Http;

namespace PeerDist.HostedCache;

/// <summary>
/// The offering client of MS-PCHC (3.2): segments a download completed from the origin are queued and offered to the
/// hosted cache in the background — version 2.0 as BATCHED_OFFERs of up to 128 segments, version 1.0 as an
/// INITIAL_OFFER per segment followed by a SEGMENT_INFO when the hosted cache answers INTERESTED. An offer the hosted
/// cache did not take (unreachable, timeout, an unexpected answer) is retried with exponential back-off up to
/// <see cref="HostedCacheOffererOptions.MaxAttempts"/>; the application's reads never wait for any of it.
/// </summary>
/// <remarks>
/// The node must keep its PCCRR server running on <see cref="HostedCacheOffererOptions.PccrrPort"/> and the blocks in
/// its cache until the hosted cache has pulled them. A segment is offered once per offerer.
/// </remarks>
public sealed partial class HostedCacheOfferer : IContentOfferer, IAsyncDisposable
{
    private readonly HostedCacheOffererOptions _options;
    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly ILogger _logger;
    private readonly Channel<(ContentInformation Information, ContentSegment Segment)> _queue;
    private readonly ConcurrentDictionary<byte[], byte> _seen = new(Caching.SegmentIdComparer.Instance);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private long _offered;
    private long _sent;
    private long _failed;
    private long _interested;
    private long _dropped;
    private int _idle = 1;
    private int _disposed;

    /// <summary>Creates the offerer and starts its background loop.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public HostedCacheOfferer(HostedCacheOffererOptions options, ILogger<HostedCacheOfferer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validate();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _http = new HttpClient(options.Handler ?? new SocketsHttpHandler { UseProxy = false }, disposeHandler: true)
        {
            Timeout = options.RequestTimeout,
        };
        string path = options.Version == HostedCacheProtocolVersion.V1 ? PeerDistHttpPaths.HostedCacheV1 : PeerDistHttpPaths.HostedCacheV2;
        _endpoint = new Uri(options.HostedCache!, path);
        _queue = Channel.CreateBounded<(ContentInformation, ContentSegment)>(new BoundedChannelOptions(options.MaxQueuedSegments)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropWrite,
        });
        _loop = RunAsync();
    }

    /// <summary>True when nothing is queued or being offered.</summary>
    public bool IsIdle => Volatile.Read(ref _idle) == 1 && _queue.Reader.Count == 0;

    /// <inheritdoc/>
    public void OfferSegment(ContentInformation information, ContentSegment segment)
    {
        ArgumentNullException.ThrowIfNull(information);
        ArgumentNullException.ThrowIfNull(segment);
        if (Volatile.Read(ref _disposed) != 0 || !_seen.TryAdd(segment.SegmentId.ToArray(), 0))
        {
            return;
        }

        if (!_queue.Writer.TryWrite((information, segment)))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>What the offerer has done so far.</summary>
    public HostedCacheOffererStatistics GetStatistics() => new()
    {
        SegmentsOffered = Interlocked.Read(ref _offered),
        RequestsSent = Interlocked.Read(ref _sent),
        RequestsFailed = Interlocked.Read(ref _failed),
        InterestedAnswers = Interlocked.Read(ref _interested),
        SegmentsDropped = Interlocked.Read(ref _dropped),
    };

    /// <summary>Waits until every queued segment has been offered or given up (for tests and orderly shutdown).</summary>
    public async Task WhenIdleAsync(CancellationToken cancellationToken = default)
    {
        while (!IsIdle)
        {
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops offering; queued segments are dropped.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _http.Dispose();
        _stopping.Dispose();
    }

    private async Task RunAsync()
    {
        await Task.Yield();
        CancellationToken stopping = _stopping.Token;
        ChannelReader<(ContentInformation Information, ContentSegment Segment)> reader = _queue.Reader;
        var batch = new List<(ContentInformation Information, ContentSegment Segment)>(PchcConstants.MaxBatchedSegments);
        while (await reader.WaitToReadAsync(stopping).ConfigureAwait(false))
        {
            Volatile.Write(ref _idle, 0);
            if (_options.Version == HostedCacheProtocolVersion.V2 && _options.BatchDelay > TimeSpan.Zero)
            {
                await Task.Delay(_options.BatchDelay, _options.TimeProvider, stopping).ConfigureAwait(false);
            }

            while (batch.Count < PchcConstants.MaxBatchedSegments && reader.TryRead(out (ContentInformation, ContentSegment) item))
            {
                batch.Add(item);
                if (_options.Version == HostedCacheProtocolVersion.V1)
                {
                    break; // version 1.0 offers one segment per exchange
                }
            }

            await OfferWithRetriesAsync(batch, stopping).ConfigureAwait(false);
            batch.Clear();
            Volatile.Write(ref _idle, 1);
        }
    }

    private async Task OfferWithRetriesAsync(List<(ContentInformation Information, ContentSegment Segment)> batch, CancellationToken stopping)
    {
        TimeSpan delay = _options.InitialRetryDelay;
        for (int attempt = 1; ; attempt++)
        {
            string? failure = _options.Version == HostedCacheProtocolVersion.V2
                ? await OfferBatchAsync(batch, stopping).ConfigureAwait(false)
                : await OfferOneAsync(batch[0].Information, batch[0].Segment, stopping).ConfigureAwait(false);
            if (failure is null)
            {
                Interlocked.Add(ref _offered, batch.Count);
                return;
            }

            if (attempt == _options.MaxAttempts)
            {
                Interlocked.Add(ref _dropped, batch.Count);
                LogGivenUp(_logger, batch.Count, attempt, failure);
                return;
            }

            LogRetrying(_logger, failure, delay);
            await Task.Delay(delay, _options.TimeProvider, stopping).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
        }
    }

    private async Task<string?> OfferBatchAsync(List<(ContentInformation Information, ContentSegment Segment)> batch, CancellationToken stopping)
    {
        var descriptors = new PchcSegmentDescriptor[batch.Count];
        for (int i = 0; i < batch.Count; i++)
        {
            ContentSegment segment = batch[i].Segment;
            byte algorithm = segment.HashAlgorithm == ContentHashAlgorithm.Sha512Truncated ? PchcSegmentDescriptor.TruncatedSha512 : PchcSegmentDescriptor.Sha256;
            descriptors[i] = new PchcSegmentDescriptor((uint)segment.BlockSize, (uint)segment.Length, _options.ContentTag, algorithm, segment.SegmentId);
        }

        (PchcResponseCode? code, string? failure) = await PostAsync(new PchcBatchedOfferMessage((ushort)_options.PccrrPort, descriptors).ToArray(), stopping).ConfigureAwait(false);
        return failure ?? (code == PchcResponseCode.Ok ? null : "the hosted cache answered INTERESTED to a BATCHED_OFFER");
    }

    private async Task<string?> OfferOneAsync(ContentInformation information, ContentSegment segment, CancellationToken stopping)
    {
        var offer = new PchcInitialOfferMessage((ushort)_options.PccrrPort, segment.SegmentId);
        (PchcResponseCode? code, string? failure) = await PostAsync(offer.ToArray(), stopping).ConfigureAwait(false);
        if (failure is not null || code == PchcResponseCode.Ok)
        {
            return failure;
        }

        // INTERESTED: the hosted cache lacks the hashes; send them with Kp (this is why version 1.0 is HTTPS only).
        Interlocked.Increment(ref _interested);
        byte[] segmentInformation = information.Restrict(segment.Range).ToArray();
        var info = new PchcSegmentInfoMessage((ushort)_options.PccrrPort, _options.ContentTag, segmentInformation);
        (code, failure) = await PostAsync(info.ToArray(), stopping).ConfigureAwait(false);
        return failure ?? (code == PchcResponseCode.Ok ? null : "the hosted cache answered INTERESTED to a SEGMENT_INFO");
    }

    private async Task<(PchcResponseCode? Code, string? Failure)> PostAsync(byte[] body, CancellationToken stopping)
    {
        Interlocked.Increment(ref _sent);
        try
        {
            using var content = new ByteArrayContent(body);
            using HttpResponseMessage response = await _http.PostAsync(_endpoint, content, stopping).ConfigureAwait(false);
            if (response.StatusCode != System.Net.HttpStatusCode.OK)
            {
                Interlocked.Increment(ref _failed);
                return (null, $"HTTP {(int)response.StatusCode}");
            }

            byte[] answer = await response.Content.ReadAsByteArrayAsync(stopping).ConfigureAwait(false);
            if (!PchcResponse.TryRead(answer, out PchcResponseCode code, out _))
            {
                Interlocked.Increment(ref _failed);
                return (null, "a malformed PCHC response");
            }

            return (code, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !stopping.IsCancellationRequested)
        {
            Interlocked.Increment(ref _failed);
            return (null, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Hosted cache offer failed ({Failure}); retrying in {Delay}")]
    private static partial void LogRetrying(ILogger logger, string failure, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gave up offering {Count} segment(s) to the hosted cache after {Attempts} attempts: {Failure}")]
    private static partial void LogGivenUp(ILogger logger, int count, int attempts, string failure);
}
