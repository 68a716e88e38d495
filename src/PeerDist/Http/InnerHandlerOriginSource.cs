using System.Net;
using PeerDist.Client;

namespace PeerDist.Http;

/// <summary>
/// The origin fallback of a download started by <see cref="PeerDistHttpHandler"/>: missing-data range requests
/// (MS-PCCRTP 3.1.5.1) for the same resource, sent through the handler's inner handler with the caller's headers, so they
/// see the same proxy, credentials, cookies and TLS settings as the caller's own request. The download client verifies
/// every byte read here against the content information.
/// </summary>
internal sealed class InnerHandlerOriginSource : IOriginSource
{
    private readonly PeerDistHttpHandler _handler;
    private readonly PeerDistRequestTemplate _template;
    private readonly long _contentLength;
    private readonly TimeSpan _timeout;

    public InnerHandlerOriginSource(PeerDistHttpHandler handler, PeerDistRequestTemplate template, long contentLength, TimeSpan timeout)
    {
        _handler = handler;
        _template = template;
        _contentLength = contentLength;
        _timeout = timeout;
    }

    /// <inheritdoc/>
    /// <exception cref="HttpRequestException">The origin answered with an unexpected status, range, length or coding.</exception>
    /// <exception cref="TimeoutException">The request took longer than the handler's origin request timeout.</exception>
    public async ValueTask<int> ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (destination.IsEmpty)
        {
            return 0;
        }

        long last = offset + destination.Length - 1;
        using var deadline = new CancellationTokenSource(_timeout);
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await ReadCoreAsync(offset, last, destination, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The origin range request for bytes {offset}-{last} of {_template.Uri} did not complete within {_timeout}.");
        }
    }

    private async Task<int> ReadCoreAsync(long offset, long last, Memory<byte> destination, CancellationToken cancellationToken)
    {
        using HttpRequestMessage request = _template.CreateMissingDataRequest(offset, last);
        PeerDistHttpLog.OriginRangeRequest(_handler.Logger, _template.Uri, offset, last);
        using HttpResponseMessage response = await _handler.SendToInnerAsync(request, cancellationToken).ConfigureAwait(false);
        CheckResponse(response, offset, last);
        Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            int total = 0;
            while (total < destination.Length)
            {
                int read = await body.ReadAsync(destination[total..], cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            return total;
        }
    }

    /// <summary>
    /// A <c>206</c> must cover exactly the bytes asked for, of a content of the length the content information gave; a
    /// <c>200</c> (a server that ignores ranges) is accepted for a read from offset 0 only; the body must be identity-coded.
    /// </summary>
    private void CheckResponse(HttpResponseMessage response, long offset, long last)
    {
        if (response.StatusCode == HttpStatusCode.PartialContent)
        {
            System.Net.Http.Headers.ContentRangeHeaderValue? range = response.Content.Headers.ContentRange;
            if (range is null || range.From != offset || range.To is not long to || to < offset || to > last ||
                (range.Length is long total && total != _contentLength))
            {
                throw new HttpRequestException(
                    $"The origin answered the range request for bytes {offset}-{last} of {_template.Uri} with range '{range}' (the content has {_contentLength} bytes).",
                    null,
                    response.StatusCode);
            }
        }
        else if (response.StatusCode != HttpStatusCode.OK || offset != 0)
        {
            throw new HttpRequestException(
                $"The origin answered the range request for bytes {offset}-{last} of {_template.Uri} with {(int)response.StatusCode}.",
                null,
                response.StatusCode);
        }

        foreach (string coding in response.Content.Headers.ContentEncoding)
        {
            if (!coding.Equals("identity", StringComparison.OrdinalIgnoreCase))
            {
                throw new HttpRequestException(
                    $"The origin answered the range request for {_template.Uri} with Content-Encoding '{coding}', which it was not asked for.",
                    null,
                    response.StatusCode);
            }
        }
    }
}
