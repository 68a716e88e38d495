using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using PeerDist.Caching;
using PeerDist.Content;
using PeerDist.Peer;
using PeerDist.Retrieval.Client;
using PeerDist.Transport.Http;

namespace PeerDist.Client;

/// <summary>
/// The download client of a node (the "client" role, MS-PCCRR 3.1 with MS-PCCRD discovery): given content information,
/// it reads the content from the local cache, then from peers, then from the origin for what is still missing, verifies
/// every block, and caches it so this node serves it next. One long-lived instance per node; one
/// <see cref="PeerDistContent"/> per content being read.
/// </summary>
/// <remarks>
/// <para>
/// The shape follows the Windows PeerDist client API (wire.md §7): <see cref="OpenContent(ContentInformation, IOriginSource?, Guid?, IProgress{PeerDistProgress}?)"/>
/// is <c>PeerDistClientOpenContent</c> + <c>AddContentInformation</c>; the handle's reads are <c>BlockRead</c> and
/// <c>StreamRead</c>; <see cref="PeerDistContent.AddDataAsync"/> is <c>AddData</c>; <see cref="FlushContent"/> is
/// <c>FlushContent</c>. Cancellation tokens replace <c>CancelAsyncOperation</c>.
/// </para>
/// <para>
/// Limits are per client: at most <see cref="PeerDistClientOptions.MaxBlocksInFlight"/> peer requests and
/// <see cref="PeerDistClientOptions.MaxOriginRequestsInFlight"/> origin requests at once over all open contents.
/// </para>
/// </remarks>
public sealed class PeerDistClient : IAsyncDisposable, IDisposable
{
    private readonly PeerDistClientOptions _options;
    private readonly PeerDistHttpClient? _ownHttp;
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<string, byte[]>> _tags = new();
    private readonly CancellationTokenSource _shutdown = new();
    private int _disposed;

    /// <summary>Creates a client.</summary>
    /// <exception cref="ArgumentException">The options are invalid (no cache, a bound below 1, ...).</exception>
    public PeerDistClient(PeerDistClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        Cache = options.Cache!;
        IPccrrTransport transport;
        if (options.Transport is { } given)
        {
            transport = given;
        }
        else
        {
            _ownHttp = new PeerDistHttpClient(new PeerDistHttpClientOptions
            {
                RequestTimeout = options.PeerRequestTimeout,
                MaxConnectionsPerEndPoint = Math.Min(options.MaxBlocksInFlight, 64),
                TimeProvider = options.TimeProvider,
            });
            transport = new HttpPccrrTransport(_ownHttp);
        }

        Retrieval = new PccrrClient(transport, new PccrrClientOptions
        {
            CryptoAlgorithm = options.CryptoAlgorithm,
            RequestTimeout = options.PeerRequestTimeout,
            TimeProvider = options.TimeProvider,
        });
        PeerSlots = new SemaphoreSlim(options.MaxBlocksInFlight, options.MaxBlocksInFlight);

        // Dedicated pools: a download holds up to read-ahead + in-flight blocks at once, more than the shared pool keeps
        // per size, and every miss there would be a fresh 64 KiB array for the GC. Retained at most: the bucket counts
        // below times the array sizes (about 12 MiB of blocks and 4 origin runs with the defaults).
        int blocksHeld = (options.ReadAheadBytes / PeerDistConstants.BlockSize) + (4 * options.MaxBlocksInFlight);
        BlockPool = ArrayPool<byte>.Create(PeerDistConstants.MaxSegmentLengthV2, Math.Clamp(blocksHeld, 16, 1024));
        OriginPool = ArrayPool<byte>.Create(options.MaxOriginRequestBytes, options.MaxOriginRequestsInFlight);
        OriginSlots = new SemaphoreSlim(options.MaxOriginRequestsInFlight, options.MaxOriginRequestsInFlight);
    }

    /// <summary>The options the client runs with.</summary>
    public PeerDistClientOptions Options => _options;

    /// <summary>The content cache blocks are read from and stored into.</summary>
    public ContentCache Cache { get; }

    /// <summary>
    /// The PCCRR endpoint other nodes know this client's node by (what its discovery responder advertises); a
    /// <c>PeerDistNode</c> sets it when discovery starts. Cooperative downloads use it to split origin work with
    /// the other downloaders (<see cref="PeerDistDownloadOptions"/>); null: no split.
    /// </summary>
    public EndPoint? AdvertisedEndPoint { get; set; }

    internal PccrrClient Retrieval { get; }

    internal SemaphoreSlim PeerSlots { get; }

    internal SemaphoreSlim OriginSlots { get; }

    internal ArrayPool<byte> BlockPool { get; }

    internal ArrayPool<byte> OriginPool { get; }

    internal CancellationToken ShutdownToken => _shutdown.Token;

    /// <summary>
    /// Opens a content for reading: registers its segments with the cache (so verified blocks can be stored) and returns
    /// the handle. <paramref name="tag"/> groups contents for <see cref="FlushContent"/> (the PEERDIST_CONTENT_TAG).
    /// </summary>
    /// <param name="information">The content information (from the origin, MS-PCCRTP).</param>
    /// <param name="origin">The origin fallback; null means peers and cache only.</param>
    /// <param name="tag">An application tag for flushing; null for none.</param>
    /// <param name="progress">Receives one report per block obtained.</param>
    /// <exception cref="ObjectDisposedException">The client is disposed.</exception>
    public PeerDistContent OpenContent(
        ContentInformation information,
        IOriginSource? origin = null,
        Guid? tag = null,
        IProgress<PeerDistProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(information);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        foreach (ContentSegment segment in information.Segments)
        {
            Cache.RegisterSegment(segment);
            if (tag is { } t)
            {
                byte[] id = segment.SegmentId.ToArray();
                _tags.GetOrAdd(t, static _ => new ConcurrentDictionary<string, byte[]>())[Convert.ToHexString(id)] = id;
            }
        }

        return new PeerDistContent(this, information, origin, tag, progress);
    }

    /// <summary>Opens a content from its encoded content information; see <see cref="OpenContent(ContentInformation, IOriginSource?, Guid?, IProgress{PeerDistProgress}?)"/>.</summary>
    /// <exception cref="PeerDistFormatException">The content information is malformed.</exception>
    public PeerDistContent OpenContent(
        ReadOnlySpan<byte> contentInformation,
        IOriginSource? origin = null,
        Guid? tag = null,
        IProgress<PeerDistProgress>? progress = null) =>
        OpenContent(ContentInformation.Parse(contentInformation), origin, tag, progress);

    /// <summary>
    /// Drops every segment opened under <paramref name="tag"/> from the local cache (<c>PeerDistClientFlushContent</c>);
    /// returns how many segments were removed. Open handles keep working and fetch again what they need.
    /// </summary>
    public int FlushContent(Guid tag)
    {
        if (!_tags.TryRemove(tag, out ConcurrentDictionary<string, byte[]>? segments))
        {
            return 0;
        }

        int removed = 0;
        foreach (byte[] id in segments.Values)
        {
            removed += Cache.RemoveSegment(id) ? 1 : 0;
        }

        return removed;
    }

    /// <summary>Stops all in-flight work of every open content and releases the client's own connections.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _shutdown.Cancel();
        _ownHttp?.Dispose();
        _shutdown.Dispose();
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
