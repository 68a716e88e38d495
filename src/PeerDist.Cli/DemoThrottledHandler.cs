namespace PeerDist.Cli;

/// <summary>
/// The demo's "WAN": every response body that comes from the origin is paced to a byte rate (a token bucket over the
/// whole link, shared by all requests), and the bytes are counted. A rate of 0 means unthrottled.
/// </summary>
internal sealed class DemoThrottledHandler(HttpMessageHandler inner, DemoWanLink link) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        HttpContent original = response.Content;
        Stream body = await original.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var paced = new StreamContent(new DemoWanStream(body, link));
        foreach (KeyValuePair<string, IEnumerable<string>> header in original.Headers)
        {
            paced.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = paced;
        return response;
    }
}
