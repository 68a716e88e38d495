using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PeerDist.Caching;
using PeerDist.Client;
using PeerDist.Diagnostics;
using PeerDist.Hosting;

namespace PeerDist.Tests.Hosting;

/// <summary>The node under a generic host: one singleton, started and stopped with the host, client and cache from DI.</summary>
[CancelAfter(30_000)]
public sealed class PeerDistNodeServiceCollectionExtensionsTests
{
    [Test]
    public async Task AddPeerDistNode_HostStartsAndStops_NodeRunsAndClientAndCacheComeFromIt(CancellationToken cancellationToken)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddMetrics();
        builder.Services.AddPeerDistNode(NodeFixtures.LocalOnly());
        using IHost host = builder.Build();

        await host.StartAsync(cancellationToken);
        PeerDistNode node = host.Services.GetRequiredService<PeerDistNode>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(node.IsRunning, Is.True);
            Assert.That(host.Services.GetRequiredService<PeerDistClient>(), Is.SameAs(node.Client));
            Assert.That(host.Services.GetRequiredService<ContentCache>(), Is.SameAs(node.Cache));
            Assert.That(host.Services.GetServices<IHostedService>(), Has.Member(node));
            Assert.That(node.Metrics.Meter.Name, Is.EqualTo(PeerDistMetrics.MeterName));
            Assert.That(node.Metrics.Meter.Scope, Is.Not.Null, "the meter comes from the host's IMeterFactory");
        }

        await host.StopAsync(cancellationToken);
        Assert.That(node.IsRunning, Is.False);
    }

    [Test]
    public void AddPeerDistNode_InvalidOptions_ThrowsAtRegistration()
    {
        var services = new ServiceCollection();

        Assert.That(
            () => services.AddPeerDistNode(new PeerDistNodeOptions { Mode = PeerDistNodeMode.HostedCacheClient }),
            Throws.ArgumentException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("HostedCacheEndPoint"));
    }
}
