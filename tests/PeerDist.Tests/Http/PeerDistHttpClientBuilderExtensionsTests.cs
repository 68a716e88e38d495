using Microsoft.Extensions.DependencyInjection;
using PeerDist.Caching;
using PeerDist.Client;
using PeerDist.Http;
using PeerDist.Tests.Peer;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Http;

/// <summary>The handler through <c>IHttpClientFactory</c>: the registered <see cref="PeerDistClient"/> is used, options fail early.</summary>
[CancelAfter(60_000)]
[Category("Socket")]
public sealed class PeerDistHttpClientBuilderExtensionsTests
{
    private static readonly byte[] s_bytes = CreateBytes();

    [Test]
    public async Task AddPeerDistHandler_NamedClientFromFactory_DecodesThroughTheRegisteredClient(CancellationToken cancellationToken)
    {
        var resource = OriginResource.Create(s_bytes);
        await using PeerDistTestOrigin origin = await PeerDistTestOrigin.StartAsync();
        await using ServingNode peer = ServingNode.Start(resource.V2, s_bytes);
        using var cache = new MemoryContentCache();
        var services = new ServiceCollection();
        services.AddPeerDistClient(new PeerDistClientOptions { Cache = cache, PeerLocator = new StaticPeerLocator([peer.EndPoint]) });
        services.AddHttpClient("downloads")
            .AddPeerDistHandler()
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { UseProxy = false });
        await using ServiceProvider provider = services.BuildServiceProvider();
        Uri uri = origin.Add(resource);

        HttpClient http = provider.GetRequiredService<IHttpClientFactory>().CreateClient("downloads");
        using HttpResponseMessage response = await http.GetAsync(uri, cancellationToken);
        byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            ByteAssert.AreEqual(body, s_bytes, "body");
            Assert.That(response.Content, Is.InstanceOf<PeerDistResponseContent>());
            Assert.That(((PeerDistResponseContent)response.Content).GetStatistics().BytesFromPeers, Is.EqualTo(s_bytes.Length));
            Assert.That(cache.GetStatistics().BlockCount, Is.EqualTo(resource.V2.Segments.Count), "the registered client's cache holds the blocks");
        }
    }

    [Test]
    public void AddPeerDistHandler_NoClientRegistered_CreateClientThrows()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("downloads").AddPeerDistHandler();
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.That(() => provider.GetRequiredService<IHttpClientFactory>().CreateClient("downloads"), Throws.InvalidOperationException);
    }

    [Test]
    public void AddPeerDistHandler_InvalidOptions_ThrowsAtRegistration()
    {
        var services = new ServiceCollection();

        Assert.That(
            () => services.AddHttpClient("downloads").AddPeerDistHandler(new PeerDistHttpHandlerOptions { MaxHashRequestsInFlight = -1 }),
            Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void AddPeerDistClient_InvalidOptions_ThrowsAtRegistration()
    {
        var services = new ServiceCollection();

        Assert.That(() => services.AddPeerDistClient(new PeerDistClientOptions()), Throws.ArgumentException, "no cache");
    }

    [Test]
    public void AddPeerDistClient_RegisteredTwice_FirstRegistrationKept()
    {
        using var first = new MemoryContentCache();
        using var second = new MemoryContentCache();
        var services = new ServiceCollection();
        services.AddPeerDistClient(new PeerDistClientOptions { Cache = first });
        services.AddPeerDistClient(new PeerDistClientOptions { Cache = second });
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.That(provider.GetRequiredService<PeerDistClient>().Cache, Is.SameAs(first));
    }

    private static byte[] CreateBytes()
    {
        byte[] bytes = new byte[(12 * PeerDistConstants.BlockSize) + 777];
        new Random(0x4446).NextBytes(bytes);
        return bytes;
    }
}
