using System.Collections.Concurrent;

namespace PeerDist.Tests.Http;

/// <summary>
/// Sits between <c>PeerDistHttpHandler</c> and the socket handler: records every request that went through the inner
/// handler and every response it returned, so a test can tell "passed through untouched" (the same response object) from
/// "rebuilt", and see that fallback requests took the inner path.
/// </summary>
internal sealed class RecordingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    public ConcurrentQueue<HttpRequestMessage> Requests { get; } = new();

    public ConcurrentQueue<HttpResponseMessage> Responses { get; } = new();

    public static RecordingHandler OverSockets() => new(new SocketsHttpHandler { UseProxy = false, AutomaticDecompression = System.Net.DecompressionMethods.None });

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Enqueue(request);
        HttpResponseMessage response = await base.SendAsync(request, cancellationToken);
        Responses.Enqueue(response);
        return response;
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Enqueue(request);
        HttpResponseMessage response = base.Send(request, cancellationToken);
        Responses.Enqueue(response);
        return response;
    }
}
