using PeerDist.Content;

namespace PeerDist.Http;

/// <summary>
/// The settings of a <see cref="PeerDistHttpHandler"/>; validated when the handler is created (and when it is registered
/// with <c>IHttpClientFactory</c>), never mid-request.
/// </summary>
public sealed record PeerDistHttpHandlerOptions
{
    /// <summary>
    /// The default bound on a content information body: 32 MiB. V1 content information costs about 0.5 KiB per MiB of
    /// content (a 32-byte hash per 64 KiB block), so 10 GiB of content needs about 5 MiB; this leaves room for SHA-512.
    /// </summary>
    public const int DefaultMaxContentInformationBytes = 32 * 1024 * 1024;

    /// <summary>The default bound on follow-up hash requests in flight at once, over all resources.</summary>
    public const int DefaultMaxHashRequestsInFlight = 4;

    /// <summary>The default time a follow-up hash request may take before it is abandoned.</summary>
    public static readonly TimeSpan DefaultHashRequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The default time one origin range request (the missing-data fallback) may take: HttpClient's own default.</summary>
    public static readonly TimeSpan DefaultOriginRequestTimeout = TimeSpan.FromSeconds(100);

    /// <summary>The master switch: false sends every request untouched, as if the handler were not there.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// The highest content information version advertised in <c>X-P2P-PeerDistEx</c> (<c>MaxContentInformation</c>,
    /// MS-PCCRTP 2.2): <see cref="ContentInformationVersion.V2"/> (the default, as later Windows clients) or
    /// <see cref="ContentInformationVersion.V1"/>. The handler reads either version whatever the server sends.
    /// </summary>
    public ContentInformationVersion MaxContentInformationVersion { get; init; } = ContentInformationVersion.V2;

    /// <summary>
    /// The largest content information body read from a peerdist response; a larger one (by its Content-Length or as it
    /// arrives) is abandoned and the resource is fetched again as a plain GET.
    /// </summary>
    public int MaxContentInformationBytes { get; init; } = DefaultMaxContentInformationBytes;

    /// <summary>
    /// Whether requests marked latency-critical (<see cref="PeerDistHttpRequestExtensions.SetPeerDistLatencyCritical"/>)
    /// still advertise peerdist. False (the default): they go out plain, since a peerdist response costs a round trip
    /// for the content information and a look-up of peers before the first byte.
    /// </summary>
    public bool UsePeerDistForLatencyCriticalRequests { get; init; }

    /// <summary>
    /// An optional rule for which GET requests advertise peerdist (for instance by host, path or a size the caller knows):
    /// false sends the request untouched. Called once per request on the sending thread; it must not throw.
    /// </summary>
    public Func<HttpRequestMessage, bool>? RequestFilter { get; init; }

    /// <summary>
    /// Whether a plain response carrying <c>X-P2P-PeerDistEx: MakeHashRequest=true</c> (the server had no hashes yet,
    /// MS-PCCRTP 3.1.5.2) leads to the follow-up hash request. True by default, as the specification says SHOULD.
    /// </summary>
    public bool SendHashRequests { get; init; } = true;

    /// <summary>Follow-up hash requests in flight at once over all resources; more are skipped (and logged).</summary>
    public int MaxHashRequestsInFlight { get; init; } = DefaultMaxHashRequestsInFlight;

    /// <summary>How long a follow-up hash request may take before it is cancelled.</summary>
    public TimeSpan HashRequestTimeout { get; init; } = DefaultHashRequestTimeout;

    /// <summary>How long one origin range request (data no peer had) may take before the read fails with a timeout.</summary>
    public TimeSpan OriginRequestTimeout { get; init; } = DefaultOriginRequestTimeout;

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public void Validate()
    {
        if (MaxContentInformationVersion is not (ContentInformationVersion.V1 or ContentInformationVersion.V2))
        {
            ThrowHelper.ThrowArgument("The content information version is not 1 or 2 (MS-PCCRC 2.3, 2.4).", nameof(MaxContentInformationVersion));
        }

        // The smallest valid content information is a few dozen bytes; 1 KiB keeps a typo from disabling every download.
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxContentInformationBytes, 1024, nameof(MaxContentInformationBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxHashRequestsInFlight, 1, nameof(MaxHashRequestsInFlight));
        ValidateTimeout(HashRequestTimeout, nameof(HashRequestTimeout));
        ValidateTimeout(OriginRequestTimeout, nameof(OriginRequestTimeout));
    }

    private static void ValidateTimeout(TimeSpan timeout, string name)
    {
        // CancellationTokenSource.CancelAfter takes at most int.MaxValue milliseconds (about 24.8 days).
        if (timeout != Timeout.InfiniteTimeSpan && (timeout <= TimeSpan.Zero || timeout.TotalMilliseconds > int.MaxValue))
        {
            ThrowHelper.ThrowArgumentOutOfRange(name, "A timeout is positive and at most int.MaxValue milliseconds, or Timeout.InfiniteTimeSpan.");
        }
    }
}
