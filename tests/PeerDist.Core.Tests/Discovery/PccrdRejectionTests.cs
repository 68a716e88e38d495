using System.Text;
using PeerDist.Discovery;

namespace PeerDist.Tests.Discovery;

/// <summary>
/// Malformed, hostile and foreign datagrams: each is refused with its own <see cref="PeerDistFormatError"/>, by TryRead
/// (no exception) and by Read (<see cref="PeerDistFormatException"/> with the same reason and offset).
/// </summary>
public class PccrdRejectionTests
{
    private const string Probe = PccrdTestData.IpxeProbe;
    private const string V2Probe = PccrdTestData.Probe42Verbatim;
    private const string Match = PccrdTestData.Match43Repaired;
    private const string V2Match = PccrdTestData.Match44Repaired;
    private const string Decl = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
    private const string Id = PccrdTestData.IpxeSegmentIdHex;

    // XML hardening
    [TestCase(Probe, Decl, Decl + "<!DOCTYPE soap:Envelope>", PeerDistFormatError.PccrdInvalidXml, TestName = "Probe_Doctype")]
    [TestCase(Probe, Decl, Decl + "<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>", PeerDistFormatError.PccrdInvalidXml, TestName = "Probe_EntityExpansion")]
    [TestCase(Probe, Decl, Decl + "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>", PeerDistFormatError.PccrdInvalidXml, TestName = "Probe_ExternalEntity")]
    [TestCase(Probe, "urn:uuid:91528b47", "urn:uuid:&x;91528b47", PeerDistFormatError.PccrdInvalidXml, TestName = "Probe_UndeclaredEntity")]
    [TestCase(Probe, "<soap:Body>", "<soap:Body><x:y/>", PeerDistFormatError.PccrdInvalidXml, TestName = "Probe_UndeclaredPrefix")]
    [TestCase(Probe, "</soap:Envelope>", "</soap:Envelope><again/>", PeerDistFormatError.PccrdInvalidXml, TestName = "Probe_TwoRoots")]
    [TestCase(Probe, "urn:uuid:91528b47", "urn:uuid:\u000191528b47", PeerDistFormatError.PccrdInvalidXml, TestName = "Probe_ControlCharacter")]
    // SOAP envelope
    [TestCase(Probe, "xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\"", "xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"", PeerDistFormatError.PccrdInvalidEnvelope, TestName = "Probe_Soap11Namespace")]
    [TestCase(Probe, "</soap:Header><soap:Body>", "</soap:Header><soap:Header></soap:Header><soap:Body>", PeerDistFormatError.PccrdInvalidEnvelope, TestName = "Probe_TwoHeaders")]
    [TestCase(Probe, "</wsd:Probe>", "</wsd:Probe><wsd:Probe></wsd:Probe>", PeerDistFormatError.PccrdInvalidEnvelope, TestName = "Probe_TwoProbes")]
    [TestCase(Probe, "<wsd:Types>PeerDist:PeerDistData</wsd:Types>", "", PeerDistFormatError.PccrdNotPeerDist, TestName = "Probe_NoTypes")]
    // WS-Addressing
    [TestCase(Probe, "<wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</wsa:Action>", "", PeerDistFormatError.PccrdInvalidAddressing, TestName = "Probe_NoAction")]
    [TestCase(Probe, "discovery/Probe</wsa:Action>", "discovery/Hello</wsa:Action>", PeerDistFormatError.PccrdUnexpectedMessage, TestName = "Probe_HelloAction")]
    [TestCase(Probe, "discovery/Probe</wsa:Action>", "discovery/ProbeMatches</wsa:Action>", PeerDistFormatError.PccrdUnexpectedMessage, TestName = "Probe_ProbeMatchesAction")]
    [TestCase(Probe, "<wsa:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</wsa:To>", "<wsa:To>urn:other</wsa:To>", PeerDistFormatError.PccrdInvalidAddressing, TestName = "Probe_WrongTo")]
    [TestCase(Probe, "<wsa:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</wsa:To>", "", PeerDistFormatError.PccrdInvalidAddressing, TestName = "Probe_NoTo")]
    [TestCase(Probe, "urn:uuid:91528b47-b96d-4e30-981f-308c0586926f", " ", PeerDistFormatError.PccrdInvalidAddressing, TestName = "Probe_EmptyMessageId")]
    [TestCase(Probe, "urn:uuid:91528b47-b96d-4e30-981f-308c0586926f", "urn:uuid:a b", PeerDistFormatError.PccrdInvalidAddressing, TestName = "Probe_MessageIdWithSpace")]
    [TestCase(Probe, "</soap:Header>", "<wsa:MessageID>urn:x</wsa:MessageID></soap:Header>", PeerDistFormatError.PccrdInvalidAddressing, TestName = "Probe_TwoMessageIds")]
    // Types, MatchBy, Scopes
    [TestCase(Probe, "<wsd:Types>PeerDist:PeerDistData", "<wsd:Types xmlns:p=\"http://schemas.xmlsoap.org/ws/2006/02/devprof\">p:Device", PeerDistFormatError.PccrdNotPeerDist, TestName = "Probe_PrinterType")]
    [TestCase(Probe, "<wsd:Types>PeerDist:PeerDistData", "<wsd:Types>PeerDist:PeerDistData PeerDist:PeerDistDataV2", PeerDistFormatError.PccrdNotPeerDist, TestName = "Probe_BothVersions")]
    [TestCase(Probe, "<wsd:Types>PeerDist:PeerDistData", "<wsd:Types>PeerDist:PeerDistDataV3", PeerDistFormatError.PccrdNotPeerDist, TestName = "Probe_UnknownPeerDistType")]
    [TestCase(Probe, " MatchBy=\"http://schemas.xmlsoap.org/ws/2005/04/discovery/strcmp0\"", "", PeerDistFormatError.PccrdUnsupportedMatchingRule, TestName = "Probe_NoMatchBy")]
    [TestCase(Probe, "discovery/strcmp0", "discovery/rfc3986", PeerDistFormatError.PccrdUnsupportedMatchingRule, TestName = "Probe_Rfc3986MatchBy")]
    [TestCase(Probe, "discovery/strcmp0", "discovery/STRCMP0", PeerDistFormatError.PccrdUnsupportedMatchingRule, TestName = "Probe_MatchByCase")]
    [TestCase(Probe, "<wsd:Types>PeerDist:PeerDistData", "<wsd:Types>PeerDist:PeerDistDataV2", PeerDistFormatError.PccrdUnsupportedMatchingRule, TestName = "Probe_V2TypeWithV1Rule")]
    [TestCase(Probe, Id, "", PeerDistFormatError.PccrdInvalidScopes, TestName = "Probe_EmptyScopes")]
    [TestCase(Probe, Id, "  \r\n ", PeerDistFormatError.PccrdInvalidScopes, TestName = "Probe_WhitespaceScopes")]
    [TestCase(Probe, Id, "491B217DBEE2B5F12CA79B015E06F4BBE64F9745BAD7867AEF17DE59927EDCEG", PeerDistFormatError.PccrdInvalidScopes, TestName = "Probe_NonHexDigit")]
    [TestCase(Probe, Id, "491B217DBEE2B5F12CA79B015E06F4BBE64F9745BAD7867AEF17DE59927EDC", PeerDistFormatError.PccrdInvalidScopes, TestName = "Probe_31ByteId")]
    [TestCase(Probe, Id, "491B217DBEE2B5F12CA79B015E06F4BBE64F9745BAD7867AEF17DE59927EDCE", PeerDistFormatError.PccrdInvalidScopes, TestName = "Probe_OddHex")]
    [TestCase(Probe, Id, "0x491B217DBEE2B5F12CA79B015E06F4BBE64F9745BAD7867AEF17DE59927EDC", PeerDistFormatError.PccrdInvalidScopes, TestName = "Probe_HexPrefix")]
    [TestCase(V2Probe, "ACACI74aAQAAAAAwHRoBAAAAAEEAQQBEAHkAZwBNAE0AMQAjvhoBAAAAADAdGgEAAAAAQQBBAEQAeQBnAE0ATQAxAA==", "ACACI74a!!", PeerDistFormatError.PccrdInvalidScopes, TestName = "V2Probe_NotBase64")]
    [TestCase(V2Probe, "ACACI74aAQAAAAAwHRoBAAAAAEEAQQBEAHkAZwBNAE0AMQAjvhoBAAAAADAdGgEAAAAAQQBBAEQAeQBnAE0ATQAxAA==", "ACABKQEaAQAAAAAwHRoBAAAAAEEAQQBEAHkAZwBNAE0AMQAjvhoBAAAAADAdGgEAAAAAQQBBAEQAeQBnAE0ATQAxAA==", PeerDistFormatError.PccrdInvalidScopes, TestName = "V2Probe_CountOneButTwoIds")]
    [TestCase(V2Probe, "ACACI74aAQAAAAAwHRoBAAAAAEEAQQBEAHkAZwBNAE0AMQAjvhoBAAAAADAdGgEAAAAAQQBBAEQAeQBnAE0ATQAxAA==", "AB8AAA==", PeerDistFormatError.PccrdInvalidScopes, TestName = "V2Probe_Size31")]
    [TestCase(V2Probe, "ACACI74aAQAAAAAwHRoBAAAAAEEAQQBEAHkAZwBNAE0AMQAjvhoBAAAAADAdGgEAAAAAQQBBAEQAeQBnAE0ATQAxAA==", "ACAA", PeerDistFormatError.PccrdInvalidScopes, TestName = "V2Probe_CountZero")]
    [TestCase(V2Probe, "ACACI74aAQAAAAAwHRoBAAAAAEEAQQBEAHkAZwBNAE0AMQAjvhoBAAAAADAdGgEAAAAAQQBBAEQAeQBnAE0ATQAxAA==", "ACA=", PeerDistFormatError.PccrdInvalidScopes, TestName = "V2Probe_TooShort")]
    public void TryReadProbe_Malformed_ReturnsTheReason(string fixture, string oldValue, string newValue, PeerDistFormatError expected)
    {
        byte[] bytes = PccrdTestData.Edit(fixture, oldValue, newValue);

        bool ok = PccrdProbe.TryRead(bytes, out PccrdProbe? probe, out PeerDistFormatError error, out long offset);

        Assert.That((ok, probe, error), Is.EqualTo((false, (PccrdProbe?)null, expected)));
        Assert.That(offset, Is.InRange(0, bytes.Length));
        FormatAssert.Throws(() => PccrdProbe.Read(bytes), expected, offset);
    }

    // ProbeMatch header and body
    [TestCase(Match, "<wsa:RelatesTo>\nurn:uuid:91528b47-b96d-4e30-981f-308c0586926f\n</wsa:RelatesTo>", "", PeerDistFormatError.PccrdInvalidAddressing, TestName = "Match_NoRelatesTo")]
    [TestCase(Match, "addressing/role/anonymous", "addressing/role/other", PeerDistFormatError.PccrdInvalidAddressing, TestName = "Match_WrongTo")]
    [TestCase(Match, "discovery/ProbeMatches\n</wsa:Action>", "discovery/Probe\n</wsa:Action>", PeerDistFormatError.PccrdUnexpectedMessage, TestName = "Match_ProbeAction")]
    [TestCase(Match, "<wsd:AppSequence InstanceId=\"1218765447\" MessageNumber=\"4\"/>", "", PeerDistFormatError.PccrdInvalidAppSequence, TestName = "Match_NoAppSequence")]
    [TestCase(Match, "InstanceId=\"1218765447\"", "InstanceId=\"-1\"", PeerDistFormatError.PccrdInvalidAppSequence, TestName = "Match_NegativeInstanceId")]
    [TestCase(Match, "MessageNumber=\"4\"", "MessageNumber=\"4294967296\"", PeerDistFormatError.PccrdInvalidAppSequence, TestName = "Match_MessageNumberOverflow")]
    [TestCase(Match, " MessageNumber=\"4\"", "", PeerDistFormatError.PccrdInvalidAppSequence, TestName = "Match_NoMessageNumber")]
    [TestCase(Match, "<wsd:ProbeMatches>", "<wsd:ProbeMatches><wsd:ProbeMatch></wsd:ProbeMatch>", PeerDistFormatError.PccrdInvalidEnvelope, TestName = "Match_TwoProbeMatches")]
    [TestCase(Match, "<wsa:Address>", "<wsa:Addres>", PeerDistFormatError.PccrdInvalidXml, TestName = "Match_MismatchedTags")]
    [TestCase(Match, "<wsa:Address>\nurn:uuid:87A89944-0230-43a5-AC4E-FAB1386C8E2C\n</wsa:Address>", "", PeerDistFormatError.PccrdInvalidEnvelope, TestName = "Match_NoAddress")]
    [TestCase(Match, "<wsd:Types>\nPeerDist:PeerDistData\n</wsd:Types>", "<wsd:Types>\nPeerDist:Other\n</wsd:Types>", PeerDistFormatError.PccrdNotPeerDist, TestName = "Match_ForeignType")]
    [TestCase(Match, "157.59.141.183:54321", "", PeerDistFormatError.PccrdInvalidXAddrs, TestName = "Match_EmptyXAddrs")]
    [TestCase(Match, "157.59.141.183:54321", "peer.example:54321", PeerDistFormatError.PccrdInvalidXAddrs, TestName = "Match_HostName")]
    [TestCase(Match, "157.59.141.183:54321", "157.59.141.183", PeerDistFormatError.PccrdInvalidXAddrs, TestName = "Match_NoPort")]
    [TestCase(Match, "157.59.141.183:54321", "157.59.141.183:0", PeerDistFormatError.PccrdInvalidXAddrs, TestName = "Match_PortZero")]
    [TestCase(Match, "157.59.141.183:54321", "157.59.141.183:65536", PeerDistFormatError.PccrdInvalidXAddrs, TestName = "Match_PortTooLarge")]
    [TestCase(Match, "157.59.141.183:54321", "157.59.141.183:+80", PeerDistFormatError.PccrdInvalidXAddrs, TestName = "Match_SignedPort")]
    [TestCase(Match, "157.59.141.183:54321", "http://157.59.141.183:54321/", PeerDistFormatError.PccrdInvalidXAddrs, TestName = "Match_Url")]
    [TestCase(Match, "157.59.141.183:54321", "0x9d.59.141.183:54321", PeerDistFormatError.PccrdInvalidXAddrs, TestName = "Match_HexIPv4")]
    [TestCase(Match, "157.59.141.183:54321", "157.59.141.183:54321 [::1]", PeerDistFormatError.PccrdInvalidXAddrs, TestName = "Match_SecondWithoutPort")]
    [TestCase(Match, "157.59.141.183:54321", "[1.2.3.4]:80", PeerDistFormatError.PccrdInvalidXAddrs, TestName = "Match_BracketedIPv4")]
    [TestCase(Match, "<wsd:MetadataVersion>\n1\n", "<wsd:MetadataVersion>\n3\n", PeerDistFormatError.PccrdInvalidMetadataVersion, TestName = "Match_MetadataVersion3")]
    [TestCase(Match, "<wsd:MetadataVersion>\n1\n", "<wsd:MetadataVersion>\none\n", PeerDistFormatError.PccrdInvalidMetadataVersion, TestName = "Match_MetadataVersionText")]
    [TestCase(Match, "0000002A", "000002A", PeerDistFormatError.PccrdInvalidBlockCount, TestName = "Match_SevenDigits")]
    [TestCase(Match, "0000002A", "0000002G", PeerDistFormatError.PccrdInvalidBlockCount, TestName = "Match_NonHexCount")]
    [TestCase(Match, "0000002A", "0000002A0000002A", PeerDistFormatError.PccrdInvalidBlockCount, TestName = "Match_TwoCountsOneScope")]
    [TestCase(Match, "0000002A", "", PeerDistFormatError.PccrdInvalidBlockCount, TestName = "Match_EmptyBlockCount")]
    [TestCase(Match, "<PeerDist:BlockCount>\n0000002A\n</PeerDist:BlockCount>", "", PeerDistFormatError.PccrdInvalidBlockCount, TestName = "Match_NoBlockCount")]
    [TestCase(Match, "<PeerDist:PeerDistData>\n<PeerDist:BlockCount>\n0000002A\n</PeerDist:BlockCount>\n</PeerDist:PeerDistData>", "", PeerDistFormatError.PccrdInvalidEnvelope, TestName = "Match_NoPeerDistData")]
    [TestCase(Match, "<wsd:Scopes>\n02", "<wsd:Scopes>\nZZ", PeerDistFormatError.PccrdInvalidScopes, TestName = "Match_BadScopeHex")]
    [TestCase(V2Match, "/////////////w==", "not base64", PeerDistFormatError.PccrdInvalidScopes, TestName = "V2Match_ScopesNotBase64")]
    [TestCase(V2Match, "/////////////w==", "", PeerDistFormatError.PccrdInvalidScopes, TestName = "V2Match_EmptyScopes")]
    [TestCase(V2Match, "/////////////w==", "//////////////////////////////////////////////////////////////////////////////////////8=", PeerDistFormatError.PccrdInvalidScopes, TestName = "V2Match_65AvailabilityBytes")]
    [TestCase(V2Match, "AAEDAgBg6gACYOoA", "AAEDAgBg6g@CYOoA", PeerDistFormatError.PccrdInvalidSegmentAges, TestName = "V2Match_AgesNotBase64")]
    [TestCase(V2Match, "<PeerDist:SegmentAges>\nAAEDAgBg6gACYOoA\n</PeerDist:SegmentAges>", "", PeerDistFormatError.PccrdInvalidSegmentAges, TestName = "V2Match_NoSegmentAges")]
    [TestCase(V2Match, "AAEDAgBg6gACYOoA", "AAEJAA==", PeerDistFormatError.InvalidExtensibleBlob, TestName = "V2Match_BlobUnits9")]
    [TestCase(V2Match, "AAEDAgBg6gACYOoA", "AAEDAwBg6gACYOoA", PeerDistFormatError.InvalidExtensibleBlob, TestName = "V2Match_BlobCountTooLarge")]
    [TestCase(V2Match, "AAEDAgBg6gACYOoA", "AAIDAA==", PeerDistFormatError.UnsupportedVersion, TestName = "V2Match_BlobVersion2")]
    public void TryReadProbeMatch_Malformed_ReturnsTheReason(string fixture, string oldValue, string newValue, PeerDistFormatError expected)
    {
        byte[] bytes = PccrdTestData.Edit(fixture, oldValue, newValue);

        bool ok = PccrdProbeMatch.TryRead(bytes, out PccrdProbeMatch? match, out PeerDistFormatError error, out long offset);

        Assert.That((ok, match, error), Is.EqualTo((false, (PccrdProbeMatch?)null, expected)));
        Assert.That(offset, Is.InRange(0, bytes.Length));
        FormatAssert.Throws(() => PccrdProbeMatch.Read(bytes), expected, offset);
    }

    [TestCase("soap:Envelope", "soap:Envelop")]
    [TestCase("soap:Body", "soap:Bod")]
    [TestCase("soap:Header", "soap:Heade")]
    public void TryRead_EnvelopePartRenamed_IsInvalidEnvelope(string oldName, string newName)
    {
        // Start and end tag renamed together, so the XML stays well-formed.
        byte[] bytes = Encoding.UTF8.GetBytes(PccrdTestData.LoadText(Probe).Replace(oldName, newName, StringComparison.Ordinal));

        Assert.That(PccrdProbe.TryRead(bytes, out _, out PeerDistFormatError error, out _), Is.False);
        Assert.That(error, Is.EqualTo(PeerDistFormatError.PccrdInvalidEnvelope));
    }

    [Test]
    public void TryRead_TheOtherMessage_IsUnexpectedMessage()
    {
        Assert.That(PccrdProbe.TryRead(PccrdTestData.Load(Match), out _, out PeerDistFormatError a, out _), Is.False);
        Assert.That(PccrdProbeMatch.TryRead(PccrdTestData.Load(Probe), out _, out PeerDistFormatError b, out _), Is.False);
        Assert.That((a, b), Is.EqualTo((PeerDistFormatError.PccrdUnexpectedMessage, PeerDistFormatError.PccrdUnexpectedMessage)));
    }

    [Test]
    public void TryRead_InvalidUtf8_ReportsTheByte()
    {
        byte[] bytes = PccrdTestData.Load(Probe);
        int at = Encoding.UTF8.GetString(bytes).IndexOf("urn:uuid:", StringComparison.Ordinal);
        bytes[at] = 0xC3; // a lead byte followed by ASCII

        Assert.That(PccrdProbe.TryRead(bytes, out _, out PeerDistFormatError error, out long offset), Is.False);
        Assert.That((error, offset), Is.EqualTo((PeerDistFormatError.PccrdInvalidXml, (long)at)));
    }

    [Test]
    public void TryRead_EmptyDatagram_IsInvalidXml()
    {
        Assert.That(PccrdProbe.TryRead(ReadOnlyMemory<byte>.Empty, out _, out PeerDistFormatError error, out long offset), Is.False);
        Assert.That((error, offset), Is.EqualTo((PeerDistFormatError.PccrdInvalidXml, 0L)));
    }

    [Test]
    public void TryRead_OverTheSizeLimit_IsRejectedBeforeParsing()
    {
        byte[] bytes = PccrdTestData.Load(Probe);
        var options = new PccrdReaderOptions { MaxDatagramSize = bytes.Length - 1 };

        Assert.That(PccrdProbe.TryRead(bytes, options, out _, out PeerDistFormatError error, out long offset), Is.False);
        Assert.That((error, offset), Is.EqualTo((PeerDistFormatError.PccrdDatagramTooLarge, (long)(bytes.Length - 1))));
        Assert.That(PccrdProbe.TryRead(bytes, new PccrdReaderOptions { MaxDatagramSize = bytes.Length }, out _, out _, out _), Is.True);
    }

    [Test]
    public void TryRead_DefaultSizeLimit_Is64KiB()
    {
        // A valid probe padded with a comment up to the limit still parses; one byte more does not.
        byte[] probe = PccrdTestData.Load(Probe);
        string head = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
        string padding = "<!--" + new string('x', PccrdReaderOptions.DefaultMaxDatagramSize - probe.Length - 7) + "-->";
        byte[] atLimit = PccrdTestData.Edit(Probe, head, head + padding);
        byte[] overLimit = PccrdTestData.Edit(Probe, head, head + padding + " ");

        Assert.That(atLimit, Has.Length.EqualTo(65536));
        Assert.That(PccrdProbe.TryRead(atLimit, out _, out _, out _), Is.True);
        Assert.That(PccrdProbe.TryRead(overLimit, out _, out PeerDistFormatError error, out _), Is.False);
        Assert.That(error, Is.EqualTo(PeerDistFormatError.PccrdDatagramTooLarge));
    }

    [Test]
    public void TryRead_OverTheElementLimit_IsRejected()
    {
        // Envelope, Header, To, Action, MessageID, Body, Probe, Types, Scopes: nine elements, Scopes the ninth.
        byte[] bytes = PccrdTestData.Load(Probe);
        int ninthElement = NthIndexOf(Encoding.UTF8.GetString(bytes), "<wsd:Scopes", 1);

        Assert.That(PccrdProbe.TryRead(bytes, new PccrdReaderOptions { MaxElementCount = 9 }, out _, out _, out _), Is.True);
        Assert.That(PccrdProbe.TryRead(bytes, new PccrdReaderOptions { MaxElementCount = 8 }, out _, out PeerDistFormatError error, out long offset), Is.False);
        Assert.That((error, offset), Is.EqualTo((PeerDistFormatError.PccrdTooManyElements, (long)ninthElement)));
    }

    [Test]
    public void TryRead_ManyUnknownHeaders_HitTheDefaultElementLimit()
    {
        string headers = string.Concat(Enumerable.Repeat("<x:h xmlns:x=\"urn:x\">1</x:h>", PccrdReaderOptions.DefaultMaxElementCount));
        byte[] bytes = PccrdTestData.Edit(Probe, "</soap:Header>", headers + "</soap:Header>");

        Assert.That(PccrdProbe.TryRead(bytes, out _, out PeerDistFormatError error, out _), Is.False);
        Assert.That(error, Is.EqualTo(PeerDistFormatError.PccrdTooManyElements));
    }

    [Test]
    public void TryRead_UnknownHeadersAndBodyExtensions_AreIgnored()
    {
        byte[] bytes = PccrdTestData.Edit(Probe, "</soap:Header>", "<x:h xmlns:x=\"urn:x\" soap:mustUnderstand=\"false\">1</x:h></soap:Header>");
        bytes = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace("</wsd:Probe>", "<x:e xmlns:x=\"urn:x\"/></wsd:Probe>", StringComparison.Ordinal));

        Assert.That(PccrdProbe.Read(bytes).SegmentIds, Has.Count.EqualTo(1));
    }

    [Test]
    public void TryRead_ByteOrderMarkAndCommentsAndCrLf_AreAccepted()
    {
        string text = PccrdTestData.LoadText(PccrdTestData.Probe41Repaired).Replace("\n", "\r\n", StringComparison.Ordinal)
            .Replace("<soap:Body>", "<!-- c --><soap:Body><?pi x?>", StringComparison.Ordinal);
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(text)];

        Assert.That(PccrdProbe.Read(bytes).SegmentIds, Has.Count.EqualTo(1));
    }

    [Test]
    public void TryRead_DeclaredEncodingOtherThanUtf8_StillReadsTheBytesAsUtf8()
    {
        // MS-PCCRD 2.2.3.2: the strings are UTF-8; the declaration cannot switch the decoder.
        byte[] bytes = PccrdTestData.Edit(Probe, "encoding=\"utf-8\"", "encoding=\"utf-16\"");

        Assert.That(PccrdProbe.TryRead(bytes, out PccrdProbe? probe, out PeerDistFormatError error, out _), Is.True, error.ToString());
        Assert.That(probe!.MessageId, Is.EqualTo(PccrdTestData.ProbeMessageId));
    }

    [Test]
    public void Options_Misuse_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new PccrdReaderOptions { MaxDatagramSize = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new PccrdReaderOptions { MaxElementCount = 0 });
    }

    private static int NthIndexOf(string text, string value, int n)
    {
        int at = -1;
        for (int i = 0; i < n; i++)
        {
            at = text.IndexOf(value, at + 1, StringComparison.Ordinal);
        }

        return at;
    }
}
