using System.Net;
using Microsoft.Extensions.Logging;
using PeerDist.Client;
using PeerDist.Content;

namespace PeerDist.Http;

/// <summary>
/// The content of a response that <see cref="PeerDistHttpHandler"/> decoded from a peerdist response: the identity bytes
/// of the resource, read through a <see cref="PeerDistContent"/> from the local cache, peers and, for what they lack, the
/// origin, every block verified against the content information before it is handed out. Disposing it (or the
/// response) stops the download and frees the handle; the verified blocks stay in the cache.
/// </summary>
/// <remarks>
/// A block that fails verification is never returned: a read that needs it fails with an <see cref="IOException"/>
/// (<see cref="PeerDistOriginException"/> or <see cref="PeerDistContentUnavailableException"/>), which
/// <see cref="HttpClient"/> reports as an <see cref="HttpRequestException"/> when it buffers the content.
/// </remarks>
public sealed class PeerDistResponseContent : HttpContent
{
    private readonly long _length;
    private readonly ILogger _logger;
    private readonly Uri _uri;
    private int _disposed;

    internal PeerDistResponseContent(PeerDistContent content, long length, Uri uri, ILogger logger)
    {
        Content = content;
        _length = length;
        _uri = uri;
        _logger = logger;
        Headers.ContentLength = length;
    }

    /// <summary>
    /// The download handle behind this content: random-access reads, locally available length, statistics. It belongs to
    /// this content; do not dispose it separately.
    /// </summary>
    public PeerDistContent Content { get; }

    /// <summary>The content information the origin sent.</summary>
    public ContentInformation Information => Content.Information;

    /// <summary>What has been delivered so far and where it came from (local cache, peers, origin).</summary>
    public PeerDistContentStatistics GetStatistics() => Content.GetStatistics();

    /// <inheritdoc/>
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    /// <inheritdoc/>
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        Content.CopyToAsync(stream, cancellationToken);

    /// <inheritdoc/>
    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        using Stream source = Content.OpenRead();
        source.CopyTo(stream);
    }

    /// <inheritdoc/>
    protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult(Content.OpenRead());

    /// <inheritdoc/>
    protected override Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) => Task.FromResult(Content.OpenRead());

    /// <inheritdoc/>
    protected override Stream CreateContentReadStream(CancellationToken cancellationToken) => Content.OpenRead();

    /// <inheritdoc/>
    protected override bool TryComputeLength(out long length)
    {
        length = _length;
        return true;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            PeerDistContentStatistics statistics = Content.GetStatistics();
            PeerDistHttpLog.DownloadClosed(
                _logger,
                _uri,
                statistics.BytesFromCache,
                statistics.BytesFromPeers,
                statistics.BytesFromOrigin,
                statistics.BlocksRejected,
                statistics.Elapsed.TotalMilliseconds);
            Content.Dispose();
        }

        base.Dispose(disposing);
    }
}
