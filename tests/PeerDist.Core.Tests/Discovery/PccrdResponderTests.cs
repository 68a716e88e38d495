using System.Net;
using System.Text;
using PeerDist.Discovery;
using PeerDist.Retrieval;
using PeerDist.Tests.Shared;
using static PeerDist.Tests.Discovery.DiscoveryIds;

namespace PeerDist.Tests.Discovery;

/// <summary>The MS-PCCRD 3.2 responder decisions: answer only for held segments, same version, RelatesTo, AppSequence, back-off, suppression (wire.md §2.5).</summary>
public sealed class PccrdResponderTests
{
    private const uint Instance = 1_218_765_447;

    private static PccrdResponder Create(FakeSegmentLookup lookup, Random? random = null, TimeProvider? time = null, uint? instance = Instance, TimeSpan? maxDelay = null) =>
        new(
            new PccrdResponderOptions
            {
                XAddrs = [PeerXAddr],
                Random = random ?? new Random(1),
                TimeProvider = time ?? TimeProvider.System,
                InstanceId = instance,
                MaxDelay = maxDelay ?? PccrdBackoff.DefaultMaxDelay,
            },
            lookup);

    private static byte[] Probe(PccrdVersion version, string messageId, params byte[][] ids) =>
        new PccrdProbe(version, messageId, ids.Select(static i => new ReadOnlyMemory<byte>(i))).ToArray();

    [Test]
    public void Respond_V1ProbeForHeldSegment_RepliesV1WithBlockCountAndRelatesTo()
    {
        byte[] held = Id(1);
        var responder = Create(new FakeSegmentLookup().Hold(held, new PccrdHeldSegment(42, PccrdSegmentAvailability.SomeBlocks)));

        PccrdResponderResult result = responder.Respond(Probe(PccrdVersion.V1, "urn:uuid:91528b47-b96d-4e30-981f-308c0586926f", held));

        Assert.That(result.Action, Is.EqualTo(PccrdResponderAction.Reply));
        PccrdProbeMatch match = PccrdProbeMatch.Read(result.Reply);
        string text = Encoding.UTF8.GetString(result.Reply.Span);
        Assert.Multiple(() =>
        {
            Assert.That(match.Version, Is.EqualTo(PccrdVersion.V1));
            Assert.That(match.RelatesTo, Is.EqualTo("urn:uuid:91528b47-b96d-4e30-981f-308c0586926f"));
            Assert.That(match.AppSequence, Is.EqualTo(new PccrdAppSequence(Instance, 1)));
            Assert.That(match.EndpointAddress, Is.EqualTo(responder.EndpointAddress));
            Assert.That(match.XAddrs, Is.EqualTo(new[] { PeerXAddr }));
            Assert.That(match.BlockCounts.Select(static c => (Convert.ToHexString(c.SegmentId.Span), c.BlockCount)), Is.EqualTo(new[] { (Convert.ToHexString(held), 42u) }));
            Assert.That(match.MessageId, Does.StartWith("urn:uuid:").And.Not.EqualTo(match.RelatesTo));
            // wire.md §2.3 / §2.6: 8 upper-case hex digits per count, literal tags a substring-searching client finds.
            Assert.That(text, Does.Contain("<PeerDist:BlockCount>0000002A</PeerDist:BlockCount>"));
            Assert.That(text, Does.Contain("<wsd:XAddrs>192.168.10.7:54321</wsd:XAddrs>"));
            Assert.That(result.Delay, Is.InRange(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(65)));
            Assert.That(responder.Statistics, Is.EqualTo(new PccrdResponderStatistics(1, 0, 0, 0, 1)));
        });
    }

    [Test]
    public void Respond_V1ProbeWithSeveralSegments_ListsOnlyHeldOnesWithBlocks()
    {
        byte[] a = Id(1), b = Id(2), c = Id(3), d = Id(4, 48);
        var lookup = new FakeSegmentLookup()
            .Hold(b, new PccrdHeldSegment(7, PccrdSegmentAvailability.SomeBlocks))
            .Hold(c, new PccrdHeldSegment(0, PccrdSegmentAvailability.None))
            .Hold(d, new PccrdHeldSegment(512, PccrdSegmentAvailability.Complete));
        var responder = Create(lookup);

        PccrdResponderResult result = responder.Respond(Probe(PccrdVersion.V1, "urn:uuid:1", a, b, c, d));

        PccrdProbeMatch match = PccrdProbeMatch.Read(result.Reply);
        Assert.That(
            match.BlockCounts.Select(static x => (Convert.ToHexString(x.SegmentId.Span), x.BlockCount)),
            Is.EqualTo(new[] { (Convert.ToHexString(b), 7u), (Convert.ToHexString(d), 512u) }));
    }

    [Test]
    public void Respond_ProbeForNothingHeld_StaysSilentAndCounts()
    {
        var responder = Create(new FakeSegmentLookup().Hold(Id(9), new PccrdHeldSegment(0, PccrdSegmentAvailability.None)));

        PccrdResponderResult v1 = responder.Respond(Probe(PccrdVersion.V1, "urn:uuid:1", Id(1), Id(9)));
        PccrdResponderResult v2 = responder.Respond(Probe(PccrdVersion.V2, "urn:uuid:2", Id(1), Id(9)));

        Assert.Multiple(() =>
        {
            Assert.That((v1.Action, v1.Reply.Length, v2.Action, v2.Reply.Length), Is.EqualTo((PccrdResponderAction.NotHeld, 0, PccrdResponderAction.NotHeld, 0)));
            Assert.That(responder.Statistics, Is.EqualTo(new PccrdResponderStatistics(2, 0, 2, 0, 0)));
        });
    }

    [Test]
    public void Respond_V2Probe_RepliesV2WithAvailabilityInProbeOrderAndAges()
    {
        byte[] a = Id(1), b = Id(2), c = Id(3);
        var lookup = new FakeSegmentLookup()
            .Hold(a, new PccrdHeldSegment(1, PccrdSegmentAvailability.Complete, TimeSpan.FromSeconds(600)))
            .Hold(c, new PccrdHeldSegment(1, PccrdSegmentAvailability.SomeBlocks));
        var responder = Create(lookup);
        var probe = new PccrdProbe(PccrdVersion.V2, "urn:uuid:v2", [a, b, c]);

        PccrdResponderResult result = responder.Respond(probe.ToArray());

        PccrdProbeMatch match = PccrdProbeMatch.Read(result.Reply);
        Assert.Multiple(() =>
        {
            Assert.That(match.Version, Is.EqualTo(PccrdVersion.V2));
            Assert.That(match.RelatesTo, Is.EqualTo("urn:uuid:v2"));
            Assert.That(match.Availability.Take(3), Is.EqualTo(new[] { PccrdSegmentAvailability.Complete, PccrdSegmentAvailability.None, PccrdSegmentAvailability.SomeBlocks }));
            // MS-PCCRR 2.2.6: hundredths of a second, 600 s = 60000, index 0 only (c has no age).
            Assert.That(match.SegmentAges!.Value.Units, Is.EqualTo(PccrrSegmentAgeUnit.Hundredths));
            Assert.That(match.SegmentAges!.Value.Ages.ToArray(), Is.EqualTo(new[] { new PccrrSegmentAge(0, 60000) }));
        });
    }

    [Test]
    public void Respond_AgeBeyond24BitHundredths_SwitchesToSeconds()
    {
        byte[] a = Id(1);
        var responder = Create(new FakeSegmentLookup().Hold(a, new PccrdHeldSegment(1, PccrdSegmentAvailability.Complete, TimeSpan.FromDays(3))));

        PccrdProbeMatch match = PccrdProbeMatch.Read(responder.Respond(Probe(PccrdVersion.V2, "urn:uuid:x", a)).Reply);

        Assert.That((match.SegmentAges!.Value.Units, match.SegmentAges!.Value.Ages.Span[0].Age), Is.EqualTo((PccrrSegmentAgeUnit.Seconds, 3u * 86400)));
    }

    [TestCase("")]
    [TestCase("not xml at all")]
    [TestCase("<?xml version=\"1.0\"?><soap:Envelope")]
    [TestCase("<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>")]
    public void Respond_MalformedDatagram_DroppedAndCountedWithoutThrowing(string datagram)
    {
        var lookup = new FakeSegmentLookup().Hold(Id(1), new PccrdHeldSegment(1, PccrdSegmentAvailability.Complete));
        var responder = Create(lookup);

        PccrdResponderResult result = responder.Respond(Encoding.UTF8.GetBytes(datagram));

        Assert.Multiple(() =>
        {
            Assert.That(result.Action, Is.EqualTo(PccrdResponderAction.Malformed));
            Assert.That(result.Error, Is.Not.EqualTo(PeerDistFormatError.Unknown));
            Assert.That(result.Reply.IsEmpty, Is.True);
            Assert.That(responder.Statistics.Malformed, Is.EqualTo(1));
            Assert.That(lookup.Calls, Is.Zero);
        });
    }

    [Test]
    public void Respond_ProbeMatchInsteadOfProbe_IsMalformed()
    {
        byte[] held = Id(1);
        var responder = Create(new FakeSegmentLookup().Hold(held, new PccrdHeldSegment(3, PccrdSegmentAvailability.SomeBlocks)));
        ReadOnlyMemory<byte> reply = responder.Respond(Probe(PccrdVersion.V1, "urn:uuid:1", held)).Reply;

        PccrdResponderResult result = responder.Respond(reply);

        Assert.That((result.Action, result.Error), Is.EqualTo((PccrdResponderAction.Malformed, PeerDistFormatError.PccrdUnexpectedMessage)));
    }

    [Test]
    public void Respond_SeveralReplies_MessageNumberCountsUpUnderOneInstance()
    {
        byte[] held = Id(1);
        var responder = Create(new FakeSegmentLookup().Hold(held, new PccrdHeldSegment(3, PccrdSegmentAvailability.SomeBlocks)));

        var sequences = new List<PccrdAppSequence>();
        for (int i = 0; i < 3; i++)
        {
            responder.Respond(Probe(PccrdVersion.V1, "urn:uuid:other", Id(2))); // not held: no message, no number used
            sequences.Add(PccrdProbeMatch.Read(responder.Respond(Probe(PccrdVersion.V1, $"urn:uuid:{i}", held)).Reply).AppSequence);
        }

        Assert.That(sequences, Is.EqualTo(new[] { new PccrdAppSequence(Instance, 1), new PccrdAppSequence(Instance, 2), new PccrdAppSequence(Instance, 3) }));
    }

    [Test]
    public void Constructor_NoInstanceId_UsesClockSecondsSince1970()
    {
        var time = new ManualTimeProvider(); // 2026-01-01T00:00:00Z
        var responder = Create(new FakeSegmentLookup(), time: time, instance: null);

        Assert.That(responder.InstanceId, Is.EqualTo((uint)new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds()));
    }

    [Test]
    public void Respond_SameSeed_SameDelaysAndIdentifiers()
    {
        byte[] held = Id(1);
        PccrdResponderResult[] Run()
        {
            var responder = Create(new FakeSegmentLookup().Hold(held, new PccrdHeldSegment(3, PccrdSegmentAvailability.SomeBlocks)), new Random(42));
            return [.. Enumerable.Range(0, 20).Select(i => responder.Respond(Probe(PccrdVersion.V1, $"urn:uuid:{i}", held)))];
        }

        PccrdResponderResult[] first = Run(), second = Run();

        Assert.That(first.Select(static r => r.Delay), Is.EqualTo(second.Select(static r => r.Delay)));
        Assert.That(first.Select(static r => Encoding.UTF8.GetString(r.Reply.Span)), Is.EqualTo(second.Select(static r => Encoding.UTF8.GetString(r.Reply.Span))));
        Assert.That(first.Select(static r => r.Delay).Distinct().Count(), Is.GreaterThan(5), "the delay is random, not constant");
    }

    [Test]
    public void Respond_ConfiguredMaxDelay_EveryDelayInRange()
    {
        byte[] held = Id(1);
        var responder = Create(new FakeSegmentLookup().Hold(held, new PccrdHeldSegment(3, PccrdSegmentAvailability.SomeBlocks)), new Random(3), maxDelay: TimeSpan.FromMilliseconds(4));
        byte[] probe = Probe(PccrdVersion.V1, "urn:uuid:1", held);

        TimeSpan[] delays = [.. Enumerable.Range(0, 400).Select(_ => responder.Respond(probe).Delay)];

        Assert.That(delays.Distinct().Order(), Is.EqualTo(new[] { 1, 2, 3, 4 }.Select(static ms => TimeSpan.FromMilliseconds(ms))));
    }

    [TestCase(9, 9, 0.99, PccrdResponderAction.Reply)] // fewer than n replies: always answer
    [TestCase(10, 10, 0.0, PccrdResponderAction.Suppressed)] // n replies, n full: never answer
    [TestCase(10, 9, 0.32, PccrdResponderAction.Reply)] // n replies, fewer full: answer with p = 0.33
    [TestCase(10, 9, 0.33, PccrdResponderAction.Suppressed)]
    public void Respond_ReplySuppression_FollowsWindows7Rule(int replies, int full, double draw, PccrdResponderAction expected)
    {
        byte[] held = Id(1);
        var lookup = new FakeSegmentLookup().Hold(held, new PccrdHeldSegment(5, PccrdSegmentAvailability.SomeBlocks, null, replies, full));
        var responder = Create(lookup, new ScriptedRandom(draw));

        PccrdResponderResult result = responder.Respond(Probe(PccrdVersion.V1, "urn:uuid:1", held));

        Assert.That(result.Action, Is.EqualTo(expected));
        Assert.That(responder.Statistics.Suppressed, Is.EqualTo(expected == PccrdResponderAction.Suppressed ? 1 : 0));
    }

    [Test]
    public void Respond_OneOfTwoSegmentsSuppressed_ReplyListsTheOther()
    {
        byte[] quiet = Id(1), loud = Id(2);
        var lookup = new FakeSegmentLookup()
            .Hold(quiet, new PccrdHeldSegment(5, PccrdSegmentAvailability.SomeBlocks, null, 20, 20))
            .Hold(loud, new PccrdHeldSegment(6, PccrdSegmentAvailability.SomeBlocks));
        var responder = Create(lookup);

        PccrdProbeMatch match = PccrdProbeMatch.Read(responder.Respond(Probe(PccrdVersion.V1, "urn:uuid:1", quiet, loud)).Reply);

        Assert.That(match.BlockCounts.Select(static c => c.BlockCount), Is.EqualTo(new[] { 6u }));
    }

    [Test]
    public void Respond_IpxeSingleLineProbe_IsAnswered()
    {
        byte[] id = Convert.FromHexString(PccrdTestData.IpxeSegmentIdHex);
        var responder = Create(new FakeSegmentLookup().Hold(id, new PccrdHeldSegment(2, PccrdSegmentAvailability.SomeBlocks)));

        PccrdResponderResult result = responder.Respond(PccrdTestData.Load(PccrdTestData.IpxeProbe));

        Assert.That(result.Action, Is.EqualTo(PccrdResponderAction.Reply));
        Assert.That(Encoding.UTF8.GetString(result.Reply.Span), Does.Contain("<wsd:Scopes>" + PccrdTestData.IpxeSegmentIdHex + "</wsd:Scopes>"));
    }

    [Test]
    public void Constructor_BadXAddrs_Throws()
    {
        var lookup = new FakeSegmentLookup();
        Assert.Multiple(() =>
        {
            Assert.That(() => new PccrdResponder(new PccrdResponderOptions(), lookup), Throws.ArgumentException);
            Assert.That(() => new PccrdResponder(new PccrdResponderOptions { XAddrs = [new IPEndPoint(IPAddress.Any, 80)] }, lookup), Throws.ArgumentException);
            Assert.That(() => new PccrdResponder(new PccrdResponderOptions { XAddrs = [new IPEndPoint(IPAddress.Loopback, 0)] }, lookup), Throws.ArgumentException);
        });
    }
}
