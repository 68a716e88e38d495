using System.Net.Http.Headers;
using PeerDist.Content;
using PeerDist.Http;

namespace PeerDist.BranchOffice;

/// <summary>
/// The client side of one MS-PCCRTP exchange, written out by hand: a GET that advertises <c>peerdist</c>; the answer is
/// the content information (Content-Encoding: peerdist) or, while the origin is still hashing, the plain file.
/// </summary>
internal static class ContentInformationRequest
{
    /// <summary>The largest content information read (V1 for 1 GiB is about 0.6 MiB).</summary>
    private const int MaxBytes = 32 * 1024 * 1024;

    /// <summary>
    /// Sends the request; returns the raw content information, or null when the origin answered with the plain file
    /// (whose body is then not read).
    /// </summary>
    public static async Task<byte[]?> TryGetAsync(HttpClient client, Uri uri, int maxVersion, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(PccrtpHeaderNames.ContentCoding));
        request.Headers.TryAddWithoutValidation(PccrtpHeaderNames.PeerDist, "Version=1.1");
        request.Headers.TryAddWithoutValidation(PccrtpHeaderNames.PeerDistEx, $"MinContentInformation=1.0, MaxContentInformation={maxVersion}.0");
        using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        if (!response.Content.Headers.ContentEncoding.Contains(PccrtpHeaderNames.ContentCoding, StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        if (response.Content.Headers.ContentLength is > MaxBytes)
        {
            throw new InvalidDataException($"The content information of {uri} is larger than {MaxBytes} bytes.");
        }

        byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        _ = ContentInformation.PeekVersion(body);
        return body;
    }

    /// <summary>An HttpClient that sends requests as built (no decompression, no proxy).</summary>
    public static HttpClient CreateClient() => new(CreateHandler())
    {
        Timeout = TimeSpan.FromMinutes(30),
    };

    public static SocketsHttpHandler CreateHandler() => new()
    {
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        UseProxy = false,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    };
}
