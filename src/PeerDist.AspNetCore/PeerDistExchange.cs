using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using PeerDist.Content;
using PeerDist.Http;
using PeerDist.Publishing;

namespace PeerDist.AspNetCore;

/// <summary>One request that asked for peerdist: decides, when the response turns out to be a file, whether to answer with content information.</summary>
internal sealed class PeerDistExchange(PeerDistOrigin origin, HttpContext context, PeerDistRequest request, IHttpResponseBodyFeature inner) : IAsyncDisposable
{
    private bool _decided;
    private string? _spoolPath;
    private FileStream? _spool;
    private long _spooled;
    private string? _spoolContentId;
    private ContentValidator _spoolValidator;

    /// <summary>What happens to bytes the endpoint writes itself.</summary>
    public BodyDecision BodyDecision { get; private set; }

    /// <summary>Whether content information was sent.</summary>
    public bool Answered { get; private set; }

    /// <summary>Why the plain content was sent, once a file response was seen; null when no file response was seen.</summary>
    public PlainReason? Reason { get; private set; }

    /// <summary>
    /// Called instead of sending [<paramref name="offset"/>, + <paramref name="count"/>) of the file at
    /// <paramref name="path"/>; true when content information was sent instead (the file must not be sent).
    /// </summary>
    public async Task<bool> TryAnswerAsync(string path, long offset, long? count, CancellationToken cancellationToken)
    {
        if (_decided)
        {
            return false; // one decision per request
        }

        _decided = true;
        try
        {
            PlainReason? reason = await TryAnswerCoreAsync(path, offset, count, cancellationToken).ConfigureAwait(false);
            Reason = reason;
            if (reason is { } plain)
            {
                PeerDistOriginLog.Plain(origin.Logger, context.Request.Path, plain);
            }

            return reason is null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // A broken store entry or an unreadable file must not break the site: the plain content is always correct.
            PeerDistOriginLog.LookupFailed(origin.Logger, context.Request.Path, ex);
            Reason = PlainReason.NotEligible;
            return false;
        }
    }

    private async Task<PlainReason?> TryAnswerCoreAsync(string path, long offset, long? count, CancellationToken cancellationToken)
    {
        HttpResponse response = context.Response;
        if (response.HasStarted || !IsEligibleEndpoint() || !HasEligibleHeaders(response))
        {
            return PlainReason.NotEligible;
        }

        var file = new FileInfo(path);
        ContentValidator validator;
        try
        {
            validator = ContentValidator.FromFile(file);
        }
        catch (FileNotFoundException)
        {
            return PlainReason.NotEligible;
        }

        if (validator.Length < origin.Options.MinimumContentLength)
        {
            return PlainReason.TooSmall;
        }

        long length = count ?? (validator.Length - offset);
        if (offset < 0 || length <= 0 || offset > validator.Length - length)
        {
            return PlainReason.NotEligible;
        }

        var range = new ContentRange(offset, length);
        bool whole = length == validator.Length;
        if (response.StatusCode == StatusCodes.Status200OK && !whole)
        {
            return PlainReason.NotEligible; // a 200 that sends part of a file is nothing we understand
        }

        // Files are published under their full path with the file's own validator, so a file published ahead of time
        // (PeerDistOrigin.PublishFileAsync) is found, and a rewritten file (new length or time) is never served old hashes.
        string contentId = file.FullName;
        ContentInformationVersion version = request.ContentInformationVersion;
        ContentPublisher publisher = origin.Publisher;
        ContentInformation? info = await publisher.RetrieveContentInformationAsync(contentId, validator, version, version, whole ? null : range, cancellationToken).ConfigureAwait(false);
        if (info is null)
        {
            Task<PublishedContent> generation = publisher.StartFileGeneration(contentId, contentId, validator);
            if (request.HashRequest && await WaitForGenerationAsync(generation, cancellationToken).ConfigureAwait(false))
            {
                info = await publisher.RetrieveContentInformationAsync(contentId, validator, version, version, whole ? null : range, cancellationToken).ConfigureAwait(false);
            }
        }

        if (info is null)
        {
            AddMakeHashRequest(response);
            return PlainReason.NotGenerated;
        }

        await SendContentInformationAsync(info, range, cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>
    /// Decides, before the first body byte an endpoint writes, whether to answer with content information instead (the
    /// content is then identified by the request URL and validated by Content-Length, ETag and Last-Modified).
    /// </summary>
    public async ValueTask<BodyDecision> DecideForBodyAsync(CancellationToken cancellationToken)
    {
        if (_decided)
        {
            return BodyDecision;
        }

        _decided = true;
        BodyDecision = BodyDecision.PassThrough;
        try
        {
            BodyDecision = await DecideForBodyCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            PeerDistOriginLog.LookupFailed(origin.Logger, context.Request.Path, ex);
            Reason = PlainReason.NotEligible;
            await AbandonSpoolAsync().ConfigureAwait(false);
        }

        if (Reason is { } plain)
        {
            PeerDistOriginLog.Plain(origin.Logger, context.Request.Path, plain);
        }

        return BodyDecision;
    }

    /// <summary>Copies body bytes into the spool file (bounded by the declared Content-Length).</summary>
    public async ValueTask SpoolAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_spool is null)
        {
            return;
        }

        _spooled += data.Length;
        if (_spooled > _spoolValidator.Length)
        {
            await AbandonSpoolAsync().ConfigureAwait(false); // more bytes than declared: not content we can describe
            return;
        }

        await _spool.WriteAsync(data, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Called when the pipeline has returned: a complete spool (exactly Content-Length bytes, no failure) becomes a
    /// background generation, anything else is deleted.
    /// </summary>
    public async Task FinishAsync(bool succeeded)
    {
        if (_spool is not { } spool || _spoolPath is not { } path || _spoolContentId is not { } contentId)
        {
            return;
        }

        _spool = null;
        await spool.DisposeAsync().ConfigureAwait(false);
        if (!succeeded || _spooled != _spoolValidator.Length)
        {
            TryDelete(path);
            return;
        }

        Task<PublishedContent> generation = origin.Publisher.StartGeneration(
            contentId,
            _spoolValidator,
            _ => ValueTask.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan)),
            verifyUnchanged: null);
        _ = generation.ContinueWith(static (_, state) => TryDelete((string)state!), path, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    /// <summary>Deletes a spool that <see cref="FinishAsync"/> did not hand to a generation.</summary>
    public ValueTask DisposeAsync() => new(AbandonSpoolAsync());

    private async Task<BodyDecision> DecideForBodyCoreAsync(CancellationToken cancellationToken)
    {
        HttpResponse response = context.Response;
        if (response.HasStarted || !IsEligibleEndpoint() || response.StatusCode != StatusCodes.Status200OK || !HasEligibleHeaders(response) ||
            response.ContentLength is not long length)
        {
            Reason = PlainReason.NotEligible; // a body of unknown length (chunked) cannot be described
            return BodyDecision.PassThrough;
        }

        if (length < origin.Options.MinimumContentLength)
        {
            Reason = PlainReason.TooSmall;
            return BodyDecision.PassThrough;
        }

        string? etag = response.Headers.ETag.Count == 1 ? response.Headers.ETag[0] : null;
        var validator = new ContentValidator(length, etag, response.GetTypedHeaders().LastModified);
        string contentId = "url:" + context.Request.PathBase + context.Request.Path + context.Request.QueryString;
        ContentInformationVersion version = request.ContentInformationVersion;
        ContentPublisher publisher = origin.Publisher;
        ContentInformation? info = await publisher.RetrieveContentInformationAsync(contentId, validator, version, version, null, cancellationToken).ConfigureAwait(false);
        bool generating = publisher.TryGetGeneration(contentId, validator, out Task<PublishedContent>? generation);
        if (info is null && generating && request.HashRequest && await WaitForGenerationAsync(generation!, cancellationToken).ConfigureAwait(false))
        {
            info = await publisher.RetrieveContentInformationAsync(contentId, validator, version, version, null, cancellationToken).ConfigureAwait(false);
        }

        if (info is not null)
        {
            await SendContentInformationAsync(info, new ContentRange(0, length), cancellationToken).ConfigureAwait(false);
            return BodyDecision.ContentInformationSent;
        }

        AddMakeHashRequest(response);
        Reason = PlainReason.NotGenerated;
        if (generating)
        {
            return BodyDecision.PassThrough; // another response is already feeding a generation
        }

        // Copy the bytes as they go out, and hash the copy once the response is complete (FinishAsync): no request
        // ever waits for hashing, and memory stays bounded whatever the length.
        string directory = PeerDistOrigin.GetSpoolDirectory(origin.Options);
        Directory.CreateDirectory(directory);
        _spoolPath = Path.Combine(directory, Guid.NewGuid().ToString("N") + ".spool");
        _spool = new FileStream(_spoolPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
        _spoolContentId = contentId;
        _spoolValidator = validator;
        return BodyDecision.Spool;
    }

    private async Task AbandonSpoolAsync()
    {
        if (_spool is { } spool)
        {
            _spool = null;
            await spool.DisposeAsync().ConfigureAwait(false);
            TryDelete(_spoolPath!);
        }
    }

    private async Task SendContentInformationAsync(ContentInformation info, ContentRange range, CancellationToken cancellationToken)
    {
        HttpResponse response = context.Response;
        byte[] body = info.ToArray();

        // The peerdist response (3.2.5.1): 200 whatever the Range (see docs/pccrtp-origin.md), content information as
        // the body, the identity length of what it describes in X-P2P-PeerDist; ETag, Last-Modified, Content-Type stay.
        response.StatusCode = StatusCodes.Status200OK;
        response.Headers.Remove(HeaderNames.ContentRange);
        response.Headers.ContentEncoding = PccrtpHeaderNames.ContentCoding;
        response.Headers[PccrtpHeaderNames.PeerDist] = new PeerDistHeader(request.Version) { ContentLength = range.Length }.ToString();
        response.ContentLength = body.Length;
        AddVary(response.Headers);
        if (!request.IsHead)
        {
            await inner.Stream.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        }

        Answered = true;
        origin.CountPeerDist(request.IsHead ? 0 : body.Length);
        PeerDistOriginLog.AnsweredPeerDist(origin.Logger, context.Request.Path, info.Version, range, body.Length);
    }

    private void AddMakeHashRequest(HttpResponse response)
    {
        // MS-PCCRTP 3.2.5.1: hashes not ready, so the real content, and a hint to come back with HashRequest=true.
        response.Headers[PccrtpHeaderNames.PeerDist] = new PeerDistHeader(request.Version).ToString();
        response.Headers[PccrtpHeaderNames.PeerDistEx] = new PeerDistExHeader { MakeHashRequest = true }.ToString();
        AddVary(response.Headers);
        PeerDistOriginLog.NotReady(origin.Logger, context.Request.Path);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort; spool files are in a temporary directory.
        }
    }

    private bool IsEligibleEndpoint()
    {
        // No endpoint: the static file middleware (or another terminal middleware) sent a file. An endpoint must opt in.
        Endpoint? endpoint = context.GetEndpoint();
        return endpoint is null ? origin.Options.StaticFiles : endpoint.Metadata.GetMetadata<PeerDistAttribute>()?.Enabled == true;
    }

    private static bool HasEligibleHeaders(HttpResponse response) =>
        response.StatusCode is StatusCodes.Status200OK or StatusCodes.Status206PartialContent &&

        // 3.2.5.1: peerdist only for a response that carries an ETag and/or Last-Modified.
        (!StringValues.IsNullOrEmpty(response.Headers.ETag) || !StringValues.IsNullOrEmpty(response.Headers.LastModified)) &&

        // An already encoded representation (a pre-compressed file) is not the identity content the hashes describe.
        StringValues.IsNullOrEmpty(response.Headers.ContentEncoding);

    private async Task<bool> WaitForGenerationAsync(Task<PublishedContent> generation, CancellationToken cancellationToken)
    {
        TimeSpan timeout = origin.Options.HashRequestTimeout;
        if (timeout == TimeSpan.Zero)
        {
            return false;
        }

        try
        {
            await generation.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The generation failed (logged by the publisher): the plain content is still right.
            return false;
        }
    }

    private static void AddVary(IHeaderDictionary headers)
    {
        // A shared cache must not hand a peerdist body to a client that did not ask for one.
        foreach (string? value in headers.Vary)
        {
            if (value is not null && value.Contains(HeaderNames.AcceptEncoding, StringComparison.OrdinalIgnoreCase))
            {
                return;
            }
        }

        headers.Vary = StringValues.Concat(headers.Vary, HeaderNames.AcceptEncoding);
    }
}
