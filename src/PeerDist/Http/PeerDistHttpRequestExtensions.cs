namespace PeerDist.Http;

/// <summary>
/// Per-request switches of <see cref="PeerDistHttpHandler"/>, carried in <see cref="HttpRequestMessage.Options"/> so they
/// pass through any other handlers untouched.
/// </summary>
public static class PeerDistHttpRequestExtensions
{
    /// <summary>The option that turns peerdist off (<c>false</c>) or leaves it to the handler (<c>true</c>, or absent) for one request.</summary>
    public static readonly HttpRequestOptionsKey<bool> EnabledOption = new("PeerDist.Enabled");

    /// <summary>
    /// The option that marks a request latency-critical; such a request goes out plain unless the handler's
    /// <see cref="PeerDistHttpHandlerOptions.UsePeerDistForLatencyCriticalRequests"/> says otherwise.
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> LatencyCriticalOption = new("PeerDist.LatencyCritical");

    /// <summary>
    /// Turns peerdist off (<paramref name="enabled"/> false) for this request: it is sent exactly as built, and the response
    /// comes back untouched. True restores the handler's own decision. Returns the request, for chaining.
    /// </summary>
    public static HttpRequestMessage SetPeerDistEnabled(this HttpRequestMessage request, bool enabled)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Options.Set(EnabledOption, enabled);
        return request;
    }

    /// <summary>
    /// Marks this request latency-critical (a small fetch whose first byte matters more than origin load): by default it is
    /// then sent plain. Returns the request, for chaining.
    /// </summary>
    public static HttpRequestMessage SetPeerDistLatencyCritical(this HttpRequestMessage request, bool latencyCritical = true)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Options.Set(LatencyCriticalOption, latencyCritical);
        return request;
    }

    /// <summary>Whether peerdist was turned off for this request with <see cref="SetPeerDistEnabled"/>.</summary>
    public static bool IsPeerDistDisabled(this HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Options.TryGetValue(EnabledOption, out bool enabled) && !enabled;
    }

    /// <summary>Whether this request was marked latency-critical with <see cref="SetPeerDistLatencyCritical"/>.</summary>
    public static bool IsPeerDistLatencyCritical(this HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Options.TryGetValue(LatencyCriticalOption, out bool critical) && critical;
    }
}
