using System.Net;
using System.Net.Sockets;
using PeerDist.Client;
using PeerDist.Content;
using PeerDist.Diagnostics;
using PeerDist.Hosting;
using PeerDist.Tests.Caching;
using PeerDist.Tests.Client;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Hosting;

/// <summary>
/// The node host over real loopback sockets: what each mode binds, where a download's bytes come from between two nodes,
/// the counters, and the start errors a person sees (port in use, privileged port, locked cache, unknown interface).
/// Nodes that run discovery use the loopback interface only, at a per-test port.
/// </summary>
[TestFixture]
[Category("Socket")]
[CancelAfter(60_000)]
public sealed class PeerDistNodeTests
{
    /// <summary>V1, one full segment and a short one (518 blocks).</summary>
    private static readonly TestContent s_v1 = TestContent.Create((int)PeerDistConstants.SegmentSize + (5 * PeerDistConstants.BlockSize) + 123, ContentInformationVersion.V1, seed: 5);

    /// <summary>V2, several segments.</summary>
    private static readonly TestContent s_v2 = TestContent.Create(700_000, ContentInformationVersion.V2, seed: 6);

    private static int BlockCount(TestContent content) => content.Segments.Sum(s => s.BlockCount);

    [Test]
    [Category("Multicast")]
    public async Task StartAsync_DistributedOnPortZero_BoundEndPointReadableAndServingUntilStopped(CancellationToken cancellationToken)
    {
        await using var node = new PeerDistNode(NodeFixtures.Distributed(IPAddress.Loopback, LoopbackMulticast.FreePort()));
        Assert.That(node.EndPoint, Is.Null, "nothing bound before start");

        await node.StartAsync(cancellationToken);
        IPEndPoint bound = node.EndPoint!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(node.IsRunning, Is.True);
            Assert.That(bound.Address, Is.EqualTo(IPAddress.Loopback));
            Assert.That(bound.Port, Is.GreaterThan(0));
            Assert.That(node.AdvertisedEndPoints, Is.EqualTo(new[] { bound }), "a specific address is advertised as bound");
        }

        using (var probe = new TcpClient())
        {
            await probe.ConnectAsync(bound, cancellationToken);
        }

        await node.StopAsync(cancellationToken);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(node.IsRunning, Is.False);
            Assert.That(node.EndPoints, Is.Empty);
        }

        using var refused = new TcpClient();
        Assert.That(async () => await refused.ConnectAsync(bound, cancellationToken), Throws.InstanceOf<SocketException>(), "nobody listens after stop");
    }

    [Test]
    public async Task StartAsync_LocalOnly_BindsNothingAndDownloadsFromOriginThenCache(CancellationToken cancellationToken)
    {
        await using var node = new PeerDistNode(NodeFixtures.LocalOnly());
        using var metrics = new MetricsRecorder(node.Metrics.Meter);
        await node.StartAsync(cancellationToken);
        var origin = new MemoryOrigin(s_v2.Bytes);

        byte[] first = await ReadAllAsync(node, s_v2, origin, cancellationToken);
        int originRequests = origin.Requests.Count;
        byte[] second = await ReadAllAsync(node, s_v2, origin, cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(node.EndPoint, Is.Null, "a local-only node serves nobody");
            ByteAssert.AreEqual(first, s_v2.Bytes, "first read");
            ByteAssert.AreEqual(second, s_v2.Bytes, "second read");
            Assert.That(origin.Requests, Has.Count.EqualTo(originRequests), "the second read asked the origin nothing");
            Assert.That(metrics.BySource(PeerDistMetrics.BytesObtainedName, PeerDistMetrics.SourceOrigin), Is.EqualTo(s_v2.Bytes.Length));
            Assert.That(metrics.BySource(PeerDistMetrics.BytesObtainedName, PeerDistMetrics.SourceCache), Is.EqualTo(s_v2.Bytes.Length));
            Assert.That(metrics.Total(PeerDistMetrics.CacheMissesName), Is.EqualTo(BlockCount(s_v2)), "every block missed once");
            Assert.That(metrics.Total(PeerDistMetrics.CacheHitsName), Is.EqualTo(BlockCount(s_v2)), "every block hit once");
            Assert.That(node.GetStatistics().Cache.BlockCount, Is.EqualTo(BlockCount(s_v2)));
        }
    }

    [Test]
    [Category("Multicast")]
    public async Task HostedCacheClient_AgainstDistributedNode_EveryByteFromItCountedAsHostedCache(CancellationToken cancellationToken)
    {
        await using var server = new PeerDistNode(NodeFixtures.Distributed(IPAddress.Loopback, LoopbackMulticast.FreePort()));
        await server.StartAsync(cancellationToken);
        await ReadAllAsync(server, s_v1, new MemoryOrigin(s_v1.Bytes), cancellationToken);
        using var served = new MetricsRecorder(server.Metrics.Meter);

        await using var client = new PeerDistNode(NodeFixtures.HostedCacheClient(server.EndPoint!));
        using var obtained = new MetricsRecorder(client.Metrics.Meter);
        await client.StartAsync(cancellationToken);
        var origin = new MemoryOrigin(s_v1.Bytes);
        await using PeerDistContent content = client.Client.OpenContent(s_v1.Information, origin);
        byte[] bytes = new byte[s_v1.Bytes.Length];
        await content.ReadAsync(0, bytes, cancellationToken);

        PeerDistContentStatistics statistics = content.GetStatistics();
        using (Assert.EnterMultipleScope())
        {
            ByteAssert.AreEqual(bytes, s_v1.Bytes, "content");
            Assert.That(client.EndPoint, Is.Not.Null, "a hosted cache client serves (the hosted cache pulls from it)");
            Assert.That(client.AdvertisedEndPoints, Is.Empty, "and runs no discovery");
            Assert.That(statistics.BytesByPeer.GetValueOrDefault(server.EndPoint!), Is.EqualTo(s_v1.Bytes.Length));
            Assert.That(origin.Requests, Is.Empty, "nothing from the origin");
            Assert.That(obtained.BySource(PeerDistMetrics.BytesObtainedName, PeerDistMetrics.SourceHostedCache), Is.EqualTo(s_v1.Bytes.Length));
            Assert.That(obtained.BySource(PeerDistMetrics.BytesObtainedName, PeerDistMetrics.SourcePeer), Is.Zero);
            Assert.That(obtained.Total(PeerDistMetrics.CacheMissesName), Is.EqualTo(BlockCount(s_v1)));
            Assert.That(served.Total(PeerDistMetrics.BlocksServedName), Is.EqualTo(BlockCount(s_v1)), "served blocks");
            Assert.That(served.Total(PeerDistMetrics.BytesServedName), Is.GreaterThan(s_v1.Bytes.Length), "a served block is sent whole, encrypted and framed");
            Assert.That(server.GetStatistics().BlocksServed, Is.EqualTo(BlockCount(s_v1)));
        }
    }

    [Test]
    [Category("Multicast")]
    [NonParallelizable]
    public async Task Distributed_TwoNodesOnLoopbackMulticast_SecondFindsFirstByDiscoveryAndGetsEverythingFromIt(CancellationToken cancellationToken)
    {
        LoopbackMulticast.Require();
        int port = LoopbackMulticast.FreePort();
        await using var first = new PeerDistNode(NodeFixtures.Distributed(IPAddress.Parse("127.0.0.31"), port));
        await using var second = new PeerDistNode(NodeFixtures.Distributed(IPAddress.Parse("127.0.0.32"), port));
        await first.StartAsync(cancellationToken);
        await second.StartAsync(cancellationToken);
        using var firstMetrics = new MetricsRecorder(first.Metrics.Meter);
        using var secondMetrics = new MetricsRecorder(second.Metrics.Meter);
        await ReadAllAsync(first, s_v2, new MemoryOrigin(s_v2.Bytes), cancellationToken);

        var origin = new MemoryOrigin(s_v2.Bytes);
        await using PeerDistContent content = second.Client.OpenContent(s_v2.Information, origin);
        byte[] bytes = new byte[s_v2.Bytes.Length];
        await content.ReadAsync(0, bytes, cancellationToken);

        PeerDistContentStatistics statistics = content.GetStatistics();
        using (Assert.EnterMultipleScope())
        {
            ByteAssert.AreEqual(bytes, s_v2.Bytes, "content");
            Assert.That(statistics.BytesByPeer.GetValueOrDefault(first.EndPoint!), Is.EqualTo(s_v2.Bytes.Length), "from the first node");
            Assert.That(origin.Requests, Is.Empty, "nothing from the origin");
            Assert.That(secondMetrics.BySource(PeerDistMetrics.BytesObtainedName, PeerDistMetrics.SourcePeer), Is.EqualTo(s_v2.Bytes.Length));
            Assert.That(firstMetrics.Total(PeerDistMetrics.ProbesAnsweredName), Is.GreaterThan(0), "the first node answered Probes");
            Assert.That(first.GetStatistics().ProbesAnswered, Is.GreaterThan(0));
            Assert.That(firstMetrics.Total(PeerDistMetrics.BlocksServedName), Is.EqualTo(BlockCount(s_v2)));
        }
    }

    [Test]
    [Category("Multicast")]
    public async Task StartAsync_PortInUse_ThrowsPortInUseNamingTheOptionAndTheSwitch(CancellationToken cancellationToken)
    {
        using var occupant = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        occupant.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        occupant.Listen();
        var taken = (IPEndPoint)occupant.LocalEndPoint!;
        await using var node = new PeerDistNode(NodeFixtures.Distributed(IPAddress.Loopback, LoopbackMulticast.FreePort()) with { ListenEndPoints = [taken] });

        PeerDistNodeStartException e = Assert.ThrowsAsync<PeerDistNodeStartException>(async () => await node.StartAsync(cancellationToken))!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.Error, Is.EqualTo(PeerDistNodeStartError.PortInUse));
            Assert.That(e.EndPoint, Is.EqualTo(taken));
            Assert.That(e.Message, Does.Contain(taken.ToString()).And.Contain("already in use").And.Contain("ListenEndPoints").And.Contain("--port"));
            Assert.That(node.IsRunning, Is.False);
        }
    }

    [Test]
    [Category("Multicast")]
    public async Task StartAsync_PrivilegedPortWithoutPrivilege_ThrowsPortAccessDeniedWithTheRemedies(CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("Windows has no privileged ports.");
        }

        // Only meaningful where this process may not bind port 80 (not root, no CAP_NET_BIND_SERVICE, default
        // ip_unprivileged_port_start); elsewhere the bind would succeed or meet another listener.
        using (var check = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            try
            {
                check.Bind(new IPEndPoint(IPAddress.Loopback, 80));
                Assert.Ignore("This process may bind port 80 here (root, a capability, or a lowered unprivileged port start).");
            }
            catch (SocketException s) when (s.SocketErrorCode != SocketError.AccessDenied)
            {
                Assert.Ignore($"Port 80 on loopback is not bindable here for another reason: {s.SocketErrorCode}.");
            }
            catch (SocketException)
            {
                // Access denied: the case under test.
            }
        }

        await using var node = new PeerDistNode(NodeFixtures.Distributed(IPAddress.Loopback, LoopbackMulticast.FreePort()) with
        {
            ListenEndPoints = [new IPEndPoint(IPAddress.Loopback, PeerDistNodeOptions.DefaultPort)],
        });

        PeerDistNodeStartException e = Assert.ThrowsAsync<PeerDistNodeStartException>(async () => await node.StartAsync(cancellationToken))!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.Error, Is.EqualTo(PeerDistNodeStartError.PortAccessDenied));
            Assert.That(e.Message, Does.Contain("port 80").And.Contain(">= 1024").And.Contain("--port").And.Contain("CAP_NET_BIND_SERVICE"));
        }
    }

    [Test]
    public void BindFailure_AccessDeniedOnPort80OffWindows_NamesBothRemedies()
    {
        // The path a non-root Linux user meets; the test above covers it for real where the process lacks the privilege.
        PeerDistNodeStartException e = PeerDistNode.BindFailure([new IPEndPoint(IPAddress.Any, 80)], new SocketException((int)SocketError.AccessDenied));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.Error, Is.EqualTo(PeerDistNodeStartError.PortAccessDenied));
            Assert.That(e.EndPoint, Is.EqualTo(new IPEndPoint(IPAddress.Any, 80)));
            Assert.That(e.InnerException, Is.InstanceOf<SocketException>());
            if (!OperatingSystem.IsWindows())
            {
                Assert.That(e.Message, Does.Contain("port 80 is a privileged port").And.Contain(">= 1024").And.Contain("--port").And.Contain("CAP_NET_BIND_SERVICE"));
            }
        }
    }

    [Test]
    public async Task Constructor_CacheDirectoryHeldByAnotherNode_ThrowsCacheLockedNamingTheDirectory()
    {
        using var directory = new TempDirectory();
        await using var owner = new PeerDistNode(NodeFixtures.LocalOnly(directory.Path));

        PeerDistNodeStartException e = Assert.Throws<PeerDistNodeStartException>(() => _ = new PeerDistNode(NodeFixtures.LocalOnly(directory.Path)))!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.Error, Is.EqualTo(PeerDistNodeStartError.CacheLocked));
            Assert.That(e.Message, Does.Contain(directory.Path).And.Contain("CachePath").And.Contain("--cache"));
            Assert.That(e.InnerException, Is.InstanceOf<PeerDist.Caching.ContentCacheLockedException>());
        }
    }

    [Test]
    public async Task DisposeAsync_FileCache_ReleasesTheDirectoryForTheNextNodeWhichSeesTheBlocks(CancellationToken cancellationToken)
    {
        using var directory = new TempDirectory();
        await using (var first = new PeerDistNode(NodeFixtures.LocalOnly(directory.Path)))
        {
            await ReadAllAsync(first, s_v2, new MemoryOrigin(s_v2.Bytes), cancellationToken);
        }

        await using var second = new PeerDistNode(NodeFixtures.LocalOnly(directory.Path));
        var origin = new MemoryOrigin(s_v2.Bytes);
        byte[] bytes = await ReadAllAsync(second, s_v2, origin, cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            ByteAssert.AreEqual(bytes, s_v2.Bytes, "content");
            Assert.That(origin.Requests, Is.Empty, "everything came from the cache directory");
        }
    }

    [Test]
    public async Task StartAsync_UnknownDiscoveryInterface_ThrowsUnknownInterfaceAndReleasesThePort(CancellationToken cancellationToken)
    {
        PeerDistNodeOptions options = NodeFixtures.Distributed(IPAddress.Loopback, 1) with
        {
            DiscoveryOnLoopback = false,
            DiscoveryInterfaces = ["no-such-interface-0"],
        };
        await using var node = new PeerDistNode(options);

        PeerDistNodeStartException e = Assert.ThrowsAsync<PeerDistNodeStartException>(async () => await node.StartAsync(cancellationToken))!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.Error, Is.EqualTo(PeerDistNodeStartError.UnknownInterface));
            Assert.That(e.Message, Does.Contain("no-such-interface-0").And.Contain("--interface"));
            Assert.That(node.EndPoints, Is.Empty);
        }

        Assert.That(async () => await node.StartAsync(cancellationToken), Throws.InvalidOperationException, "a failed node is not restarted");
    }

    [Test]
    public async Task StartAsync_Twice_ThrowsInvalidOperation(CancellationToken cancellationToken)
    {
        await using var node = new PeerDistNode(NodeFixtures.LocalOnly());
        await node.StartAsync(cancellationToken);

        Assert.That(async () => await node.StartAsync(cancellationToken), Throws.InvalidOperationException);
    }

    private static async Task<byte[]> ReadAllAsync(PeerDistNode node, TestContent content, IOriginSource origin, CancellationToken cancellationToken)
    {
        await using PeerDistContent handle = node.Client.OpenContent(content.Information, origin);
        byte[] bytes = new byte[content.Bytes.Length];
        int read = await handle.ReadAsync(0, bytes, cancellationToken);
        Assert.That(read, Is.EqualTo(bytes.Length));
        return bytes;
    }
}
