namespace PeerDist.AspNetCore;

/// <summary>
/// Endpoint metadata: file responses of this endpoint (PhysicalFile results and anything else sent with
/// <c>SendFileAsync</c>) may be served as peerdist. Put it on a controller or action, or use <c>.WithPeerDist()</c>.
/// The response must carry an ETag or Last-Modified (MS-PCCRTP 3.2.5.1) and a known length.
/// </summary>
/// <param name="enabled">False turns peerdist off for an endpoint (for example one under a group that turned it on).</param>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class PeerDistAttribute(bool enabled = true) : Attribute
{
    /// <summary>Whether peerdist is allowed for the endpoint.</summary>
    public bool Enabled { get; } = enabled;
}
