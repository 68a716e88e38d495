using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PeerDist.Client;

namespace PeerDist.Http;

/// <summary>
/// Adds <see cref="PeerDistHttpHandler"/> to a named or typed client of <c>IHttpClientFactory</c>. The handler needs a
/// <see cref="PeerDistClient"/> from the container: register one (once per application) with
/// <see cref="PeerDistServiceCollectionExtensions.AddPeerDistClient(IServiceCollection, PeerDistClientOptions)"/> or your own
/// singleton registration.
/// </summary>
public static class PeerDistHttpClientBuilderExtensions
{
    /// <summary>Adds the handler with the default options.</summary>
    /// <exception cref="InvalidOperationException">(When the client is created) no <see cref="PeerDistClient"/> is registered.</exception>
    public static IHttpClientBuilder AddPeerDistHandler(this IHttpClientBuilder builder) =>
        AddPeerDistHandler(builder, new PeerDistHttpHandlerOptions());

    /// <summary>Adds the handler with <paramref name="options"/>, which are validated now rather than at the first request.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static IHttpClientBuilder AddPeerDistHandler(this IHttpClientBuilder builder, PeerDistHttpHandlerOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return AddPeerDistHandler(builder, _ => options);
    }

    /// <summary>Adds the handler with options built from the container each time the factory builds a handler chain.</summary>
    public static IHttpClientBuilder AddPeerDistHandler(this IHttpClientBuilder builder, Func<IServiceProvider, PeerDistHttpHandlerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);

        // The factory builds a new chain per handler lifetime (2 minutes by default); each gets its own handler, all share
        // the one PeerDistClient (and so one cache and one set of peer connections).
        return builder.AddHttpMessageHandler(services => new PeerDistHttpHandler(
            services.GetRequiredService<PeerDistClient>(),
            options(services),
            services.GetService<ILogger<PeerDistHttpHandler>>()));
    }
}
