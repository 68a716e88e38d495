using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PeerDist.Content;
using PeerDist.Cryptography;

namespace PeerDist.Publishing;

/// <summary>
/// The publishing side of a content server (the .NET shape of Windows' PeerDistServerPublishStream,
/// PeerDistServerRetrieveContentInformation and PeerDistServerUnpublish, wire.md §7): hashes content published under
/// an application-chosen content identifier into V1 and V2 content information, keeps it (on disk or in memory) under
/// (identifier, <see cref="ContentValidator"/>), and hands it out for a byte range and a version window.
/// </summary>
/// <remarks>
/// <para>
/// Generation reads the content once, feeding both builders from one 4 MiB buffer, so memory per generation is bounded
/// (the buffer plus the builders' own, about 20 MiB) whatever the content length. At most
/// <see cref="ContentPublisherOptions.MaxConcurrentGenerations"/> generations run at once; requests for the same
/// (identifier, validator) while one is running or queued share it.
/// </para>
/// <para>
/// The publisher does not own the <see cref="ServerSecret"/>: keep it undisposed while the publisher is in use.
/// Thread-safe.
/// </para>
/// </remarks>
public sealed partial class ContentPublisher : IAsyncDisposable, IDisposable
{
    /// <summary>The read size of a generation: a multiple of the block size, large enough for the builders to hash in place.</summary>
    private const int ReadLength = 4 * 1024 * 1024;

    private readonly ServerSecret _secret;
    private readonly ContentPublisherOptions _options;
    private readonly ILogger _logger;
    private readonly ContentInformationStore _store;
    private readonly SemaphoreSlim _gate;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ConcurrentDictionary<GenerationKey, Generation> _generations = new();
    private long _completed;
    private long _failed;
    private long _bytesHashed;
    private long _hits;
    private long _misses;
    private long _invalidations;
    private int _disposed;

    /// <summary>Creates a publisher keyed by <paramref name="secret"/>.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="IOException">The cache directory cannot be created.</exception>
    public ContentPublisher(ServerSecret secret, ContentPublisherOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(secret);
        _options = options ?? new ContentPublisherOptions();
        _options.Validate();
        _secret = secret;
        _logger = logger ?? NullLogger.Instance;
        _store = _options.CacheDirectory is { } directory ? new FileContentInformationStore(directory) : new MemoryContentInformationStore();
        _gate = new SemaphoreSlim(_options.MaxConcurrentGenerations, _options.MaxConcurrentGenerations);
    }

    /// <summary>The settings in use.</summary>
    public ContentPublisherOptions Options => _options;

    /// <summary>
    /// Hashes <paramref name="content"/> (read from its current position to its end) and publishes it under
    /// <paramref name="contentId"/>, replacing any earlier version. Its validator is its length only, unless
    /// <paramref name="validator"/> is given (then the length read must match it).
    /// </summary>
    /// <exception cref="InvalidOperationException">The stream is empty, or its length differs from <paramref name="validator"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired, or the publisher was disposed.</exception>
    public async Task<PublishedContent> PublishAsync(string contentId, Stream content, ContentValidator? validator = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentId);
        ArgumentNullException.ThrowIfNull(content);
        ThrowIfDisposed();

        // The caller's stream cannot be shared with other requests, so this generation is not deduplicated; it still
        // takes a generation slot, and the caller's token cancels it.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _shutdown.Token);
        await _gate.WaitAsync(linked.Token).ConfigureAwait(false);
        try
        {
            return await GenerateAsync(contentId, validator, _ => ValueTask.FromResult(content), verifyUnchanged: null, disposeStream: false, linked.Token).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Publishes the file at <paramref name="path"/> under <paramref name="contentId"/> with the file's validator
    /// (<see cref="ContentValidator.FromFile"/>). A generation already running for the same identifier and validator is
    /// joined, not repeated; if the file is already published with that validator, the stored result is returned.
    /// </summary>
    /// <remarks><paramref name="cancellationToken"/> cancels this caller's wait only; the generation goes on for others (see <see cref="UnpublishAsync"/>).</remarks>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidOperationException">The file is empty or changed while it was hashed.</exception>
    public Task<PublishedContent> PublishFileAsync(string contentId, string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentId);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ThrowIfDisposed();
        var file = new FileInfo(path);
        ContentValidator validator = ContentValidator.FromFile(file);
        return StartFileGeneration(contentId, file.FullName, validator).WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Publishes the content <paramref name="openContent"/> opens, under (<paramref name="contentId"/>,
    /// <paramref name="validator"/>). Concurrent calls for the same pair share one generation.
    /// </summary>
    /// <remarks><paramref name="cancellationToken"/> cancels this caller's wait only; the generation goes on for others.</remarks>
    public Task<PublishedContent> PublishAsync(
        string contentId,
        ContentValidator validator,
        Func<CancellationToken, ValueTask<Stream>> openContent,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentId);
        ArgumentNullException.ThrowIfNull(openContent);
        ThrowIfDisposed();
        return StartGeneration(contentId, validator, openContent, verifyUnchanged: null).WaitAsync(cancellationToken);
    }

    /// <summary>
    /// The stored content of <paramref name="contentId"/> when its validator equals <paramref name="validator"/> (any
    /// validator when null); null otherwise. A stored entry with another validator is stale: it is never returned, and
    /// the next generation for the identifier replaces it.
    /// </summary>
    public async ValueTask<PublishedContent?> FindAsync(string contentId, ContentValidator? validator, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentId);
        ThrowIfDisposed();
        PublishedContent? content = await _store.LoadAsync(contentId, cancellationToken).ConfigureAwait(false);
        if (content is not null && validator is { } current && content.Validator != current)
        {
            Interlocked.Increment(ref _invalidations);
            ContentPublisherLog.EntryInvalidated(_logger, contentId, content.Validator, current);
            content = null;
        }

        Interlocked.Increment(ref content is null ? ref _misses : ref _hits);
        return content;
    }

    /// <summary>
    /// The content information of <paramref name="contentId"/> in the highest version inside
    /// [<paramref name="minVersion"/>, <paramref name="maxVersion"/>] that was generated, restricted to
    /// <paramref name="range"/> when given (MS-PCCRC range content information); null when the content is not published
    /// with <paramref name="validator"/> or no version in the window was generated.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="range"/> is empty or reaches outside the content.</exception>
    public async ValueTask<ContentInformation?> RetrieveContentInformationAsync(
        string contentId,
        ContentValidator? validator,
        ContentInformationVersion minVersion,
        ContentInformationVersion maxVersion,
        ContentRange? range = null,
        CancellationToken cancellationToken = default)
    {
        PublishedContent? content = await FindAsync(contentId, validator, cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return null;
        }

        ContentInformation? info = SelectVersion(content, minVersion, maxVersion);
        if (info is null || range is not { } wanted || wanted == info.Range)
        {
            return info;
        }

        if (wanted.Length <= 0 || wanted.Start < 0 || wanted.End > info.Range.End)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(range), $"The range {wanted} is empty or not inside the content ({info.Range.End} bytes).");
        }

        return info.Restrict(wanted);
    }

    /// <summary>Whether a generation for (<paramref name="contentId"/>, <paramref name="validator"/>) is running or queued.</summary>
    public bool IsGenerating(string contentId, ContentValidator validator) => _generations.ContainsKey(new GenerationKey(contentId, validator));

    /// <summary>
    /// Removes the content information of <paramref name="contentId"/> and cancels its running generations; true when
    /// there was something to remove.
    /// </summary>
    public async ValueTask<bool> UnpublishAsync(string contentId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentId);
        ThrowIfDisposed();
        bool removed = false;
        foreach (KeyValuePair<GenerationKey, Generation> pair in _generations)
        {
            if (string.Equals(pair.Key.ContentId, contentId, StringComparison.Ordinal))
            {
                removed = true;
                await pair.Value.CancelAsync().ConfigureAwait(false);
            }
        }

        removed |= await _store.RemoveAsync(contentId, cancellationToken).ConfigureAwait(false);
        if (removed)
        {
            ContentPublisherLog.Unpublished(_logger, contentId);
        }

        return removed;
    }

    /// <summary>A snapshot of the counters.</summary>
    public ContentPublisherStatistics GetStatistics() => new()
    {
        Generations = Interlocked.Read(ref _completed),
        FailedGenerations = Interlocked.Read(ref _failed),
        PendingGenerations = _generations.Count,
        BytesHashed = Interlocked.Read(ref _bytesHashed),
        Hits = Interlocked.Read(ref _hits),
        Misses = Interlocked.Read(ref _misses),
        Invalidations = Interlocked.Read(ref _invalidations) + (_store is FileContentInformationStore file ? file.DamagedEntries : 0),
    };

    /// <summary>The task of the generation running or queued for (<paramref name="contentId"/>, <paramref name="validator"/>), if any.</summary>
    internal bool TryGetGeneration(string contentId, ContentValidator validator, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Task<PublishedContent>? completion)
    {
        completion = _generations.TryGetValue(new GenerationKey(contentId, validator), out Generation? generation) ? generation.Completion : null;
        return completion is not null;
    }

    /// <summary>
    /// Starts (or joins) the generation of a file in the background and returns its task; the file is re-checked
    /// against <paramref name="validator"/> after hashing, so a file that changed meanwhile is not published.
    /// </summary>
    internal Task<PublishedContent> StartFileGeneration(string contentId, string fullPath, ContentValidator validator) =>
        StartGeneration(
            contentId,
            validator,
            _ => ValueTask.FromResult<Stream>(new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan)),
            () => ContentValidator.FromFile(new FileInfo(fullPath)) == validator with { ETag = null });

    /// <summary>Starts (or joins) a deduplicated background generation.</summary>
    internal Task<PublishedContent> StartGeneration(
        string contentId,
        ContentValidator validator,
        Func<CancellationToken, ValueTask<Stream>> openContent,
        Func<bool>? verifyUnchanged)
    {
        ThrowIfDisposed();
        var key = new GenerationKey(contentId, validator);
        if (_generations.TryGetValue(key, out Generation? existing))
        {
            return existing.Completion;
        }

        var generation = new Generation(_shutdown.Token);
        existing = _generations.GetOrAdd(key, generation);
        if (!ReferenceEquals(existing, generation))
        {
            generation.Dispose();
            return existing.Completion;
        }

        _ = Task.Run(() => RunGenerationAsync(key, generation, openContent, verifyUnchanged));
        return generation.Completion;
    }

    /// <summary>Cancels running generations, waits for them to stop, and releases the store. Does not dispose the secret.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _shutdown.CancelAsync().ConfigureAwait(false);
        foreach (Generation generation in _generations.Values)
        {
            try
            {
                await generation.Completion.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Already logged and reported to its own waiters; disposal only waits for it to stop.
            }
        }

        _shutdown.Dispose();
        _gate.Dispose();
    }

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static ContentInformation? SelectVersion(PublishedContent content, ContentInformationVersion min, ContentInformationVersion max)
    {
        // The highest generated version inside the window (MS-PCCRTP 3.2.5.1: the version MUST lie in [Min, Max]).
        for (var version = max; version >= min; version--)
        {
            if (content.Get(version) is { } info)
            {
                return info;
            }
        }

        return null;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private readonly record struct GenerationKey(string ContentId, ContentValidator Validator);
}
