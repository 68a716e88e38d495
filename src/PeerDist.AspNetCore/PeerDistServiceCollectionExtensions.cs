using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace PeerDist.AspNetCore;

/// <summary>Registers the PeerDist origin.</summary>
public static class PeerDistServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="PeerDistOrigin"/> (publisher, secret, counters) with the options <paramref name="configure"/>
    /// sets; the options are validated when the host starts. Then call <c>app.UsePeerDist()</c>.
    /// </summary>
    public static IServiceCollection AddPeerDistOrigin(this IServiceCollection services, Action<PeerDistOriginOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<PeerDistOriginOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PeerDistOriginOptions>, PeerDistOriginOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton<PeerDistOrigin>();
        return services;
    }
}
