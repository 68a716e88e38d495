using System.Net;
using PeerDist.Client;
using PeerDist.Content;
using PeerDist.Cryptography;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Client;

/// <summary>
/// Issue 7's cooperative download with real sockets: nodes on their own loopback addresses, discovery by multicast on
/// the loopback interface, PCCRR between them, and an origin behind a shared slow link. The figure that matters is the
/// origin's byte count, which is independent of the client's own statistics.
/// </summary>
[TestFixture]
[Category("Socket")]
[Category("Multicast")]
[NonParallelizable]
public sealed class CooperativeDownloadTests
{
    private const int Length = 16 * 1024 * 1024;

    private byte[] _content = [];
    private ContentInformation _information = null!;

    [OneTimeSetUp]
    public void CreateContent()
    {
        LoopbackMulticast.Require();
        _content = PseudoRandomContent.Create(77, Length);
        using ServerSecret secret = ServerSecret.FromPassphrase("swarm");
        _information = ContentInformationBuilder.Create((ReadOnlyMemory<byte>)_content, secret);
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task FourNodesStartingTogether_PullTheContentOverTheSlowLinkAboutOnce(CancellationToken cancellationToken)
    {
        // 16 MiB at 8 MiB/s: one copy takes 2 s; four independent downloads would send 64 MiB.
        using var origin = new ThrottledOrigin(_content, 8L * 1024 * 1024);
        int port = LoopbackMulticast.FreePort();
        var nodes = new List<DiscoveringNode>();
        try
        {
            for (int i = 1; i <= 4; i++)
            {
                nodes.Add(DiscoveringNode.Start(IPAddress.Parse($"127.0.3.{i}"), port));
            }

            PeerDistContentStatistics[] statistics = await Task.WhenAll(nodes.Select(node => DownloadAsync(node, origin, cancellationToken)));
            await TestContext.Out.WriteLineAsync(
                $"origin sent {origin.BytesSent / (double)Length:F3} x the content in {origin.Requests.Count} requests; " +
                string.Join("; ", statistics.Select(s => $"peers {s.BytesFromPeers >> 20} MiB, origin {s.BytesFromOrigin >> 20} MiB, {s.Elapsed.TotalSeconds:F2} s")));

            using (Assert.EnterMultipleScope())
            {
                Assert.That(origin.BytesSent, Is.LessThanOrEqualTo(Length * 3L / 2), "the origin sent the content about once, not four times");
                Assert.That(statistics.Sum(s => s.BytesFromPeers), Is.GreaterThanOrEqualTo(2L * Length), "most bytes went between the nodes");
                Assert.That(statistics.Sum(s => s.BytesFromOrigin), Is.EqualTo(origin.BytesSent), "every origin byte was counted once");
            }
        }
        finally
        {
            foreach (DiscoveringNode node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task APeerHoldsEverything_NothingComesFromTheOrigin(CancellationToken cancellationToken)
    {
        using var origin = new ThrottledOrigin(_content, 8L * 1024 * 1024);
        int port = LoopbackMulticast.FreePort();
        await using DiscoveringNode seed = DiscoveringNode.Start(IPAddress.Parse("127.0.3.11"), port);
        await using DiscoveringNode reader = DiscoveringNode.Start(IPAddress.Parse("127.0.3.12"), port);
        await using (PeerDistContent held = seed.Client.OpenContent(_information))
        {
            Assert.That(await held.AddDataAsync(0, _content, cancellationToken), Is.EqualTo(Length));
        }

        PeerDistContentStatistics statistics = await DownloadAsync(reader, origin, cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(origin.BytesSent, Is.Zero, "the first discovery and block lists come before any origin request");
            Assert.That(statistics.BytesByPeer.GetValueOrDefault(seed.EndPoint), Is.EqualTo(Length));
        }
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task NoPeerAndNoOrigin_FailsWithContentUnavailable(CancellationToken cancellationToken)
    {
        int port = LoopbackMulticast.FreePort();
        await using DiscoveringNode alone = DiscoveringNode.Start(IPAddress.Parse("127.0.3.21"), port);
        await using PeerDistContent content = alone.Client.OpenContent(_information);
        var options = new PeerDistDownloadOptions { StallTimeout = TimeSpan.FromMilliseconds(200), LocalEndPoint = alone.EndPoint };

        Assert.That(
            async () => await content.DownloadAsync(options, cancellationToken),
            Throws.TypeOf<PeerDistContentUnavailableException>());
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task NotCooperative_StillDeliversEveryByte(CancellationToken cancellationToken)
    {
        using var origin = new ThrottledOrigin(_content, 64L * 1024 * 1024);
        int port = LoopbackMulticast.FreePort();
        await using DiscoveringNode alone = DiscoveringNode.Start(IPAddress.Parse("127.0.3.31"), port);
        await using PeerDistContent content = alone.Client.OpenContent(_information, origin);

        await content.DownloadAsync(new PeerDistDownloadOptions { Cooperative = false }, cancellationToken);

        AssertHoldsContent(content);
        Assert.That(origin.BytesSent, Is.EqualTo(Length));
    }

    [TestCase(nameof(PeerDistDownloadOptions.RefreshBudget))]
    [TestCase(nameof(PeerDistDownloadOptions.UnitBlocks))]
    [TestCase(nameof(PeerDistDownloadOptions.MaxOriginRequestsInFlight))]
    [TestCase(nameof(PeerDistDownloadOptions.MaxRequestsPerPeer))]
    [TestCase(nameof(PeerDistDownloadOptions.FlashCrowdThreshold))]
    [TestCase(nameof(PeerDistDownloadOptions.StallTimeout))]
    [TestCase(nameof(PeerDistDownloadOptions.ProbeInterval))]
    [TestCase(nameof(PeerDistDownloadOptions.RefreshInterval))]
    public void Validate_ZeroSetting_Throws(string setting)
    {
        PeerDistDownloadOptions options = setting switch
        {
            nameof(PeerDistDownloadOptions.RefreshBudget) => new() { RefreshBudget = 0 },
            nameof(PeerDistDownloadOptions.UnitBlocks) => new() { UnitBlocks = 0 },
            nameof(PeerDistDownloadOptions.MaxOriginRequestsInFlight) => new() { MaxOriginRequestsInFlight = 0 },
            nameof(PeerDistDownloadOptions.MaxRequestsPerPeer) => new() { MaxRequestsPerPeer = 0 },
            nameof(PeerDistDownloadOptions.FlashCrowdThreshold) => new() { FlashCrowdThreshold = 0 },
            nameof(PeerDistDownloadOptions.StallTimeout) => new() { StallTimeout = TimeSpan.Zero },
            nameof(PeerDistDownloadOptions.ProbeInterval) => new() { ProbeInterval = TimeSpan.Zero },
            _ => new() { RefreshInterval = TimeSpan.Zero },
        };

        Assert.That(options.Validate, Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo(setting));
    }

    private async Task<PeerDistContentStatistics> DownloadAsync(DiscoveringNode node, IOriginSource origin, CancellationToken cancellationToken)
    {
        await using PeerDistContent content = node.Client.OpenContent(_information, origin);
        await content.DownloadAsync(new PeerDistDownloadOptions { LocalEndPoint = node.EndPoint }, cancellationToken);
        AssertHoldsContent(content);
        return content.GetStatistics();
    }

    private void AssertHoldsContent(PeerDistContent content)
    {
        byte[] held = new byte[Length];
        Assert.That(content.ReadLocal(0, held), Is.EqualTo(Length), "every block is in the local cache");
        ByteAssert.AreEqual(held, _content, "the downloaded bytes");
    }
}
