using System.Text;
using PeerDist.Discovery;
using PeerDist.Retrieval;

namespace PeerDist.Tests.Discovery;

/// <summary>
/// Hostile input for a receive loop: seeded random bytes and mutated fixtures reach both readers thousands of times, and
/// only a typed outcome comes back (TryRead never throws; Read throws only <see cref="PeerDistFormatException"/>). Every
/// proper prefix of a valid message is refused.
/// </summary>
public class PccrdRobustnessTests
{
    private const int Seed = 0x5EED_CD;
    private const string Punctuation = "<>&\"' \n:=/0aA+";

    private static readonly string[] s_tokens =
    [
        "<", ">", "&", "&amp;", "&#0;", "&#x10FFFF;", "]]>", "<![CDATA[", "<!DOCTYPE x>", "<!ENTITY e \"e\">", "\"", "'", "=", ":", "/",
        "</", "/>", "\0", "\u00e9", "\ud83d\ude00", " ", "\r\n", "xmlns:soap=\"urn:x\"", "xmlns=\"\"", "<wsd:Scopes>", "</wsd:Scopes>",
        "0000002A", "00", "FF", "====", "%", "-->", "<!--", "<?", "?>",
    ];

    private static IEnumerable<string> AllFixtures() =>
    [
        PccrdTestData.Probe41Verbatim, PccrdTestData.Probe41Repaired, PccrdTestData.Probe42Verbatim, PccrdTestData.IpxeProbe,
        PccrdTestData.Match43Verbatim, PccrdTestData.Match43Repaired, PccrdTestData.Match44Verbatim, PccrdTestData.Match44Repaired,
    ];

    [Test]
    public void TryRead_RandomBytes_OnlyTypedOutcomes()
    {
        var rng = new Random(Seed);
        var failures = new List<string>();
        byte[] head = Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\">");
        for (int i = 0; i < 3000; i++)
        {
            byte[] input = new byte[rng.Next(3) switch { 0 => rng.Next(0, 16), 1 => rng.Next(0, 300), _ => rng.Next(0, 3000) }];
            rng.NextBytes(input);
            if (i % 3 == 1 && input.Length >= head.Length)
            {
                head.CopyTo(input, 0); // get past the declaration now and then
            }
            else if (i % 3 == 2)
            {
                for (int j = 0; j < input.Length; j++)
                {
                    input[j] = (byte)(0x20 + (input[j] % 0x5F)); // printable ASCII: reaches the XML parser's deeper states
                }
            }

            Check(input, $"random #{i}", failures, expectValid: false);
        }

        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(20)));
    }

    [Test]
    public void TryRead_MutatedFixtures_OnlyTypedOutcomes()
    {
        var rng = new Random(Seed + 1);
        string[] names = [.. AllFixtures()];
        var failures = new List<string>();
        int accepted = 0;
        for (int i = 0; i < 6000; i++)
        {
            string name = names[rng.Next(names.Length)];
            byte[] input = Mutate(PccrdTestData.Load(name), rng);
            accepted += Check(input, $"{name} mutation #{i}", failures, expectValid: false) ? 1 : 0;
        }

        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(20)));
        TestContext.Out.WriteLine($"6000 mutations, {accepted} still accepted");
    }

    [Test]
    public void TryRead_EveryProperPrefixOfWrittenMessages_IsRejected()
    {
        byte[] id = Convert.FromHexString(PccrdTestData.IpxeSegmentIdHex);
        byte[][] messages =
        [
            new PccrdProbe(PccrdVersion.V1, PccrdTestData.ProbeMessageId, [id, id]).ToArray(),
            new PccrdProbe(PccrdVersion.V2, PccrdTestData.ProbeMessageId, [id]).ToArray(),
            PccrdProbeMatchTests.CreateV1([new PccrdSegmentBlockCount(id, 42)]).ToArray(),
            PccrdProbeMatch.CreateV2(
                "urn:uuid:1",
                "urn:uuid:2",
                new PccrdAppSequence(1, 1),
                "urn:uuid:3",
                [new System.Net.IPEndPoint(System.Net.IPAddress.IPv6Loopback, 80)],
                [PccrdSegmentAvailability.Complete],
                new PccrrSegmentAgeBlob(PccrrSegmentAgeUnit.Hundredths, new[] { new PccrrSegmentAge(0, 5) })).ToArray(),
        ];

        var failures = new List<string>();
        foreach (byte[] message in messages)
        {
            Assert.That(Check(message, "whole", failures, expectValid: true), Is.True);
            for (int length = 0; length < message.Length; length++)
            {
                if (Check(message.AsMemory(0, length), $"prefix {length}/{message.Length}", failures, expectValid: false))
                {
                    failures.Add($"prefix {length}/{message.Length} was accepted");
                }
            }
        }

        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(20)));
    }

    [TestCaseSource(typeof(PccrdTestData), nameof(PccrdTestData.ValidProbes))]
    [TestCaseSource(typeof(PccrdTestData), nameof(PccrdTestData.ValidProbeMatches))]
    public void TryRead_EveryPrefixEndingInsideTheRootElement_IsRejected(string name)
    {
        // A fixture may end with a newline after </soap:Envelope>; trailing whitespace is outside the document, so only
        // prefixes that cut the root element short must fail.
        byte[] bytes = PccrdTestData.Load(name);
        int end = Array.LastIndexOf(bytes, (byte)'>') + 1;
        var failures = new List<string>();

        Assert.That(Check(bytes, "whole", failures, expectValid: true), Is.True);
        for (int length = 0; length < end; length++)
        {
            if (Check(bytes.AsMemory(0, length), $"prefix {length}", failures, expectValid: false))
            {
                failures.Add($"prefix {length}/{end} was accepted");
            }
        }

        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(20)));
    }

    /// <summary>Runs both readers, Try and throwing; records anything but a typed outcome. True when either accepted.</summary>
    private static bool Check(ReadOnlyMemory<byte> input, string label, List<string> failures, bool expectValid)
    {
        bool probeOk = Run(label + " probe", failures, () => PccrdProbe.TryRead(input, out _, out _, out _), () => PccrdProbe.Read(input));
        bool matchOk = Run(label + " match", failures, () => PccrdProbeMatch.TryRead(input, out _, out _, out _), () => PccrdProbeMatch.Read(input));
        if (expectValid && !(probeOk || matchOk))
        {
            failures.Add(label + ": a valid message was rejected");
        }

        return probeOk || matchOk;
    }

    private static bool Run(string label, List<string> failures, Func<bool> tryRead, Action read)
    {
        bool ok;
        try
        {
            ok = tryRead();
        }
#pragma warning disable CA1031 // the point of the test: any exception from TryRead is a failure to record
        catch (Exception e)
        {
            failures.Add($"{label}: TryRead threw {e.GetType().Name}: {e.Message}");
            return false;
        }

        try
        {
            read();
            if (!ok)
            {
                failures.Add($"{label}: Read accepted what TryRead refused");
            }
        }
        catch (PeerDistFormatException)
        {
            if (ok)
            {
                failures.Add($"{label}: Read refused what TryRead accepted");
            }
        }
        catch (Exception e)
        {
            failures.Add($"{label}: Read threw {e.GetType().Name}: {e.Message}");
        }
#pragma warning restore CA1031

        return ok;
    }

    private static byte[] Mutate(byte[] original, Random rng)
    {
        var bytes = new List<byte>(original);
        int operations = rng.Next(1, 4);
        for (int k = 0; k < operations && bytes.Count > 0; k++)
        {
            int at = rng.Next(bytes.Count);
            switch (rng.Next(6))
            {
                case 0:
                    bytes[at] ^= (byte)rng.Next(1, 256);
                    break;
                case 1:
                    bytes.RemoveRange(at, Math.Min(rng.Next(1, 40), bytes.Count - at));
                    break;
                case 2:
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(s_tokens[rng.Next(s_tokens.Length)]));
                    break;
                case 3:
                    int length = Math.Min(rng.Next(1, 200), bytes.Count - at);
                    bytes.InsertRange(rng.Next(bytes.Count), bytes.GetRange(at, length));
                    break;
                case 4:
                    bytes[at] = (byte)Punctuation[rng.Next(Punctuation.Length)];
                    break;
                default:
                    bytes.RemoveRange(at, bytes.Count - at); // truncate
                    break;
            }
        }

        return [.. bytes];
    }
}
