using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PeerDist.Cryptography;
using PeerDist.Publishing;

namespace PeerDist.AspNetCore;

/// <summary>
/// The origin's shared state (a singleton registered by <c>AddPeerDistOrigin</c>): the server secret, the
/// <see cref="ContentPublisher"/> that generates and keeps content information, and the counters. Inject it to publish
/// files ahead of time or to read the statistics.
/// </summary>
public sealed class PeerDistOrigin : IAsyncDisposable, IDisposable
{
    /// <summary>The name of the <see cref="Meter"/> the origin reports on.</summary>
    public const string MeterName = "PeerDist.Origin";

    private readonly ServerSecret _secret;
    private readonly Meter _meter;
    private readonly Counter<long> _peerDistResponses;
    private readonly Counter<long> _plainResponses;
    private readonly Counter<long> _missingDataRequests;
    private readonly Counter<long> _contentInformationBytes;
    private long _peerDist;
    private long _plain;
    private long _makeHash;
    private long _missingData;
    private long _bytes;

    /// <summary>Creates the origin from validated options.</summary>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    /// <exception cref="IOException">The key file cannot be read or the cache directory cannot be created.</exception>
    /// <exception cref="PeerDistFormatException">The key file is malformed or its password is wrong.</exception>
    public PeerDistOrigin(IOptions<PeerDistOriginOptions> options, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        PeerDistOriginOptions value = options.Value;
        IReadOnlyList<string> errors = value.GetValidationErrors();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(Microsoft.Extensions.Options.Options.DefaultName, typeof(PeerDistOriginOptions), errors);
        }

        Options = value;
        _secret = CreateSecret(value);
        ILoggerFactory loggers = loggerFactory ?? NullLoggerFactory.Instance;
        Logger = loggers.CreateLogger("PeerDist.AspNetCore.PeerDistOrigin");
        Publisher = new ContentPublisher(
            _secret,
            new ContentPublisherOptions
            {
                CacheDirectory = value.CacheDirectory,
                MaxConcurrentGenerations = value.MaxConcurrentGenerations,
                HashingParallelism = value.HashingParallelism,
                GenerateV2 = value.MaxContentInformationVersion == Content.ContentInformationVersion.V2,
            },
            loggers.CreateLogger<ContentPublisher>());

        DeleteLeftoverSpools(value.CacheDirectory);
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _peerDistResponses = _meter.CreateCounter<long>("peerdist.origin.peerdist_responses", "{response}", "Responses that carried content information.");
        _plainResponses = _meter.CreateCounter<long>("peerdist.origin.plain_responses", "{response}", "PeerDist requests answered with the plain content, by reason.");
        _missingDataRequests = _meter.CreateCounter<long>("peerdist.origin.missing_data_requests", "{request}", "Requests for data a client's peers did not have.");
        _contentInformationBytes = _meter.CreateCounter<long>("peerdist.origin.content_information_bytes", "By", "Bytes of content information sent.");
        _meter.CreateObservableCounter("peerdist.origin.generations", () => Publisher.GetStatistics().Generations, "{generation}", "Content information generations that completed.");
        _meter.CreateObservableCounter("peerdist.origin.failed_generations", () => Publisher.GetStatistics().FailedGenerations, "{generation}", "Content information generations that failed.");
    }

    /// <summary>The settings in use.</summary>
    public PeerDistOriginOptions Options { get; }

    /// <summary>
    /// The publisher behind the middleware. Files served by the static file middleware are published under their full
    /// physical path with <see cref="ContentValidator.FromFile"/>: <see cref="PublishFileAsync"/> does exactly that.
    /// </summary>
    public ContentPublisher Publisher { get; }

    internal ILogger Logger { get; }

    /// <summary>Hashes a file ahead of time, so the first peerdist request for it already gets content information.</summary>
    public Task<PublishedContent> PublishFileAsync(string physicalPath, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(physicalPath);
        string fullPath = Path.GetFullPath(physicalPath);
        return Publisher.PublishFileAsync(fullPath, fullPath, cancellationToken);
    }

    /// <summary>A snapshot of the counters.</summary>
    public PeerDistOriginStatistics GetStatistics()
    {
        ContentPublisherStatistics publisher = Publisher.GetStatistics();
        return new PeerDistOriginStatistics
        {
            PeerDistResponses = Interlocked.Read(ref _peerDist),
            PlainResponses = Interlocked.Read(ref _plain),
            MakeHashResponses = Interlocked.Read(ref _makeHash),
            MissingDataRequests = Interlocked.Read(ref _missingData),
            ContentInformationBytes = Interlocked.Read(ref _bytes),
            Generations = publisher.Generations,
            FailedGenerations = publisher.FailedGenerations,
        };
    }

    /// <summary>Stops generations, then wipes the server secret.</summary>
    public async ValueTask DisposeAsync()
    {
        await Publisher.DisposeAsync().ConfigureAwait(false);
        _secret.Dispose();
        _meter.Dispose();
    }

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    internal void CountPeerDist(long bodyBytes)
    {
        Interlocked.Increment(ref _peerDist);
        _peerDistResponses.Add(1);
        if (bodyBytes > 0)
        {
            Interlocked.Add(ref _bytes, bodyBytes);
            _contentInformationBytes.Add(bodyBytes);
        }
    }

    internal void CountPlain(PlainReason reason)
    {
        Interlocked.Increment(ref _plain);
        if (reason == PlainReason.NotGenerated)
        {
            Interlocked.Increment(ref _makeHash);
        }

        _plainResponses.Add(1, new KeyValuePair<string, object?>("reason", ReasonTag(reason)));
    }

    internal void CountMissingData()
    {
        Interlocked.Increment(ref _missingData);
        _missingDataRequests.Add(1);
    }

    private static string ReasonTag(PlainReason reason) => reason switch
    {
        PlainReason.NotAccepted => "not_accepted",
        PlainReason.InvalidHeader => "invalid_header",
        PlainReason.UnsupportedVersion => "unsupported_version",
        PlainReason.UnsupportedContentInformationVersion => "unsupported_content_information_version",
        PlainReason.MissingDataRequest => "missing_data_request",
        PlainReason.NotEligible => "not_eligible",
        PlainReason.TooSmall => "too_small",
        PlainReason.NotGenerated => "not_generated",
        _ => "other",
    };

    /// <summary>The directory where bodies written by endpoints are copied before they are hashed.</summary>
    internal static string GetSpoolDirectory(PeerDistOriginOptions options) =>
        Path.Combine(options.CacheDirectory ?? Path.GetTempPath(), "peerdist-spool");

    private static void DeleteLeftoverSpools(string? cacheDirectory)
    {
        // Only a directory of our own: the system temporary directory may be shared by other origins that are running.
        string directory = Path.Combine(cacheDirectory ?? string.Empty, "peerdist-spool");
        if (cacheDirectory is null || !Directory.Exists(directory))
        {
            return;
        }

        foreach (string spool in Directory.EnumerateFiles(directory, "*.spool"))
        {
            try
            {
                File.Delete(spool);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // In use or protected: left for the next start.
            }
        }
    }

    private static ServerSecret CreateSecret(PeerDistOriginOptions options)
    {
        if (options.ServerSecretKey is { } key)
        {
            return ServerSecret.FromKey(key);
        }

        if (options.ServerSecretPassphrase is { } passphrase)
        {
            return ServerSecret.FromPassphrase(passphrase);
        }

        string path = options.ServerSecretKeyFile!;
        byte[] file;
        try
        {
            file = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"The BranchCache key file '{path}' ({nameof(PeerDistOriginOptions.ServerSecretKeyFile)}) cannot be read: {ex.Message}", ex);
        }

        try
        {
            return ServerSecret.FromExportedKeyFile(file, options.ServerSecretKeyFilePassword!);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(file);
        }
    }
}
