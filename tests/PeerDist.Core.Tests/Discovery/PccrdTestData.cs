using System.Text;
using System.Text.Json;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Discovery;

/// <summary>
/// The PCCRD fixtures (spec-vectors/pccrd) and the values wire.md §2.4 and §2.6 state for them. Expected values are typed in
/// from wire.md, not taken from this library's output.
/// </summary>
internal static class PccrdTestData
{
    public const string Folder = "pccrd";

    public const string Probe41Verbatim = "spec-4-1-v1-probe-verbatim";
    public const string Probe41Repaired = "spec-4-1-v1-probe-repaired";
    public const string Probe42Verbatim = "spec-4-2-v2-probe-verbatim";
    public const string Match43Verbatim = "spec-4-3-v1-probematch-verbatim";
    public const string Match43Repaired = "spec-4-3-v1-probematch-repaired";
    public const string Match44Verbatim = "spec-4-4-v2-probematch-verbatim";
    public const string Match44Repaired = "spec-4-4-v2-probematch-repaired";
    public const string IpxeProbe = "ipxe-v1-probe-single-line";

    // wire.md §2.6, examples 4.1 to 4.4.
    public const string ProbeMessageId = "urn:uuid:91528b47-b96d-4e30-981f-308c0586926f";
    public const string MatchMessageId = "urn:uuid:7f4b09a3-96c9-4170-9eb3-1c805a52f444";
    public const string EndpointAddress = "urn:uuid:87A89944-0230-43a5-AC4E-FAB1386C8E2C";
    public const uint InstanceId = 1218765447;
    public const uint MessageNumber = 4;
    public const string XAddr = "157.59.141.183";
    public const int XAddrPort = 54321;

    /// <summary>The V1 example HoHoDk once its two lines are joined: "02" and 63 zero bytes (128 hex digits).</summary>
    public static byte[] V1ExampleSegmentId => Convert.FromHexString("02" + new string('0', 126));

    /// <summary>wire.md §2.4: both HoHoDks of the 4.2 scope.</summary>
    public const string V2ExampleSegmentIdHex = "23BE1A0100000000301D1A0100000000410041004400790067004D004D003100";

    /// <summary>The segment ID of the real IIS 8.5 vector (spec-vectors/pccrc/v1/ipxe-iis85-v1), put into the iPXE probe.</summary>
    public const string IpxeSegmentIdHex = "491B217DBEE2B5F12CA79B015E06F4BBE64F9745BAD7867AEF17DE59927EDCE9";

    /// <summary>
    /// The single-line request of wire.md §2.6 with its two <c>%s</c>, as a template (copied from wire.md, not from the fixture).
    /// </summary>
    public const string IpxeProbeTemplate =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:wsa=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" xmlns:wsd=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\" xmlns:PeerDist=\"http://schemas.microsoft.com/p2p/2007/09/PeerDistributionDiscovery\"><soap:Header><wsa:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</wsa:To><wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</wsa:Action><wsa:MessageID>urn:uuid:%s</wsa:MessageID></soap:Header><soap:Body><wsd:Probe><wsd:Types>PeerDist:PeerDistData</wsd:Types><wsd:Scopes MatchBy=\"http://schemas.xmlsoap.org/ws/2005/04/discovery/strcmp0\">%s</wsd:Scopes></wsd:Probe></soap:Body></soap:Envelope>";

    public static byte[] Load(string name) => File.ReadAllBytes(Path.Combine(TestVectors.Root, Folder, name + ".xml"));

    public static string LoadText(string name) => Encoding.UTF8.GetString(Load(name));

    public static JsonElement Decodings() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(TestVectors.Root, Folder, "v2-base64-decodings.json"))).RootElement;

    /// <summary>Every fixture that must parse, with its kind.</summary>
    public static IEnumerable<TestCaseData> ValidProbes()
    {
        yield return new TestCaseData(Probe41Repaired).SetName("Probe(" + Probe41Repaired + ")");
        yield return new TestCaseData(Probe42Verbatim).SetName("Probe(" + Probe42Verbatim + ")");
        yield return new TestCaseData(IpxeProbe).SetName("Probe(" + IpxeProbe + ")");
    }

    public static IEnumerable<TestCaseData> ValidProbeMatches()
    {
        yield return new TestCaseData(Match43Repaired).SetName("ProbeMatch(" + Match43Repaired + ")");
        yield return new TestCaseData(Match44Repaired).SetName("ProbeMatch(" + Match44Repaired + ")");
    }

    /// <summary>Replaces the first occurrence of <paramref name="oldValue"/> (which must occur) in a fixture.</summary>
    public static byte[] Edit(string name, string oldValue, string newValue)
    {
        string text = LoadText(name);
        int at = text.IndexOf(oldValue, StringComparison.Ordinal);
        Assert.That(at, Is.GreaterThanOrEqualTo(0), $"'{oldValue}' not in {name}");
        return Encoding.UTF8.GetBytes(string.Concat(text.AsSpan(0, at), newValue, text.AsSpan(at + oldValue.Length)));
    }
}
