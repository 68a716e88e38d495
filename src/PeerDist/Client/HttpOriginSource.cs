using System.Net;
using System.Net.Http.Headers;

namespace PeerDist.Client;

/// <summary>
/// An <see cref="IOriginSource"/> over HTTP: a <c>GET</c> with a <c>Range</c> header and
/// <c>X-P2P-PeerDist: Version=1.1, MissingDataRequest=true</c> (MS-PCCRTP 2.2.2, 3.1.5.1: the client asks the content
/// server for data it could not get from peers, and the server answers with the plain bytes).
/// </summary>
/// <remarks>
/// The <see cref="HttpClient"/> is the caller's (from <c>IHttpClientFactory</c> or long-lived); it must not itself add
/// <c>Accept-Encoding: peerdist</c>. A <c>200</c> answer to a range request is accepted when it starts at offset 0 (a
/// server that ignores ranges); anything else that is not <c>206</c> with the requested range is an error.
/// </remarks>
public sealed class HttpOriginSource : IOriginSource
{
    /// <summary>The header value of a missing-data request (MS-PCCRTP 2.2.2).</summary>
    public const string MissingDataRequestHeaderValue = "Version=1.1, MissingDataRequest=true";

    private readonly HttpClient _client;
    private readonly Uri _uri;

    /// <summary>Creates an origin for the resource at <paramref name="uri"/>.</summary>
    public HttpOriginSource(HttpClient client, Uri uri)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri)
        {
            ThrowHelper.ThrowArgument("The origin address must be absolute.", nameof(uri));
        }

        _client = client;
        _uri = uri;
    }

    /// <summary>The resource read.</summary>
    public Uri Uri => _uri;

    /// <inheritdoc/>
    /// <exception cref="HttpRequestException">The origin answered with an unexpected status or range, or could not be reached.</exception>
    public async ValueTask<int> ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (destination.IsEmpty)
        {
            return 0;
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, _uri);
        request.Headers.Range = new RangeHeaderValue(offset, offset + destination.Length - 1);
        request.Headers.TryAddWithoutValidation("X-P2P-PeerDist", MissingDataRequestHeaderValue);
        using HttpResponseMessage response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        bool partial = response.StatusCode == HttpStatusCode.PartialContent;
        if (partial)
        {
            ContentRangeHeaderValue? range = response.Content.Headers.ContentRange;
            if (range?.From != offset)
            {
                throw new HttpRequestException($"The origin answered {_uri} with range {range} instead of bytes {offset}-.", null, response.StatusCode);
            }
        }
        else if (response.StatusCode != HttpStatusCode.OK || offset != 0)
        {
            throw new HttpRequestException($"The origin answered a range request for {_uri} with {(int)response.StatusCode}.", null, response.StatusCode);
        }

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
}
