using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PeerDist.Caching;
using PeerDist.Client;

namespace PeerDist.Hosting;

/// <summary>Registers a <see cref="PeerDistNode"/> with a generic host.</summary>
public static class PeerDistNodeServiceCollectionExtensions
{
    /// <summary>
    /// Registers one node as a singleton and a hosted service (started and stopped with the host), and exposes its
    /// <see cref="PeerDistClient"/> and <see cref="ContentCache"/>. The node logs through the provider's
    /// <see cref="ILoggerFactory"/> and takes its meter from the provider's <see cref="IMeterFactory"/> when there is one.
    /// </summary>
    /// <remarks>
    /// The options are an immutable record, so they are given whole rather than through an <c>Action</c> that mutates them;
    /// start from <c>new PeerDistNodeOptions { ... }</c> or derive with <c>with { ... }</c>.
    /// </remarks>
    /// <exception cref="ArgumentException">An option is invalid (checked here, not at host start).</exception>
    public static IServiceCollection AddPeerDistNode(this IServiceCollection services, PeerDistNodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return services.AddPeerDistNode(_ => options);
    }

    /// <summary>
    /// As <see cref="AddPeerDistNode(IServiceCollection, PeerDistNodeOptions)"/>, with the options made from the service
    /// provider when the node is first resolved (for example from configuration).
    /// </summary>
    public static IServiceCollection AddPeerDistNode(this IServiceCollection services, Func<IServiceProvider, PeerDistNodeOptions> optionsFactory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(optionsFactory);
        services.AddSingleton(provider => new PeerDistNode(
            optionsFactory(provider),
            provider.GetService<ILoggerFactory>(),
            provider.GetService<IMeterFactory>()));
        services.AddHostedService(provider => provider.GetRequiredService<PeerDistNode>());
        services.AddSingleton(provider => provider.GetRequiredService<PeerDistNode>().Client);
        services.AddSingleton(provider => provider.GetRequiredService<PeerDistNode>().Cache);
        return services;
    }
}
