using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace PeerDist.AspNetCore;

/// <summary>Adds the PeerDist middleware to the pipeline.</summary>
public static class PeerDistApplicationBuilderExtensions
{
    /// <summary>
    /// Answers requests that ask for peerdist (MS-PCCRTP) with content information when the response is a file of at
    /// least <see cref="PeerDistOriginOptions.MinimumContentLength"/> bytes. Place it before <c>UseStaticFiles</c> and
    /// <c>UseRouting</c> (and after <c>UseResponseCompression</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>AddPeerDistOrigin</c> was not called.</exception>
    public static IApplicationBuilder UsePeerDist(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // Create the origin now, so a bad secret or key file stops the application at start-up, not at the first request.
        if (app.ApplicationServices.GetService<PeerDistOrigin>() is null)
        {
            throw new InvalidOperationException("PeerDist is not registered: call services.AddPeerDistOrigin(options => ...) before app.UsePeerDist().");
        }

        return app.UseMiddleware<PeerDistMiddleware>();
    }
}
