using System.Net;
using PeerDist.Discovery;
using PeerDist.Tests.Shared;
using static PeerDist.Tests.Discovery.DiscoveryIds;

namespace PeerDist.Tests.Discovery;

/// <summary>
/// The observer of <see cref="PccrdProber.CreateProbe(PccrdVersion, IEnumerable{ReadOnlyMemory{byte}}, Action{int, PccrdDiscoveredPeer})"/>:
/// told about every peer an accepted reply records, after <see cref="PccrdOutstandingProbe.GetPeers"/> shows it, and about
/// nothing a dropped reply carries.
/// </summary>
public sealed class PccrdProberObserverTests
{
    private static readonly IPEndPoint LanSource = new(IPAddress.Parse("192.168.10.7"), 3702);

    private static PccrdProber Create(ManualTimeProvider time) =>
        new(new PccrdProberOptions { LocalNetworks = [Lan], Random = new Random(7), TimeProvider = time });

    private static byte[] V1Reply(string relatesTo, string responder, params (byte[] Id, uint Count)[] counts) =>
        PccrdProbeMatch.CreateV1("urn:uuid:reply", relatesTo, new PccrdAppSequence(1, 1), responder, [PeerXAddr], counts.Select(static c => new PccrdSegmentBlockCount(c.Id, c.Count))).ToArray();

    [Test]
    public void Accept_ReplyNamingTwoSegments_ObserverToldOfEachWithItsIndex()
    {
        PccrdProber prober = Create(new ManualTimeProvider());
        byte[] a = Id(1), b = Id(2), c = Id(3);
        var seen = new List<(int Index, uint? Count, int PeersVisible)>();
        PccrdOutstandingProbe? probe = null;
        probe = prober.CreateProbe(PccrdVersion.V1, [a, b, c], (index, peer) => seen.Add((index, peer.BlockCount, probe!.GetPeers(index).Count)));

        PccrdReplyOutcome outcome = prober.Accept(V1Reply(probe.Probe.MessageId, "urn:uuid:p1", (c, 7), (a, 2)), LanSource);

        Assert.That(outcome, Is.EqualTo(PccrdReplyOutcome.Accepted));
        Assert.That(seen, Is.EquivalentTo(new[] { (2, (uint?)7, 1), (0, (uint?)2, 1) }), "segments a and c, each already in GetPeers");
    }

    [Test]
    public void Accept_DroppedReplies_ObserverNotCalled()
    {
        var time = new ManualTimeProvider();
        PccrdProber prober = Create(time);
        byte[] a = Id(1), other = Id(9);
        int calls = 0;
        PccrdOutstandingProbe probe = prober.CreateProbe(PccrdVersion.V1, [a], (_, _) => calls++);
        string id = probe.Probe.MessageId;

        PccrdReplyOutcome first = prober.Accept(V1Reply(id, "urn:uuid:p1", (a, 3)), LanSource);
        PccrdReplyOutcome duplicate = prober.Accept(V1Reply(id, "urn:uuid:p1", (a, 4)), LanSource);
        PccrdReplyOutcome unasked = prober.Accept(V1Reply(id, "urn:uuid:p2", (other, 4)), LanSource);
        PccrdReplyOutcome zero = prober.Accept(V1Reply(id, "urn:uuid:p3", (a, 0)), LanSource);
        PccrdReplyOutcome far = prober.Accept(V1Reply(id, "urn:uuid:p4", (a, 1)), new IPEndPoint(IPAddress.Parse("10.9.9.9"), 3702));
        time.Advance(PccrdProberOptions.DefaultWindow + TimeSpan.FromMilliseconds(1));
        PccrdReplyOutcome expired = prober.Accept(V1Reply(id, "urn:uuid:p5", (a, 1)), LanSource);
        prober.Complete(probe);
        PccrdReplyOutcome unknown = prober.Accept(V1Reply(id, "urn:uuid:p6", (a, 1)), LanSource);

        Assert.That(
            new[] { first, duplicate, unasked, zero, far, expired, unknown },
            Is.EqualTo(new[]
            {
                PccrdReplyOutcome.Accepted, PccrdReplyOutcome.Duplicate, PccrdReplyOutcome.NoRequestedSegment, PccrdReplyOutcome.NoRequestedSegment,
                PccrdReplyOutcome.OutsideLocalNetwork, PccrdReplyOutcome.Expired, PccrdReplyOutcome.UnknownProbe,
            }));
        Assert.That(calls, Is.EqualTo(1), "only the first, accepted reply");
    }

    [Test]
    public void CreateProbe_WithoutObserver_RecordsAsBefore()
    {
        PccrdProber prober = Create(new ManualTimeProvider());
        byte[] a = Id(1);
        PccrdOutstandingProbe probe = prober.CreateProbe(PccrdVersion.V1, [a], null);

        Assert.That(prober.Accept(V1Reply(probe.Probe.MessageId, "urn:uuid:p1", (a, 3)), LanSource), Is.EqualTo(PccrdReplyOutcome.Accepted));
        Assert.That(probe.GetPeers(0).Single().BlockCount, Is.EqualTo(3));
    }
}
