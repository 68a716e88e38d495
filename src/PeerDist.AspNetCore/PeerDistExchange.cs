using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using PeerDist.Content;
using PeerDist.Http;
using PeerDist.Publishing;

namespace PeerDist.AspNetCore;

/// <summary>One request that asked for peerdist: decides, when the response turns out to be a file, whether to answer with content information.</summary>
internal sealed class PeerDistExchange(PeerDistOrigin origin, HttpContext context, PeerDistRequest request, IHttpResponseBodyFeature inner)
{
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
        if (Answered || Reason is not null)
        {
            return false; // one decision per request
        }

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
            // MS-PCCRTP 3.2.5.1: hashes not ready, so the real content, and a hint to come back with HashRequest=true.
            response.Headers[PccrtpHeaderNames.PeerDist] = new PeerDistHeader(request.Version).ToString();
            response.Headers[PccrtpHeaderNames.PeerDistEx] = new PeerDistExHeader { MakeHashRequest = true }.ToString();
            AddVary(response.Headers);
            PeerDistOriginLog.NotReady(origin.Logger, context.Request.Path);
            return PlainReason.NotGenerated;
        }

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
        return null;
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
