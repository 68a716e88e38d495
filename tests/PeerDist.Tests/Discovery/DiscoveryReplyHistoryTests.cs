using PeerDist.Discovery;

namespace PeerDist.Tests.Discovery;

/// <summary>The per-segment reply counts behind the node's reply suppression (wire.md §2.5).</summary>
public sealed class DiscoveryReplyHistoryTests
{
    private static byte[] Id(byte b) => [.. Enumerable.Repeat(b, 32)];

    [Test]
    public void Add_SameSegmentTwice_KeepsTheLargerCounts()
    {
        var history = new DiscoveryReplyHistory();

        history.Add(Id(1), 3, 2);
        history.Add(Id(1), 8, 1);
        history.Add(Id(1), 5, 0);

        Assert.That((history.Get(Id(1)), history.Get(Id(2))), Is.EqualTo(((8, 2), (0, 0))));
    }

    [Test]
    public void Add_BeyondCapacity_StartsAgainAndKeepsTheNewest()
    {
        var history = new DiscoveryReplyHistory(capacity: 2);

        history.Add(Id(1), 1, 1);
        history.Add(Id(2), 2, 2);
        history.Add(Id(2), 1, 0); // known segment: no clearing
        history.Add(Id(3), 3, 3);

        Assert.That((history.Get(Id(1)), history.Get(Id(2)), history.Get(Id(3))), Is.EqualTo(((0, 0), (0, 0), (3, 3))));
    }

    [Test]
    public void Add_NegativeCounts_Throw()
    {
        var history = new DiscoveryReplyHistory();
        Assert.That(() => history.Add(Id(1), -1, 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => history.Add(Id(1), 0, -1), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
