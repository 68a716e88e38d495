using System.Buffers;
using System.Text;
using System.Text.Json;
using PeerDist.Discovery;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Discovery;

/// <summary>The Probe codec (MS-PCCRD 2.2.2.1, 2.2.3.2, 2.2.3.3) against the spec examples of wire.md §2.6 and §2.4.</summary>
public class PccrdProbeTests
{
    [Test]
    public void Read_Spec41Repaired_GivesOneV1SegmentId()
    {
        PccrdProbe probe = PccrdProbe.Read(PccrdTestData.Load(PccrdTestData.Probe41Repaired));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(probe.Version, Is.EqualTo(PccrdVersion.V1));
            Assert.That(probe.MessageId, Is.EqualTo(PccrdTestData.ProbeMessageId));
            Assert.That(probe.SegmentIds, Has.Count.EqualTo(1));
            ByteAssert.AreEqual(probe.SegmentIds[0].Span, PccrdTestData.V1ExampleSegmentId);
        }
    }

    [Test]
    public void TryRead_Spec41Verbatim_RejectsTheSplitScope()
    {
        // wire.md §2.6 defect (a): 67 + 61 hex digits, two list items of odd length.
        byte[] bytes = PccrdTestData.Load(PccrdTestData.Probe41Verbatim);
        int scopeAt = Encoding.UTF8.GetString(bytes).IndexOf("<wsd:Scopes", StringComparison.Ordinal);

        bool ok = PccrdProbe.TryRead(bytes, out PccrdProbe? probe, out PeerDistFormatError error, out long offset);

        Assert.That((ok, probe, error, offset), Is.EqualTo((false, (PccrdProbe?)null, PeerDistFormatError.PccrdInvalidScopes, (long)scopeAt)));
    }

    [Test]
    public void Read_Spec42Verbatim_GivesTwoV2SegmentIds()
    {
        PccrdProbe probe = PccrdProbe.Read(PccrdTestData.Load(PccrdTestData.Probe42Verbatim));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(probe.Version, Is.EqualTo(PccrdVersion.V2));
            Assert.That(probe.MessageId, Is.EqualTo(PccrdTestData.ProbeMessageId));
            Assert.That(probe.SegmentIds.Select(id => Convert.ToHexString(id.Span)), Is.EqualTo(new[] { PccrdTestData.V2ExampleSegmentIdHex, PccrdTestData.V2ExampleSegmentIdHex }));
        }
    }

    [Test]
    public void Read_IpxeSingleLineProbe_GivesTheSegmentId()
    {
        PccrdProbe probe = PccrdProbe.Read(PccrdTestData.Load(PccrdTestData.IpxeProbe));

        Assert.That(
            (probe.Version, probe.MessageId, probe.SegmentIds.Select(id => Convert.ToHexString(id.Span)).Single()),
            Is.EqualTo((PccrdVersion.V1, PccrdTestData.ProbeMessageId, PccrdTestData.IpxeSegmentIdHex)));
    }

    [Test]
    public void ToArray_V1_IsTheSingleLineProbeARealClientSends()
    {
        // wire.md §2.6: the template with the uuid and the upper-case hex filled in.
        string expected = ReplaceTwice(PccrdTestData.IpxeProbeTemplate, "91528b47-b96d-4e30-981f-308c0586926f", PccrdTestData.IpxeSegmentIdHex);
        var probe = new PccrdProbe(PccrdVersion.V1, PccrdTestData.ProbeMessageId, [Convert.FromHexString(PccrdTestData.IpxeSegmentIdHex)]);

        byte[] bytes = probe.ToArray();

        Assert.That(Encoding.UTF8.GetString(bytes), Is.EqualTo(expected));
        ByteAssert.AreEqual(bytes, PccrdTestData.Load(PccrdTestData.IpxeProbe), "fixture");
    }

    [Test]
    public void ToArray_V2_UsesTheV2TypeRuleAndTheSpecScopeEncoding()
    {
        // The 4.2 scope of wire.md §2.4 is base64 of (32, 2, HoHoDk, HoHoDk); writing those two IDs gives that string.
        byte[] id = Convert.FromHexString(PccrdTestData.V2ExampleSegmentIdHex);
        var probe = new PccrdProbe(PccrdVersion.V2, PccrdTestData.ProbeMessageId, [id, id]);

        string text = Encoding.UTF8.GetString(probe.ToArray());

        Assert.That(text, Does.Contain("<wsd:Types>PeerDist:PeerDistDataV2</wsd:Types>")
            .And.Contain("<wsd:Scopes MatchBy=\"http://schemas.microsoft.com/p2p/2010/05/PeerDistV2MatchingRule\">ACACI74aAQAAAAAwHRoBAAAAAEEAQQBEAHkAZwBNAE0AMQAjvhoBAAAAADAdGgEAAAAAQQBBAEQAeQBnAE0ATQAxAA==</wsd:Scopes>"));
    }

    [Test]
    public void ReadV2Scope_SpecDecodings_MatchWireMd()
    {
        foreach (JsonElement row in PccrdTestData.Decodings().GetProperty("probeScopes").EnumerateArray())
        {
            PeerDistFormatError error = PccrdProbe.ReadV2Scope(row.GetProperty("base64").GetString()!, out ReadOnlyMemory<byte>[]? ids);

            string[] expected = [.. row.GetProperty("segmentIds").EnumerateArray().Select(e => e.GetString()!)];
            Assert.That(error, Is.EqualTo(PeerDistFormatError.Unknown), row.GetProperty("name").GetString());
            Assert.That(ids!.Select(id => Convert.ToHexString(id.Span)), Is.EqualTo(expected), row.GetProperty("name").GetString());
            Assert.That(ids!.Select(id => id.Length), Is.All.EqualTo(row.GetProperty("segmentHashSize").GetInt32()));
            Assert.That(ids!, Has.Length.EqualTo(row.GetProperty("segmentHashCount").GetInt32()));
        }
    }

    [Test]
    public void Read_LowerCaseHexAndLineBreaks_AreAccepted()
    {
        string lower = PccrdTestData.IpxeSegmentIdHex.ToLowerInvariant();
        byte[] bytes = PccrdTestData.Edit(PccrdTestData.IpxeProbe, PccrdTestData.IpxeSegmentIdHex, "\r\n\t " + lower + " \n\n" + PccrdTestData.V2ExampleSegmentIdHex + "\r\n");

        PccrdProbe probe = PccrdProbe.Read(bytes);

        Assert.That(probe.SegmentIds.Select(id => Convert.ToHexString(id.Span)), Is.EqualTo(new[] { PccrdTestData.IpxeSegmentIdHex, PccrdTestData.V2ExampleSegmentIdHex }));
    }

    [Test]
    public void Read_V2ScopeWithLineBreaksInsideTheBase64_IsAccepted()
    {
        const string Scope = "ACABKQEaAQAAAAAwHRoBAAAAAEEAQQBEAHkAZwBNAE0AMQA="; // MS-PCCRD 2.2.2.1
        byte[] bytes = PccrdTestData.Edit(
            PccrdTestData.Probe42Verbatim,
            "ACACI74aAQAAAAAwHRoBAAAAAEEAQQBEAHkAZwBNAE0AMQAjvhoBAAAAADAdGgEAAAAAQQBBAEQAeQBnAE0ATQAxAA==",
            Scope[..20] + "\r\n  " + Scope[20..]);

        PccrdProbe probe = PccrdProbe.Read(bytes);

        Assert.That(Convert.ToHexString(probe.SegmentIds.Single().Span), Is.EqualTo("29011A0100000000301D1A0100000000410041004400790067004D004D003100"));
    }

    [Test]
    public void Read_OtherPrefixesAndDefaultNamespaces_AreResolvedByNamespace()
    {
        const string Xml =
            "<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\"><e:Header>" +
            "<To xmlns=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\">urn:schemas-xmlsoap-org:ws:2005:04:discovery</To>" +
            "<a:Action xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>" +
            "<a:MessageID xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\">urn:uuid:1</a:MessageID></e:Header>" +
            "<e:Body><d:Probe xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\" xmlns:p=\"http://schemas.microsoft.com/p2p/2007/09/PeerDistributionDiscovery\">" +
            "<d:Types>p:PeerDistData</d:Types><d:Scopes MatchBy=\"http://schemas.xmlsoap.org/ws/2005/04/discovery/strcmp0\"><![CDATA[" + PccrdTestData.IpxeSegmentIdHex + "]]></d:Scopes>" +
            "</d:Probe></e:Body></e:Envelope>";

        PccrdProbe probe = PccrdProbe.Read(Encoding.UTF8.GetBytes(Xml));

        Assert.That((probe.Version, probe.MessageId, probe.SegmentIds.Count), Is.EqualTo((PccrdVersion.V1, "urn:uuid:1", 1)));
    }

    [Test]
    public void Read_TypesWithTheRightLocalNameInAnotherNamespace_IsNotPeerDist()
    {
        byte[] bytes = PccrdTestData.Edit(PccrdTestData.IpxeProbe, "<wsd:Types>PeerDist:PeerDistData", "<wsd:Types>wsd:PeerDistData");

        FormatAssert.Throws(() => PccrdProbe.Read(bytes), PeerDistFormatError.PccrdNotPeerDist, PccrdTestData.LoadText(PccrdTestData.IpxeProbe).IndexOf("<wsd:Types>", StringComparison.Ordinal));
    }

    [TestCase(PccrdVersion.V1, 1)]
    [TestCase(PccrdVersion.V1, 255)]
    [TestCase(PccrdVersion.V2, 1)]
    [TestCase(PccrdVersion.V2, 255)]
    public void Write_ThenRead_RoundTrips(PccrdVersion version, int count)
    {
        var rng = new Random(count);
        int size = version == PccrdVersion.V1 ? 64 : 32;
        byte[][] ids = [.. Enumerable.Range(0, count).Select(_ => { byte[] id = new byte[size]; rng.NextBytes(id); return id; })];
        var probe = new PccrdProbe(version, "urn:uuid:" + Guid.NewGuid(), ids.Select(id => (ReadOnlyMemory<byte>)id));

        var buffer = new ArrayBufferWriter<byte>();
        probe.Write(buffer);
        PccrdProbe back = PccrdProbe.Read(buffer.WrittenMemory);

        Assert.That(buffer.WrittenCount, Is.EqualTo(probe.GetEncodedLength()));
        Assert.That((back.Version, back.MessageId), Is.EqualTo((probe.Version, probe.MessageId)));
        Assert.That(back.SegmentIds.Select(id => id.ToArray()), Is.EqualTo(ids));
    }

    [Test]
    public void TryWrite_DestinationTooSmall_WritesNothing()
    {
        var probe = new PccrdProbe(PccrdVersion.V1, PccrdTestData.ProbeMessageId, [new byte[32]]);
        int length = probe.GetEncodedLength();
        byte[] destination = new byte[length - 1];

        bool ok = probe.TryWrite(destination, out int written);

        Assert.That((ok, written, destination.All(b => b == 0)), Is.EqualTo((false, 0, true)));
        Assert.That(probe.TryWrite(new byte[length], out written) && written == length, Is.True);
    }

    [Test]
    public void Write_MessageIdWithXmlSpecialCharacters_IsEscapedAndReadBack()
    {
        var probe = new PccrdProbe(PccrdVersion.V1, "urn:x:a&b<c>\"d\"é", [new byte[32]]);

        byte[] bytes = probe.ToArray();

        Assert.That(Encoding.UTF8.GetString(bytes), Does.Contain("urn:x:a&amp;b&lt;c&gt;&quot;d&quot;é"));
        Assert.That(PccrdProbe.Read(bytes).MessageId, Is.EqualTo("urn:x:a&b<c>\"d\"é"));
    }

    [Test]
    public void Read_256SegmentIds_IsRejected()
    {
        string ids = string.Join(' ', Enumerable.Range(0, 256).Select(i => i.ToString("X64", System.Globalization.CultureInfo.InvariantCulture)));
        byte[] atLimit = PccrdTestData.Edit(PccrdTestData.IpxeProbe, PccrdTestData.IpxeSegmentIdHex, ids[..ids.LastIndexOf(' ')]);
        byte[] overLimit = PccrdTestData.Edit(PccrdTestData.IpxeProbe, PccrdTestData.IpxeSegmentIdHex, ids);

        Assert.That(PccrdProbe.Read(atLimit).SegmentIds, Has.Count.EqualTo(255));
        Assert.That(PccrdProbe.TryRead(overLimit, out _, out PeerDistFormatError error, out _), Is.False);
        Assert.That(error, Is.EqualTo(PeerDistFormatError.PccrdTooManySegmentIds));
    }

    [Test]
    public void IndexOf_FindsTheSegment()
    {
        var probe = new PccrdProbe(PccrdVersion.V1, "urn:uuid:1", [new byte[32], Enumerable.Repeat((byte)1, 48).ToArray()]);

        Assert.That((probe.IndexOf(Enumerable.Repeat((byte)1, 48).ToArray()), probe.IndexOf(new byte[32]), probe.IndexOf(new byte[64])), Is.EqualTo((1, 0, -1)));
    }

    [Test]
    public void Constructor_CopiesTheIdentifiers()
    {
        byte[] id = new byte[32];
        var probe = new PccrdProbe(PccrdVersion.V1, "urn:uuid:1", [id]);

        id[0] = 0xFF;

        Assert.That(probe.SegmentIds[0].Span[0], Is.Zero);
        Assert.That(probe.SegmentIds, Is.Not.InstanceOf<ReadOnlyMemory<byte>[]>(), "the list cannot be cast back to a writable array");
    }

    [Test]
    public void Constructor_Misuse_Throws()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => _ = new PccrdProbe((PccrdVersion)3, "urn:uuid:1", [new byte[32]]));
            Assert.Throws<ArgumentException>(() => _ = new PccrdProbe(PccrdVersion.V1, "", [new byte[32]]));
            Assert.Throws<ArgumentException>(() => _ = new PccrdProbe(PccrdVersion.V1, "urn:uuid: 1", [new byte[32]]));
            Assert.Throws<ArgumentException>(() => _ = new PccrdProbe(PccrdVersion.V1, "urn:\u0001", [new byte[32]]));
            Assert.Throws<ArgumentException>(() => _ = new PccrdProbe(PccrdVersion.V1, "urn:\ud800", [new byte[32]]));
            Assert.Throws<ArgumentException>(() => _ = new PccrdProbe(PccrdVersion.V1, "urn:uuid:1", []));
            Assert.Throws<ArgumentException>(() => _ = new PccrdProbe(PccrdVersion.V1, "urn:uuid:1", [new byte[31]]));
            Assert.Throws<ArgumentException>(() => _ = new PccrdProbe(PccrdVersion.V1, "urn:uuid:1", Enumerable.Range(0, 256).Select(_ => (ReadOnlyMemory<byte>)new byte[32])));
            Assert.Throws<ArgumentException>(() => _ = new PccrdProbe(PccrdVersion.V2, "urn:uuid:1", [new byte[32], new byte[64]]));
        }
    }

    private static string ReplaceTwice(string template, string first, string second)
    {
        int a = template.IndexOf("%s", StringComparison.Ordinal);
        string once = string.Concat(template.AsSpan(0, a), first, template.AsSpan(a + 2));
        int b = once.IndexOf("%s", StringComparison.Ordinal);
        return string.Concat(once.AsSpan(0, b), second, once.AsSpan(b + 2));
    }
}
