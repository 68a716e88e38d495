using System.Net;
using System.Text;
using PeerDist.Discovery;
using PeerDist.Retrieval;
using PeerDist.Tests.Shared;
using static PeerDist.Tests.Discovery.DiscoveryIds;

namespace PeerDist.Tests.Discovery;

/// <summary>The MS-PCCRD 3.1 prober: one Probe per batch, replies keyed by RelatesTo, local-subnet rule (5.1), collection window.</summary>
public sealed class PccrdProberTests
{
    private static readonly IPEndPoint LanSource = new(IPAddress.Parse("192.168.10.7"), 3702);

    private static PccrdProber Create(ManualTimeProvider? time = null, IPNetwork[]? networks = null, int maxOutstanding = 256) =>
        new(new PccrdProberOptions
        {
            LocalNetworks = networks ?? [Lan],
            Random = new Random(5),
            TimeProvider = time ?? new ManualTimeProvider(),
            MaxOutstandingProbes = maxOutstanding,
        });

    private static byte[] V1Reply(string relatesTo, string responder, IPEndPoint[] xAddrs, params (byte[] Id, uint Count)[] counts) =>
        PccrdProbeMatch.CreateV1("urn:uuid:reply", relatesTo, new PccrdAppSequence(1, 1), responder, xAddrs, counts.Select(static c => new PccrdSegmentBlockCount(c.Id, c.Count))).ToArray();

    [Test]
    public void CreateProbe_EncodesTheSegmentsUnderAFreshMessageId()
    {
        PccrdProber prober = Create();
        byte[] a = Id(1), b = Id(2);

        PccrdOutstandingProbe first = prober.CreateProbe(PccrdVersion.V1, [a, b]);
        PccrdOutstandingProbe second = prober.CreateProbe(PccrdVersion.V2, [a]);

        PccrdProbe decoded = PccrdProbe.Read(first.Datagram);
        Assert.Multiple(() =>
        {
            Assert.That(decoded.Version, Is.EqualTo(PccrdVersion.V1));
            Assert.That(decoded.MessageId, Is.EqualTo(first.Probe.MessageId).And.Match("^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"));
            Assert.That(decoded.SegmentIds.Select(static s => Convert.ToHexString(s.Span)), Is.EqualTo(new[] { Convert.ToHexString(a), Convert.ToHexString(b) }));
            Assert.That(second.Probe.MessageId, Is.Not.EqualTo(first.Probe.MessageId));
            Assert.That(PccrdProbe.Read(second.Datagram).Version, Is.EqualTo(PccrdVersion.V2));
            Assert.That(prober.OutstandingCount, Is.EqualTo(2));
        });
    }

    [Test]
    public void CreateProbe_256Segments_Throws()
    {
        PccrdProber prober = Create();
        Assert.That(() => prober.CreateProbe(PccrdVersion.V1, Enumerable.Range(0, 256).Select(static i => new ReadOnlyMemory<byte>(Id((byte)i)))), Throws.ArgumentException);
        Assert.That(prober.CreateProbe(PccrdVersion.V1, Enumerable.Range(0, 255).Select(static i => new ReadOnlyMemory<byte>(Id((byte)i)))).Probe.SegmentIds, Has.Count.EqualTo(255));
    }

    [Test]
    public void CreateProbe_TooManyOutstanding_ThrowsUntilOneCompletes()
    {
        PccrdProber prober = Create(maxOutstanding: 1);
        PccrdOutstandingProbe probe = prober.CreateProbe(PccrdVersion.V1, [Id(1)]);

        Assert.That(() => prober.CreateProbe(PccrdVersion.V1, [Id(2)]), Throws.InvalidOperationException);
        prober.Complete(probe);
        Assert.That(prober.CreateProbe(PccrdVersion.V1, [Id(2)]), Is.Not.Null);
    }

    [Test]
    public void Accept_V1MatchFromLocalSubnet_RecordsPeerForEachNamedSegment()
    {
        PccrdProber prober = Create();
        byte[] a = Id(1), b = Id(2), c = Id(3);
        PccrdOutstandingProbe probe = prober.CreateProbe(PccrdVersion.V1, [a, b, c]);

        PccrdReplyOutcome outcome = prober.Accept(V1Reply(probe.Probe.MessageId, "urn:uuid:peer-1", [PeerXAddr], (c, 9), (a, 512)), LanSource);

        Assert.Multiple(() =>
        {
            Assert.That(outcome, Is.EqualTo(PccrdReplyOutcome.Accepted));
            PccrdDiscoveredPeer peer = probe.GetPeers(0).Single();
            Assert.That((peer.EndPoint, peer.BlockCount, peer.Availability, peer.EndpointAddress, peer.Source), Is.EqualTo((PeerXAddr, (uint?)512, PccrdSegmentAvailability.SomeBlocks, "urn:uuid:peer-1", LanSource)));
            Assert.That(probe.GetPeers(1), Is.Empty);
            Assert.That(probe.GetPeers(2).Single().BlockCount, Is.EqualTo(9));
            Assert.That(prober.Statistics.Accepted, Is.EqualTo(1));
        });
    }

    [Test]
    public void Accept_ReplyAlsoNamingUnaskedSegment_KeepsOnlyAskedOnes()
    {
        PccrdProber prober = Create();
        byte[] asked = Id(1), unasked = Id(2);
        PccrdOutstandingProbe probe = prober.CreateProbe(PccrdVersion.V1, [asked]);

        PccrdReplyOutcome mixed = prober.Accept(V1Reply(probe.Probe.MessageId, "urn:uuid:p1", [PeerXAddr], (unasked, 4), (asked, 3)), LanSource);
        PccrdReplyOutcome only = prober.Accept(V1Reply(probe.Probe.MessageId, "urn:uuid:p2", [PeerXAddr], (unasked, 4)), LanSource);
        PccrdReplyOutcome zero = prober.Accept(V1Reply(probe.Probe.MessageId, "urn:uuid:p3", [PeerXAddr], (asked, 0)), LanSource);

        Assert.That((mixed, only, zero), Is.EqualTo((PccrdReplyOutcome.Accepted, PccrdReplyOutcome.NoRequestedSegment, PccrdReplyOutcome.NoRequestedSegment)));
        Assert.That(probe.GetPeers(0).Select(static p => p.EndpointAddress), Is.EqualTo(new[] { "urn:uuid:p1" }));
    }

    [Test]
    public void Accept_SourceOrXAddrsOutsideLocalSubnet_Ignored()
    {
        PccrdProber prober = Create();
        byte[] a = Id(1);
        PccrdOutstandingProbe probe = prober.CreateProbe(PccrdVersion.V1, [a]);
        var farSource = new IPEndPoint(IPAddress.Parse("10.1.2.3"), 3702);
        var farXAddr = new IPEndPoint(IPAddress.Parse("203.0.113.5"), 80);

        PccrdReplyOutcome fromFar = prober.Accept(V1Reply(probe.Probe.MessageId, "urn:uuid:p1", [PeerXAddr], (a, 1)), farSource);
        PccrdReplyOutcome toFar = prober.Accept(V1Reply(probe.Probe.MessageId, "urn:uuid:p2", [farXAddr], (a, 1)), LanSource);
        PccrdReplyOutcome mixed = prober.Accept(V1Reply(probe.Probe.MessageId, "urn:uuid:p3", [farXAddr, PeerXAddr], (a, 1)), LanSource);

        Assert.Multiple(() =>
        {
            Assert.That((fromFar, toFar, mixed), Is.EqualTo((PccrdReplyOutcome.OutsideLocalNetwork, PccrdReplyOutcome.OutsideLocalNetwork, PccrdReplyOutcome.Accepted)));
            PccrdDiscoveredPeer peer = probe.GetPeers(0).Single();
            Assert.That((peer.EndPoint, peer.EndPoints.Count), Is.EqualTo((PeerXAddr, 1)));
            Assert.That(prober.Statistics.OutsideLocalNetwork, Is.EqualTo(2));
        });
    }

    [Test]
    public void Accept_LoopbackReplyWithLoopbackNetworks_Accepted()
    {
        PccrdProber prober = Create(networks: [IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("::1/128")]);
        byte[] a = Id(1);
        PccrdOutstandingProbe probe = prober.CreateProbe(PccrdVersion.V1, [a]);
        var xAddr = new IPEndPoint(IPAddress.Loopback, 8080);

        PccrdReplyOutcome v4 = prober.Accept(V1Reply(probe.Probe.MessageId, "urn:uuid:p1", [xAddr], (a, 1)), new IPEndPoint(IPAddress.Loopback, 50000));
        PccrdReplyOutcome mapped = prober.Accept(V1Reply(probe.Probe.MessageId, "urn:uuid:p2", [xAddr], (a, 1)), new IPEndPoint(IPAddress.Loopback.MapToIPv6(), 50000));
        PccrdReplyOutcome lan = prober.Accept(V1Reply(probe.Probe.MessageId, "urn:uuid:p3", [PeerXAddr], (a, 1)), LanSource);

        Assert.That((v4, mapped, lan), Is.EqualTo((PccrdReplyOutcome.Accepted, PccrdReplyOutcome.Accepted, PccrdReplyOutcome.OutsideLocalNetwork)));
    }

    [Test]
    public void Accept_UnknownOrCompletedProbe_Ignored()
    {
        PccrdProber prober = Create();
        byte[] a = Id(1);
        PccrdOutstandingProbe probe = prober.CreateProbe(PccrdVersion.V1, [a]);

        PccrdReplyOutcome unknown = prober.Accept(V1Reply("urn:uuid:never-sent", "urn:uuid:p1", [PeerXAddr], (a, 1)), LanSource);
        prober.Complete(probe);
        PccrdReplyOutcome late = prober.Accept(V1Reply(probe.Probe.MessageId, "urn:uuid:p1", [PeerXAddr], (a, 1)), LanSource);

        Assert.That((unknown, late, prober.OutstandingCount), Is.EqualTo((PccrdReplyOutcome.UnknownProbe, PccrdReplyOutcome.UnknownProbe, 0)));
        Assert.That(probe.GetPeers(0), Is.Empty);
    }

    [Test]
    public void Accept_AfterTheWindow_Expired()
    {
        var time = new ManualTimeProvider();
        PccrdProber prober = Create(time);
        byte[] a = Id(1);
        PccrdOutstandingProbe probe = prober.CreateProbe(PccrdVersion.V1, [a]);

        time.Advance(TimeSpan.FromMilliseconds(300));
        PccrdReplyOutcome atDeadline = prober.Accept(V1Reply(probe.Probe.MessageId, "urn:uuid:p1", [PeerXAddr], (a, 1)), LanSource);
        time.Advance(TimeSpan.FromMilliseconds(1));
        PccrdReplyOutcome after = prober.Accept(V1Reply(probe.Probe.MessageId, "urn:uuid:p2", [PeerXAddr], (a, 1)), LanSource);

        Assert.That((atDeadline, after, probe.ResponderCount), Is.EqualTo((PccrdReplyOutcome.Accepted, PccrdReplyOutcome.Expired, 1)));
        Assert.That(probe.Deadline, Is.EqualTo(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero) + PccrdProberOptions.DefaultWindow));
    }

    [Test]
    public void Accept_SameResponderTwice_FirstAnswerStays()
    {
        PccrdProber prober = Create();
        byte[] a = Id(1);
        PccrdOutstandingProbe probe = prober.CreateProbe(PccrdVersion.V1, [a]);

        PccrdReplyOutcome first = prober.Accept(V1Reply(probe.Probe.MessageId, "urn:uuid:p1", [PeerXAddr], (a, 5)), LanSource);
        PccrdReplyOutcome again = prober.Accept(V1Reply(probe.Probe.MessageId, "urn:uuid:P1", [PeerXAddr], (a, 6)), LanSource);

        Assert.That((first, again), Is.EqualTo((PccrdReplyOutcome.Accepted, PccrdReplyOutcome.Duplicate)));
        Assert.That(probe.GetPeers(0).Single().BlockCount, Is.EqualTo(5));
    }

    [TestCase("")]
    [TestCase("<x/>")]
    [TestCase("\u00ff\u00fe garbage")]
    public void Accept_Malformed_CountedNotThrown(string text)
    {
        PccrdProber prober = Create();
        prober.CreateProbe(PccrdVersion.V1, [Id(1)]);

        Assert.That(prober.Accept(Encoding.UTF8.GetBytes(text), LanSource), Is.EqualTo(PccrdReplyOutcome.Malformed));
        Assert.That(prober.Statistics.Malformed, Is.EqualTo(1));
    }

    [Test]
    public void Accept_ProbeInsteadOfProbeMatch_Malformed()
    {
        PccrdProber prober = Create();
        PccrdOutstandingProbe probe = prober.CreateProbe(PccrdVersion.V1, [Id(1)]);

        Assert.That(prober.Accept(probe.Datagram, LanSource), Is.EqualTo(PccrdReplyOutcome.Malformed));
    }

    [Test]
    public void Accept_V2Match_ReportsAvailabilityAndAge()
    {
        PccrdProber prober = Create();
        byte[] a = Id(1), b = Id(2), c = Id(3);
        PccrdOutstandingProbe probe = prober.CreateProbe(PccrdVersion.V2, [a, b, c]);
        byte[] reply = PccrdProbeMatch.CreateV2(
            "urn:uuid:r", probe.Probe.MessageId, new PccrdAppSequence(1, 1), "urn:uuid:p1", [PeerXAddr],
            [PccrdSegmentAvailability.None, PccrdSegmentAvailability.Complete, PccrdSegmentAvailability.SomeBlocks],
            new PccrrSegmentAgeBlob(PccrrSegmentAgeUnit.Hundredths, new[] { new PccrrSegmentAge(1, 60000) })).ToArray();

        PccrdReplyOutcome outcome = prober.Accept(reply, LanSource);

        Assert.Multiple(() =>
        {
            Assert.That(outcome, Is.EqualTo(PccrdReplyOutcome.Accepted));
            Assert.That(probe.GetPeers(0), Is.Empty);
            Assert.That((probe.GetPeers(1).Single().Availability, probe.GetPeers(1).Single().Age, probe.GetPeers(1).Single().BlockCount), Is.EqualTo((PccrdSegmentAvailability.Complete, (TimeSpan?)TimeSpan.FromSeconds(600), (uint?)null)));
            Assert.That((probe.GetPeers(2).Single().Availability, probe.GetPeers(2).Single().Age), Is.EqualTo((PccrdSegmentAvailability.SomeBlocks, (TimeSpan?)null)));
        });
    }

    [Test]
    public void Accept_V1ReplyToV2Probe_NoRequestedSegment()
    {
        PccrdProber prober = Create();
        byte[] a = Id(1);
        PccrdOutstandingProbe probe = prober.CreateProbe(PccrdVersion.V2, [a]);

        Assert.That(prober.Accept(V1Reply(probe.Probe.MessageId, "urn:uuid:p1", [PeerXAddr], (a, 1)), LanSource), Is.EqualTo(PccrdReplyOutcome.NoRequestedSegment));
    }

    [Test]
    public void ResponderReply_AcceptedByProber_EndToEndWithoutSockets()
    {
        PccrdProber prober = Create();
        byte[] held = Id(1), missing = Id(2);
        var responder = new PccrdResponder(
            new PccrdResponderOptions { XAddrs = [PeerXAddr], Random = new Random(9), InstanceId = 77 },
            new FakeSegmentLookup().Hold(held, new PccrdHeldSegment(12, PccrdSegmentAvailability.SomeBlocks)));
        PccrdOutstandingProbe probe = prober.CreateProbe(PccrdVersion.V1, [missing, held]);

        PccrdResponderResult result = responder.Respond(probe.Datagram);
        PccrdReplyOutcome outcome = prober.Accept(result.Reply, LanSource);

        Assert.That(outcome, Is.EqualTo(PccrdReplyOutcome.Accepted));
        Assert.That(probe.GetPeers(0), Is.Empty);
        Assert.That((probe.GetPeers(1).Single().EndPoint, probe.GetPeers(1).Single().BlockCount, probe.GetPeers(1).Single().EndpointAddress), Is.EqualTo((PeerXAddr, (uint?)12, responder.EndpointAddress)));
    }
}
