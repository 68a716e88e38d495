using System.Net;
using PeerDist.Client;

namespace PeerDist.Tests.Client;

/// <summary>
/// The rendezvous hashing that splits origin work: every node computes the same owner, the split is even, and a node
/// leaving moves only its own units (the properties the cooperative download relies on).
/// </summary>
[TestFixture]
public sealed class SwarmOwnershipTests
{
    private const int Units = 4096;

    [Test]
    public void Owners_EightNodes_EachOwnsAboutAnEighth()
    {
        ulong[] seeds = [.. Enumerable.Range(11, 8).Select(i => SwarmOwnership.Seed(new IPEndPoint(IPAddress.Parse($"10.200.0.{i}"), 80)))];
        int[] owned = new int[seeds.Length];
        for (int u = 0; u < Units; u++)
        {
            owned[Owner(seeds, Key(u))]++;
        }

        // 512 expected each; a binomial(4096, 1/8) stays within +-25 % with overwhelming probability.
        Assert.That(owned, Has.All.InRange(384, 640));
    }

    [Test]
    public void Owners_OneNodeLeaves_OnlyItsUnitsMove()
    {
        ulong[] seeds = [.. Enumerable.Range(1, 6).Select(i => SwarmOwnership.Seed(new IPEndPoint(IPAddress.Loopback, 9000 + i)))];
        ulong[] remaining = [.. seeds.Where((_, i) => i != 2)];
        int moved = 0;
        for (int u = 0; u < Units; u++)
        {
            ulong before = seeds[Owner(seeds, Key(u))];
            ulong after = remaining[Owner(remaining, Key(u))];
            if (before != seeds[2])
            {
                Assert.That(after, Is.EqualTo(before), $"unit {u} did not belong to the leaving node and must keep its owner");
            }
            else
            {
                moved++;
            }
        }

        Assert.That(moved, Is.InRange(Units / 6 * 3 / 4, Units / 6 * 5 / 4));
    }

    [Test]
    public void Seed_SameEndPointText_SameSeedAndDifferentEndPoints_DifferentSeeds()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(
                SwarmOwnership.Seed(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 80)),
                Is.EqualTo(SwarmOwnership.Seed(IPEndPoint.Parse("10.0.0.1:80"))));
            Assert.That(
                SwarmOwnership.Seed(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 80)),
                Is.Not.EqualTo(SwarmOwnership.Seed(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 81))));
        }
    }

    private static ulong Key(int unit) => SwarmOwnership.UnitKey(BitConverter.GetBytes(0x1234_5678_9ABC_DEF0UL ^ (ulong)(unit / 128)), unit % 128);

    private static int Owner(ulong[] seeds, ulong key)
    {
        int best = 0;
        for (int i = 1; i < seeds.Length; i++)
        {
            if (SwarmOwnership.Score(seeds[i], key) > SwarmOwnership.Score(seeds[best], key))
            {
                best = i;
            }
        }

        return best;
    }
}
