using Microsoft.AspNetCore.Builder;

namespace PeerDist.AspNetCore;

/// <summary>Lets endpoints opt in to (or out of) peerdist.</summary>
public static class PeerDistEndpointConventionBuilderExtensions
{
    /// <summary>
    /// File responses of these endpoints (<c>Results.File(path)</c> / PhysicalFile, anything sent with
    /// <c>SendFileAsync</c>) may be answered with content information. The response needs an ETag or Last-Modified.
    /// </summary>
    public static TBuilder WithPeerDist<TBuilder>(this TBuilder builder, bool enabled = true)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(new PeerDistAttribute(enabled));
    }
}
