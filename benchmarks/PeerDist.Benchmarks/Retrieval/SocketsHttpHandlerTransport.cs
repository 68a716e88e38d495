using System.Buffers;
using System.Net;
using PeerDist.Retrieval.Client;
using PeerDist.Transport.Http;

namespace PeerDist.Benchmarks.Retrieval;

/// <summary>
/// The alternative to <see cref="PeerDistHttpClient"/> the transport decision was measured against: the BCL's
/// <see cref="HttpClient"/> over <see cref="SocketsHttpHandler"/>, reading each body into a pooled buffer the same way.
/// </summary>
internal sealed class SocketsHttpHandlerTransport(HttpClient http) : IPccrrTransport
{
    public async ValueTask<PccrrTransportResponse> SendAsync(EndPoint peer, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        var endPoint = (IPEndPoint)peer;
        using var content = new ReadOnlyMemoryContent(request);
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri($"http://{endPoint}{PeerDistHttpPaths.Retrieval}")) { Content = content };
        using HttpResponseMessage response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode || response.Content.Headers.ContentLength is not long length || length > 400_000)
        {
            return PccrrTransportResponse.Failure(PccrrTransportStatus.HttpError);
        }

        IMemoryOwner<byte> owner = MemoryPool<byte>.Shared.Rent((int)length);
        try
        {
            await using Stream body = await response.Content.ReadAsStreamAsync(cancellationToken);
            await body.ReadExactlyAsync(owner.Memory[..(int)length], cancellationToken);
            return PccrrTransportResponse.FromBody(owner, (int)length);
        }
        catch
        {
            owner.Dispose();
            throw;
        }
    }
}
