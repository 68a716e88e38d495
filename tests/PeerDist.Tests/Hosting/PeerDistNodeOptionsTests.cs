using System.Net;
using PeerDist.Hosting;

namespace PeerDist.Tests.Hosting;

/// <summary>The node's options: defaults as Windows, and every contradiction refused with the setting's name.</summary>
public sealed class PeerDistNodeOptionsTests
{
    [Test]
    public void Defaults_DistributedOnPort80EverywhereAndDiscoveryPort3702()
    {
        var options = new PeerDistNodeOptions();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Mode, Is.EqualTo(PeerDistNodeMode.Distributed));
            Assert.That(options.ListenEndPoints, Has.Some.EqualTo(new IPEndPoint(IPAddress.Any, 80)));
            Assert.That(options.ListenEndPoints.All(e => e.Port == 80), Is.True);
            Assert.That(options.DiscoveryPort, Is.EqualTo(3702)); // MS-PCCRD 2.1
            Assert.That(options.BusyThreshold, Is.EqualTo(64)); // MS-PCCRR note 12
            Assert.That(options.CachePath, Is.Null);
            Assert.That(() => options.Validate(), Throws.Nothing);
        }
    }

    private static IEnumerable<TestCaseData> InvalidOptions()
    {
        yield return new TestCaseData(new PeerDistNodeOptions { Mode = PeerDistNodeMode.HostedCacheClient }, "HostedCacheEndPoint").SetName("HostedCacheClientWithoutEndPoint");
        yield return new TestCaseData(new PeerDistNodeOptions { ListenEndPoints = [] }, "ListenEndPoints").SetName("DistributedWithoutEndPoints");
        yield return new TestCaseData(new PeerDistNodeOptions { DiscoveryOnLoopback = true, DiscoveryInterfaces = ["eth0"] }, "DiscoveryOnLoopback").SetName("LoopbackAndNamedInterfaces");
        yield return new TestCaseData(new PeerDistNodeOptions { DiscoveryPort = 0 }, "DiscoveryPort").SetName("DiscoveryPortZero");
        yield return new TestCaseData(new PeerDistNodeOptions { BusyThreshold = 0 }, "BusyThreshold").SetName("BusyThresholdZero");
        yield return new TestCaseData(new PeerDistNodeOptions { CacheMaxSizeBytes = 10 }, "CacheMaxSizeBytes").SetName("CacheSmallerThanABlock");
        yield return new TestCaseData(new PeerDistNodeOptions { CachePath = " " }, "CachePath").SetName("CachePathBlank");
        yield return new TestCaseData(new PeerDistNodeOptions { DiscoveryWait = TimeSpan.Zero }, "DiscoveryWait").SetName("DiscoveryWaitZero");
        yield return new TestCaseData(new PeerDistNodeOptions { Mode = (PeerDistNodeMode)7 }, "Mode").SetName("UnknownMode");
    }

    [TestCaseSource(nameof(InvalidOptions))]
    public void Constructor_InvalidOptions_ThrowsArgumentExceptionNamingTheSetting(PeerDistNodeOptions options, string setting)
    {
        ArgumentException e = Assert.Throws(Is.InstanceOf<ArgumentException>(), () => _ = new PeerDistNode(options)) as ArgumentException ?? throw new AssertionException("no exception");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.ParamName, Is.EqualTo(setting));
            Assert.That(e.Message, Does.Contain(setting));
        }
    }
}
