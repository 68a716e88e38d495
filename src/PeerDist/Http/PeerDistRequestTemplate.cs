using System.Net.Http.Headers;

namespace PeerDist.Http;

/// <summary>
/// A snapshot of a caller's GET request taken before the handler adds the peerdist headers, from which the handler's own
/// requests to the same resource are built: the plain fallback (the caller's request as it was), the missing-data range
/// requests and the follow-up hash request. Those carry the caller's headers (authorization, cookies, API keys,
/// User-Agent, ...) so the origin treats them as the caller's, minus the headers that would change what comes back.
/// </summary>
internal sealed class PeerDistRequestTemplate
{
    /// <summary>Never copied: the handler sets these itself, or they belong to one exchange only.</summary>
    private static readonly string[] s_neverCopied =
    [
        PccrtpHeaderNames.PeerDist,
        PccrtpHeaderNames.PeerDistEx,
        "Range",
        "If-Range",
        "Expect",
        "Transfer-Encoding",
    ];

    /// <summary>
    /// Not copied into range and hash requests: a coding would break the byte offsets (the missing-data request must not
    /// list peerdist either, MS-PCCRTP 2.2.2), and a condition could answer 304/412 instead of the bytes.
    /// </summary>
    private static readonly string[] s_notCopiedIntoSubrequests =
    [
        "Accept-Encoding",
        "If-Match",
        "If-None-Match",
        "If-Modified-Since",
        "If-Unmodified-Since",
    ];

    private readonly KeyValuePair<string, string[]>[] _headers;
    private readonly KeyValuePair<string, object?>[] _options;
    private readonly Version _version;
    private readonly HttpVersionPolicy _versionPolicy;

    private PeerDistRequestTemplate(Uri uri, KeyValuePair<string, string[]>[] headers, KeyValuePair<string, object?>[] options, Version version, HttpVersionPolicy versionPolicy)
    {
        Uri = uri;
        _headers = headers;
        _options = options;
        _version = version;
        _versionPolicy = versionPolicy;
    }

    /// <summary>The resource.</summary>
    public Uri Uri { get; }

    /// <summary>Snapshots <paramref name="request"/> (absolute URI, GET, no body: the handler checked).</summary>
    public static PeerDistRequestTemplate Capture(HttpRequestMessage request)
    {
        var headers = new List<KeyValuePair<string, string[]>>();
        foreach (KeyValuePair<string, HeaderStringValues> header in request.Headers.NonValidated)
        {
            headers.Add(new(header.Key, [.. header.Value]));
        }

        return new PeerDistRequestTemplate(request.RequestUri!, [.. headers], [.. request.Options], request.Version, request.VersionPolicy);
    }

    /// <summary>The caller's request as it was, without peerdist: the plain fallback.</summary>
    public HttpRequestMessage CreatePlainRequest() => Create(subrequest: false);

    /// <summary>
    /// A missing-data request for bytes <paramref name="first"/> to <paramref name="last"/> (inclusive): a plain GET with
    /// <c>Range</c> and <c>X-P2P-PeerDist: Version=1.1, MissingDataRequest=true</c>, without peerdist in
    /// <c>Accept-Encoding</c> (MS-PCCRTP 2.2.2, 3.1.5.1).
    /// </summary>
    public HttpRequestMessage CreateMissingDataRequest(long first, long last)
    {
        HttpRequestMessage request = Create(subrequest: true);
        request.Headers.Range = new RangeHeaderValue(first, last);
        request.Headers.TryAddWithoutValidation(PccrtpHeaderNames.PeerDist, Client.HttpOriginSource.MissingDataRequestHeaderValue);
        return request;
    }

    /// <summary>
    /// The follow-up hash request after <c>MakeHashRequest=true</c> (MS-PCCRTP 3.1.5.2, wire.md §4.4): a GET carrying
    /// <c>HashRequest=true</c> in <c>X-P2P-PeerDistEx</c>. It also lists peerdist in <c>Accept-Encoding</c>, so a server
    /// whose hashes are ready by now answers with the small content information instead of the whole body.
    /// </summary>
    public HttpRequestMessage CreateHashRequest(string peerDist, string peerDistEx)
    {
        HttpRequestMessage request = Create(subrequest: true);
        request.Headers.TryAddWithoutValidation("Accept-Encoding", PccrtpHeaderNames.ContentCoding);
        request.Headers.TryAddWithoutValidation(PccrtpHeaderNames.PeerDist, peerDist);
        request.Headers.TryAddWithoutValidation(PccrtpHeaderNames.PeerDistEx, peerDistEx);
        return request;
    }

    private HttpRequestMessage Create(bool subrequest)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Uri) { Version = _version, VersionPolicy = _versionPolicy };
        foreach (KeyValuePair<string, string[]> header in _headers)
        {
            if (Contains(s_neverCopied, header.Key) || (subrequest && Contains(s_notCopiedIntoSubrequests, header.Key)))
            {
                continue;
            }

            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        var options = (IDictionary<string, object?>)request.Options;
        foreach (KeyValuePair<string, object?> option in _options)
        {
            options[option.Key] = option.Value;
        }

        // The handler's own requests are never advertised again, by this handler or another one further in.
        request.SetPeerDistEnabled(false);
        return request;
    }

    private static bool Contains(string[] names, string name) =>
        Array.Exists(names, n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
}
