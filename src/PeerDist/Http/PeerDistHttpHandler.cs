using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PeerDist.Client;
using PeerDist.Content;

namespace PeerDist.Http;

/// <summary>
/// The client side of MS-PCCRTP as an <see cref="HttpClient"/> handler: GET requests advertise the <c>peerdist</c>
/// content coding, and a peerdist response (content information instead of the bytes) is turned into an ordinary
/// <c>200</c> response whose content is the verified identity bytes, read by a <see cref="PeerDistClient"/> from the local
/// cache, from peers and, for what they lack, from the origin with range requests sent through the inner handler.
/// Every other response passes through untouched.
/// </summary>
/// <remarks>
/// <para>
/// Peerdist is advertised only on an asynchronous <c>GET</c> with an absolute http(s) URI and no body, when the request
/// has no <c>Range</c> header (MS-PCCRTP says nothing of ranges with peerdist, and Windows advertises it on whole-resource
/// GETs only), does not itself speak PCCRTP (no <c>X-P2P-PeerDist</c>, no peerdist in <c>Accept-Encoding</c>), was not
/// turned off with <see cref="PeerDistHttpRequestExtensions.SetPeerDistEnabled"/>, is not latency-critical (see
/// <see cref="PeerDistHttpHandlerOptions.UsePeerDistForLatencyCriticalRequests"/>) and passes
/// <see cref="PeerDistHttpHandlerOptions.RequestFilter"/>. Synchronous <see cref="HttpClient.Send(HttpRequestMessage)"/>
/// calls pass through untouched.
/// </para>
/// <para>
/// A peerdist response the handler cannot use (invalid <c>X-P2P-PeerDist</c>, malformed or oversized content information,
/// a length mismatch) is discarded with a warning and the resource is fetched again as the caller's plain request: never
/// a byte that was not verified. The handler does not own the <see cref="PeerDistClient"/>.
/// </para>
/// </remarks>
public sealed partial class PeerDistHttpHandler : DelegatingHandler
{
    private readonly PeerDistClient _client;
    private readonly PeerDistHttpHandlerOptions _options;
    private readonly string _peerDistValue;
    private readonly string _peerDistExValue;
    private readonly string _hashRequestPeerDistExValue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, byte> _hashRequests = new(StringComparer.Ordinal);
    private int _hashRequestsInFlight;
    private int _disposed;

    /// <summary>Creates a handler whose inner handler is set later (as <c>IHttpClientFactory</c> does).</summary>
    /// <param name="client">The download client (one per node; not disposed by the handler).</param>
    /// <param name="options">The settings; null for the defaults.</param>
    /// <param name="logger">Where fallbacks and sources are logged; null for none.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public PeerDistHttpHandler(PeerDistClient client, PeerDistHttpHandlerOptions? options = null, ILogger<PeerDistHttpHandler>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        options ??= new PeerDistHttpHandlerOptions();
        options.Validate();
        _client = client;
        _options = options;
        Logger = logger ?? (ILogger)NullLogger.Instance;

        // MS-PCCRTP 3.1.5.1: a client that lists peerdist MUST send its highest version (1.1) and, with 1.1, the window
        // of content information versions it reads (wire.md §4.2).
        _peerDistValue = new PeerDistHeader(PccrtpVersion.V11).ToString();
        var window = new PeerDistExHeader
        {
            MinContentInformation = PccrtpVersion.V10,
            MaxContentInformation = options.MaxContentInformationVersion == ContentInformationVersion.V2 ? PccrtpVersion.V20 : PccrtpVersion.V10,
        };
        _peerDistExValue = window.ToString();
        _hashRequestPeerDistExValue = (window with { HashRequest = true }).ToString();
    }

    /// <summary>Creates a handler that sends through <paramref name="innerHandler"/>.</summary>
    /// <param name="client">The download client (one per node; not disposed by the handler).</param>
    /// <param name="innerHandler">The handler requests go through (for instance a <see cref="SocketsHttpHandler"/>); disposed with this one.</param>
    /// <param name="options">The settings; null for the defaults.</param>
    /// <param name="logger">Where fallbacks and sources are logged; null for none.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public PeerDistHttpHandler(PeerDistClient client, HttpMessageHandler innerHandler, PeerDistHttpHandlerOptions? options = null, ILogger<PeerDistHttpHandler>? logger = null)
        : this(client, options, logger)
    {
        ArgumentNullException.ThrowIfNull(innerHandler);
        InnerHandler = innerHandler;
    }

    /// <summary>The settings the handler runs with.</summary>
    public PeerDistHttpHandlerOptions Options => _options;

    /// <summary>The download client responses are read through.</summary>
    public PeerDistClient Client => _client;

    internal ILogger Logger { get; }

    /// <summary>Sends a request of the handler's own (range, hash, plain fallback) through the inner handler.</summary>
    internal Task<HttpResponseMessage> SendToInnerAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (WhyNotAdvertised(request) is string reason)
        {
            PeerDistHttpLog.NotAdvertised(Logger, request.Method, request.RequestUri, reason);
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        PeerDistRequestTemplate template = PeerDistRequestTemplate.Capture(request);
        Advertise(request);
        HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!IsPeerDistCoded(response))
        {
            PeerDistHttpLog.PlainResponse(Logger, template.Uri, (int)response.StatusCode);
            ConsiderHashRequest(response, template);
            return response;
        }

        HttpResponseMessage? decoded = null;
        try
        {
            decoded = await DecodeAsync(response, template, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // The peerdist response's body (the content information) is consumed or abandoned either way.
            if (!ReferenceEquals(decoded, response))
            {
                response.Dispose();
            }
        }

        return decoded ?? await FetchPlainAsync(template, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops pending hash requests, then disposes the inner handler.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stopping.Cancel();
            _stopping.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Null when the request should advertise peerdist; otherwise why not (for the log).</summary>
    private string? WhyNotAdvertised(HttpRequestMessage request)
    {
        if (!_options.Enabled)
        {
            return "the handler is disabled";
        }

        if (request.Method != HttpMethod.Get)
        {
            return "only GET requests advertise peerdist";
        }

        if (request.RequestUri is not { IsAbsoluteUri: true } uri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return "not an absolute http(s) address";
        }

        if (request.Content is not null)
        {
            return "the request has a body";
        }

        if (request.IsPeerDistDisabled())
        {
            return "turned off for this request";
        }

        if (request.IsPeerDistLatencyCritical() && !_options.UsePeerDistForLatencyCriticalRequests)
        {
            return "the request is latency-critical";
        }

        HttpRequestHeaders headers = request.Headers;
        if (headers.NonValidated.Contains("Range"))
        {
            return "the request has a Range header";
        }

        if (headers.NonValidated.Contains(PccrtpHeaderNames.PeerDist) || headers.NonValidated.Contains(PccrtpHeaderNames.PeerDistEx) ||
            PccrtpAcceptEncoding.Mentions(Joined(headers.NonValidated, "Accept-Encoding")))
        {
            return "the caller speaks PCCRTP itself";
        }

        if (_options.RequestFilter is { } filter && !filter(request))
        {
            return "excluded by the request filter";
        }

        return null;
    }

    /// <summary>Adds peerdist to the caller's codings and the two PeerDist headers (MS-PCCRTP 3.1.5.1, wire.md §4.2).</summary>
    private void Advertise(HttpRequestMessage request)
    {
        string? codings = Joined(request.Headers.NonValidated, "Accept-Encoding");
        request.Headers.Remove("Accept-Encoding");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", PccrtpAcceptEncoding.AddPeerDist(codings));
        request.Headers.TryAddWithoutValidation(PccrtpHeaderNames.PeerDist, _peerDistValue);
        request.Headers.TryAddWithoutValidation(PccrtpHeaderNames.PeerDistEx, _peerDistExValue);
    }

    /// <summary>
    /// Turns a peerdist response into the decoded one, or returns null (after logging why) when it cannot be used and the
    /// resource must be fetched plain.
    /// </summary>
    private async Task<HttpResponseMessage?> DecodeAsync(HttpResponseMessage response, PeerDistRequestTemplate template, CancellationToken cancellationToken)
    {
        if (CheckHeaders(response, out long contentLength) is (PeerDistFallbackReason reason, string detail))
        {
            PeerDistHttpLog.Fallback(Logger, template.Uri, reason, detail);
            return null;
        }

        byte[]? body = await ReadBoundedAsync(response.Content, _options.MaxContentInformationBytes, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            PeerDistHttpLog.Fallback(Logger, template.Uri, PeerDistFallbackReason.ContentInformationTooLarge, $"more than {_options.MaxContentInformationBytes} bytes");
            return null;
        }

        if (!ContentInformation.TryParse(body, out ContentInformation? information, out PeerDistFormatError error, out long errorOffset))
        {
            PeerDistHttpLog.Fallback(Logger, template.Uri, PeerDistFallbackReason.MalformedContentInformation, $"{error} at offset {errorOffset} of {body.Length} bytes");
            return null;
        }

        // The request had no Range, so the content information must describe the whole content, [0, ContentLength).
        if (information.Range.Start != 0 || information.Range.Length != contentLength)
        {
            PeerDistHttpLog.Fallback(
                Logger,
                template.Uri,
                PeerDistFallbackReason.LengthMismatch,
                $"the content information describes {information.Range}, X-P2P-PeerDist says ContentLength={contentLength}");
            return null;
        }

        PeerDistContent content;
        try
        {
            content = _client.OpenContent(information, new InnerHandlerOriginSource(this, template, contentLength, _options.OriginRequestTimeout));
        }
        catch (Exception e) when (e is ObjectDisposedException or IOException or UnauthorizedAccessException)
        {
            // A local problem (client shut down, cache unwritable) must not cost the caller the resource: fetch it plain.
            PeerDistHttpLog.Fallback(Logger, template.Uri, PeerDistFallbackReason.ClientUnavailable, e.Message);
            return null;
        }

        PeerDistHttpLog.PeerDistResponse(Logger, template.Uri, information.Version, body.Length, contentLength);
        return CreateDecodedResponse(response, content, contentLength, template.Uri);
    }

    /// <summary>The checks on a peerdist response's headers (MS-PCCRTP 2.2, 3.2.5.1); null when they pass.</summary>
    private static (PeerDistFallbackReason Reason, string Detail)? CheckHeaders(HttpResponseMessage response, out long contentLength)
    {
        contentLength = 0;
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (PeerDistFallbackReason.UnexpectedStatus, $"status {(int)response.StatusCode}");
        }

        string? codings = Joined(response.Content.Headers.NonValidated, "Content-Encoding");
        if (codings is null || !codings.Trim().Equals(PccrtpHeaderNames.ContentCoding, StringComparison.OrdinalIgnoreCase))
        {
            return (PeerDistFallbackReason.StackedContentCoding, $"Content-Encoding: {codings}");
        }

        string? value = Joined(response.Headers.NonValidated, PccrtpHeaderNames.PeerDist);
        if (!PeerDistHeader.TryParse(value, out PeerDistHeader? header))
        {
            return (PeerDistFallbackReason.InvalidPeerDistHeader, value is null ? "no X-P2P-PeerDist header" : $"X-P2P-PeerDist: {value}");
        }

        if (header.Version.Major != 1)
        {
            return (PeerDistFallbackReason.UnsupportedVersion, $"version {header.Version}");
        }

        if (header.ContentLength is not long length)
        {
            return (PeerDistFallbackReason.MissingContentLength, $"X-P2P-PeerDist: {value}");
        }

        contentLength = length;
        return null;
    }

    /// <summary>The body, or null when it is longer than <paramref name="limit"/> (by its Content-Length or as it arrives).</summary>
    private static async Task<byte[]?> ReadBoundedAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength is long declared && declared > limit)
        {
            return null;
        }

        Stream body = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            int expected = content.Headers.ContentLength is long known ? (int)known : 0;
            using var collected = new MemoryStream(expected);
            byte[] buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
            try
            {
                int read;
                while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (collected.Length + read > limit)
                    {
                        return null;
                    }

                    collected.Write(buffer, 0, read);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            return collected.ToArray();
        }
    }

    /// <summary>
    /// The ordinary response: the peerdist response's status and headers, its content headers without the coding and
    /// the encoded length (Content-Type, ETag, Last-Modified, ... kept), and the identity bytes as the content.
    /// </summary>
    private HttpResponseMessage CreateDecodedResponse(HttpResponseMessage response, PeerDistContent content, long contentLength, Uri uri)
    {
        var decoded = new HttpResponseMessage(response.StatusCode)
        {
            Version = response.Version,
            ReasonPhrase = response.ReasonPhrase,
            RequestMessage = response.RequestMessage,
            Content = new PeerDistResponseContent(content, contentLength, uri, Logger),
        };

        foreach (KeyValuePair<string, HeaderStringValues> header in response.Headers.NonValidated)
        {
            // The body was read already; its framing does not describe the new content.
            if (!header.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                decoded.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        foreach (KeyValuePair<string, HeaderStringValues> header in response.Content.Headers.NonValidated)
        {
            // These describe the encoded body (the content information), not the identity bytes.
            if (!header.Key.Equals("Content-Encoding", StringComparison.OrdinalIgnoreCase) &&
                !header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) &&
                !header.Key.Equals("Content-MD5", StringComparison.OrdinalIgnoreCase) &&
                !header.Key.Equals("Content-Range", StringComparison.OrdinalIgnoreCase))
            {
                decoded.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        return decoded;
    }

    /// <summary>The caller's request again, without peerdist; a server that answers it with peerdist anyway is an error.</summary>
    private async Task<HttpResponseMessage> FetchPlainAsync(PeerDistRequestTemplate template, CancellationToken cancellationToken)
    {
        using HttpRequestMessage request = template.CreatePlainRequest();
        HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (IsPeerDistCoded(response))
        {
            response.Dispose();
            throw new HttpRequestException(
                $"The origin answered a request for {template.Uri} without peerdist in Accept-Encoding with a peerdist response.",
                null,
                response.StatusCode);
        }

        return response;
    }

    /// <summary>Whether <c>Content-Encoding</c> lists the peerdist coding (case-insensitive, MS-PCCRTP 2.2).</summary>
    private static bool IsPeerDistCoded(HttpResponseMessage response)
    {
        string? codings = Joined(response.Content.Headers.NonValidated, "Content-Encoding");
        if (codings is null)
        {
            return false;
        }

        foreach (string coding in codings.Split(',', StringSplitOptions.TrimEntries))
        {
            if (coding.Equals(PccrtpHeaderNames.ContentCoding, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>All values of a header joined with ", " (as one field line), or null when it is absent.</summary>
    private static string? Joined(HttpHeadersNonValidated headers, string name) =>
        headers.TryGetValues(name, out HeaderStringValues values) ? string.Join(", ", values) : null;
}
