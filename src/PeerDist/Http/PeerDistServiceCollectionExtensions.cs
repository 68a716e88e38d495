using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PeerDist.Client;

namespace PeerDist.Http;

/// <summary>
/// Registers the node's <see cref="PeerDistClient"/> as a singleton, for <see cref="PeerDistHttpHandler"/> and anything
/// else that reads content through it. The container disposes the client at shutdown; it does not dispose the content
/// cache in the options (register that yourself if the container should own it). A registration that exists already
/// is kept.
/// </summary>
public static class PeerDistServiceCollectionExtensions
{
    /// <summary>Registers a client with <paramref name="options"/>, which are validated now.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static IServiceCollection AddPeerDistClient(this IServiceCollection services, PeerDistClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return AddPeerDistClient(services, _ => options);
    }

    /// <summary>Registers a client whose options are built from the container when it is first needed.</summary>
    public static IServiceCollection AddPeerDistClient(this IServiceCollection services, Func<IServiceProvider, PeerDistClientOptions> options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.TryAddSingleton(provider => new PeerDistClient(options(provider)));
        return services;
    }
}
