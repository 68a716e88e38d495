using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Json;
using PeerDist.Discovery;
using PeerDist.Retrieval;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Discovery;

/// <summary>The ProbeMatch codec (MS-PCCRD 2.2.2.2, 2.2.3) against the spec examples of wire.md §2.6 and §2.4.</summary>
public class PccrdProbeMatchTests
{
    private static readonly IPEndPoint s_exampleXAddr = new(IPAddress.Parse(PccrdTestData.XAddr), PccrdTestData.XAddrPort);

    [Test]
    public void Read_Spec43Repaired_GivesTheStatedFields()
    {
        PccrdProbeMatch match = PccrdProbeMatch.Read(PccrdTestData.Load(PccrdTestData.Match43Repaired));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(match.Version, Is.EqualTo(PccrdVersion.V1));
            Assert.That(match.MessageId, Is.EqualTo(PccrdTestData.MatchMessageId));
            Assert.That(match.RelatesTo, Is.EqualTo(PccrdTestData.ProbeMessageId));
            Assert.That(match.AppSequence, Is.EqualTo(new PccrdAppSequence(PccrdTestData.InstanceId, PccrdTestData.MessageNumber)));
            Assert.That(match.EndpointAddress, Is.EqualTo(PccrdTestData.EndpointAddress));
            Assert.That(match.XAddrs, Is.EqualTo(new[] { s_exampleXAddr }));
            Assert.That(match.MetadataVersion, Is.EqualTo(1u));
            Assert.That(match.BlockCounts, Has.Count.EqualTo(1));
            ByteAssert.AreEqual(match.BlockCounts[0].SegmentId.Span, PccrdTestData.V1ExampleSegmentId);
            Assert.That(match.BlockCounts[0].BlockCount, Is.EqualTo(42u)); // 0000002A
            Assert.That(match.Availability, Is.Empty);
            Assert.That(match.SegmentAges, Is.Null);
        }
    }

    [Test]
    public void Read_Spec44Repaired_GivesTheStatedFields()
    {
        PccrdProbeMatch match = PccrdProbeMatch.Read(PccrdTestData.Load(PccrdTestData.Match44Repaired));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(match.Version, Is.EqualTo(PccrdVersion.V2));
            Assert.That((match.MessageId, match.RelatesTo, match.EndpointAddress), Is.EqualTo((PccrdTestData.MatchMessageId, PccrdTestData.ProbeMessageId, PccrdTestData.EndpointAddress)));
            Assert.That(match.AppSequence, Is.EqualTo(new PccrdAppSequence(PccrdTestData.InstanceId, PccrdTestData.MessageNumber)));
            Assert.That(match.XAddrs, Is.EqualTo(new[] { s_exampleXAddr }));
            Assert.That(match.MetadataVersion, Is.EqualTo(2u));
            Assert.That(match.BlockCounts, Is.Empty);

            // wire.md §2.4: 10 bytes FF = 40 segments, all "have + complete".
            Assert.That(match.Availability, Has.Count.EqualTo(40).And.All.EqualTo(PccrdSegmentAvailability.Complete));

            // wire.md §2.4: blob v1, units 3 (1/100 s), index 0 and index 2 aged 60000.
            Assert.That(match.SegmentAges!.Value.Units, Is.EqualTo(PccrrSegmentAgeUnit.Hundredths));
            Assert.That(match.SegmentAges!.Value.Ages.ToArray(), Is.EqualTo(new[] { new PccrrSegmentAge(0, 60000), new PccrrSegmentAge(2, 60000) }));
        }
    }

    [TestCase(PccrdTestData.Match43Verbatim)]
    [TestCase(PccrdTestData.Match44Verbatim)]
    public void TryRead_SpecVerbatimNotWellFormed_IsInvalidXml(string name)
    {
        // wire.md §2.6 defect (b): xmlns:soap unquoted (line 2), so the XML parser stops on line 2.
        byte[] bytes = PccrdTestData.Load(name);

        bool ok = PccrdProbeMatch.TryRead(bytes, out PccrdProbeMatch? match, out PeerDistFormatError error, out long offset);

        Assert.That((ok, match, error), Is.EqualTo((false, (PccrdProbeMatch?)null, PeerDistFormatError.PccrdInvalidXml)));
        Assert.That(offset, Is.InRange(Encoding.UTF8.GetString(bytes).IndexOf('\n', StringComparison.Ordinal), Encoding.UTF8.GetString(bytes).IndexOf("xmlns:wsa", StringComparison.Ordinal)));
        FormatAssert.Throws(() => PccrdProbeMatch.Read(bytes), PeerDistFormatError.PccrdInvalidXml, offset);
    }

    [Test]
    public void Read_Spec43WithOnlyTheXmlRepaired_ReadsTwoScopesWithFourDigitCounts()
    {
        // Documents the other reading of defect (a) (spec-vectors/pccrd/README.md): two 32-byte items, so the 8 digits
        // 0000002A become two 4-digit counts, 0 and 42 (the 4-digit form of MS-PCCRD 2.2.3.9).
        string repaired = PccrdTestData.LoadText(PccrdTestData.Match43Repaired);
        string split = repaired.Replace("02" + new string('0', 126), "02" + new string('0', 62) + "\n" + new string('0', 64), StringComparison.Ordinal);
        Assert.That(split, Is.Not.EqualTo(repaired));

        PccrdProbeMatch match = PccrdProbeMatch.Read(Encoding.UTF8.GetBytes(split));

        Assert.That(match.BlockCounts.Select(c => (Convert.ToHexString(c.SegmentId.Span), c.BlockCount)), Is.EqualTo(new[]
        {
            ("02" + new string('0', 62), 0u),
            (new string('0', 64), 42u),
        }));
    }

    [Test]
    public void ToArray_V1_UsesTheLiteralTagsIpxeSearchesFor()
    {
        PccrdProbeMatch match = PccrdProbeMatch.CreateV1(
            PccrdTestData.MatchMessageId,
            PccrdTestData.ProbeMessageId,
            new PccrdAppSequence(PccrdTestData.InstanceId, PccrdTestData.MessageNumber),
            PccrdTestData.EndpointAddress,
            [s_exampleXAddr],
            [new PccrdSegmentBlockCount(PccrdTestData.V1ExampleSegmentId, 42)]);

        string text = Encoding.UTF8.GetString(match.ToArray());

        // wire.md §2.6: iPXE finds these by substring; 4.3 gives the values.
        Assert.That(text, Does.Contain("<wsd:Scopes>02" + new string('0', 126) + "</wsd:Scopes>"));
        Assert.That(text, Does.Contain("<wsd:XAddrs>157.59.141.183:54321</wsd:XAddrs>"));
        Assert.That(text, Does.Contain("<PeerDist:BlockCount>0000002A</PeerDist:BlockCount>"));
        Assert.That(text, Does.Contain("<wsd:AppSequence InstanceId=\"1218765447\" MessageNumber=\"4\"></wsd:AppSequence>"));
        Assert.That(text, Does.Contain("<wsa:RelatesTo>" + PccrdTestData.ProbeMessageId + "</wsa:RelatesTo>"));
        Assert.That(text, Does.Contain("<wsd:Types>PeerDist:PeerDistData</wsd:Types>").And.Contain("<wsd:MetadataVersion>1</wsd:MetadataVersion>"));
        Assert.That(text, Does.Not.Contain("/>"), "no self-closing element");
        Assert.That(text, Does.StartWith("<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope "));
    }

    [Test]
    public void ToArray_V2_EncodesTheSpecExampleValues()
    {
        var ages = new PccrrSegmentAgeBlob(PccrrSegmentAgeUnit.Hundredths, new[] { new PccrrSegmentAge(0, 60000), new PccrrSegmentAge(2, 60000) });
        PccrdProbeMatch match = PccrdProbeMatch.CreateV2(
            PccrdTestData.MatchMessageId,
            PccrdTestData.ProbeMessageId,
            new PccrdAppSequence(PccrdTestData.InstanceId, PccrdTestData.MessageNumber),
            PccrdTestData.EndpointAddress,
            [s_exampleXAddr],
            Enumerable.Repeat(PccrdSegmentAvailability.Complete, 40),
            ages);

        string text = Encoding.UTF8.GetString(match.ToArray());

        // MS-PCCRD 4.4 as decoded in wire.md §2.4.
        Assert.That(text, Does.Contain("<wsd:Scopes>/////////////w==</wsd:Scopes>"));
        Assert.That(text, Does.Contain("<PeerDist:PeerDistData><PeerDist:SegmentAges>AAEDAgBg6gACYOoA</PeerDist:SegmentAges></PeerDist:PeerDistData>"));
        Assert.That(text, Does.Contain("<wsd:Types>PeerDist:PeerDistDataV2</wsd:Types>").And.Contain("<wsd:MetadataVersion>2</wsd:MetadataVersion>"));
        Assert.That(text, Does.Not.Contain("/>"));
    }

    [Test]
    public void Decodings_ProbeMatchScopeAndAges_MatchWireMd()
    {
        JsonElement decodings = PccrdTestData.Decodings();
        JsonElement scope = decodings.GetProperty("probeMatchScopes")[0];
        byte[] bits = Convert.FromBase64String(scope.GetProperty("base64").GetString()!);
        JsonElement agesRow = decodings.GetProperty("segmentAges")[0];
        byte[] blob = Convert.FromBase64String(agesRow.GetProperty("base64").GetString()!);

        PccrdSegmentAvailability[] availability = PccrdProbeMatch.DecodeAvailability(bits);
        PccrrSegmentAgeBlob ages = PccrrSegmentAgeBlob.Read(blob);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Convert.ToHexString(bits), Is.EqualTo(scope.GetProperty("bytesHex").GetString()));
            Assert.That(availability, Has.Length.EqualTo(scope.GetProperty("segments").GetInt32()));
            Assert.That(availability, Is.All.EqualTo(Enum.Parse<PccrdSegmentAvailability>(scope.GetProperty("availability").GetString()!)));
            Assert.That(Convert.ToHexString(blob), Is.EqualTo(agesRow.GetProperty("bytesHex").GetString()));
            Assert.That(ages.Units.ToString(), Is.EqualTo(agesRow.GetProperty("units").GetString()));
            Assert.That(
                ages.Ages.ToArray().Select(a => (int)a.SegmentIndex * 1_000_000 + (int)a.Age),
                Is.EqualTo(agesRow.GetProperty("ages").EnumerateArray().Select(a => a.GetProperty("segmentIndex").GetInt32() * 1_000_000 + a.GetProperty("age").GetInt32())));
        }
    }

    [TestCase(new byte[] { 0b10_11_00_01 }, new[] { PccrdSegmentAvailability.SomeBlocks, PccrdSegmentAvailability.Complete, PccrdSegmentAvailability.None, PccrdSegmentAvailability.AllBlocks })]
    [TestCase(new byte[] { 0b11_00_00_00, 0b00_00_00_10 }, new[] { PccrdSegmentAvailability.Complete, PccrdSegmentAvailability.None, PccrdSegmentAvailability.None, PccrdSegmentAvailability.None, PccrdSegmentAvailability.None, PccrdSegmentAvailability.None, PccrdSegmentAvailability.None, PccrdSegmentAvailability.SomeBlocks })]
    public void DecodeAvailability_PairZeroIsTheHighBits(byte[] bits, PccrdSegmentAvailability[] expected)
    {
        // wire.md §2.4 decision: MSB-first, high bit of a pair = "has", low bit = "has all".
        Assert.That(PccrdProbeMatch.DecodeAvailability(bits), Is.EqualTo(expected));
        Assert.That(PccrdProbeMatch.EncodeAvailability(expected), Is.EqualTo(bits));
    }

    [Test]
    public void Match_V2_JoinsAvailabilityAndAgesWithTheProbe()
    {
        // The 4.2 Probe asks for two segments; the 4.4 answer says "complete" for all and ages index 0 at 600 s.
        PccrdProbe probe = PccrdProbe.Read(PccrdTestData.Load(PccrdTestData.Probe42Verbatim));
        PccrdProbeMatch match = PccrdProbeMatch.Read(PccrdTestData.Load(PccrdTestData.Match44Repaired));

        IReadOnlyList<PccrdMatchedSegment> segments = match.Match(probe);

        Assert.That(segments.Select(s => (Convert.ToHexString(s.SegmentId.Span), s.Availability, s.BlockCount, s.Age)), Is.EqualTo(new[]
        {
            (PccrdTestData.V2ExampleSegmentIdHex, PccrdSegmentAvailability.Complete, (uint?)null, (TimeSpan?)TimeSpan.FromSeconds(600)),
            (PccrdTestData.V2ExampleSegmentIdHex, PccrdSegmentAvailability.Complete, (uint?)null, (TimeSpan?)null),
        }));
    }

    [Test]
    public void Match_V1_KeepsOnlyTheSegmentsAsked()
    {
        byte[] asked = Enumerable.Repeat((byte)0xAB, 32).ToArray();
        byte[] notAsked = Enumerable.Repeat((byte)0xCD, 32).ToArray();
        byte[] empty = Enumerable.Repeat((byte)0xEF, 32).ToArray();
        var probe = new PccrdProbe(PccrdVersion.V1, PccrdTestData.ProbeMessageId, [empty, asked]);
        PccrdProbeMatch match = PccrdProbeMatch.Read(CreateV1([new(notAsked, 7), new(asked, 512), new(empty, 0)]).ToArray());

        IReadOnlyList<PccrdMatchedSegment> segments = match.Match(probe);

        Assert.That(segments.Select(s => (s.SegmentId.Span[0], s.Availability, s.BlockCount, s.Age)), Is.EqualTo(new[]
        {
            ((byte)0xEF, PccrdSegmentAvailability.None, (uint?)0, (TimeSpan?)null),
            ((byte)0xAB, PccrdSegmentAvailability.SomeBlocks, (uint?)512, (TimeSpan?)null),
        }));
        Assert.That(match.Match(new PccrdProbe(PccrdVersion.V2, PccrdTestData.ProbeMessageId, [asked])), Is.Empty);
    }

    [Test]
    public void Write_ThenRead_V1RoundTrips()
    {
        var rng = new Random(7);
        for (int i = 0; i < 50; i++)
        {
            PccrdSegmentBlockCount[] counts = [.. Enumerable.Range(0, rng.Next(1, 256)).Select(_ =>
            {
                byte[] id = new byte[new[] { 32, 48, 64 }[rng.Next(3)]];
                rng.NextBytes(id);
                return new PccrdSegmentBlockCount(id, (uint)rng.NextInt64(0, 1L << 32));
            })];
            IPEndPoint[] xAddrs = [.. Enumerable.Range(0, rng.Next(1, 4)).Select(_ => RandomEndPoint(rng))];
            var sequence = new PccrdAppSequence((uint)rng.NextInt64(0, 1L << 32), (uint)rng.NextInt64(0, 1L << 32));
            PccrdProbeMatch match = PccrdProbeMatch.CreateV1("urn:uuid:" + Guid.NewGuid(), "urn:uuid:" + Guid.NewGuid(), sequence, "urn:uuid:" + Guid.NewGuid(), xAddrs, counts, (uint)rng.Next(1, 3));

            var buffer = new ArrayBufferWriter<byte>();
            match.Write(buffer);
            PccrdProbeMatch back = PccrdProbeMatch.Read(buffer.WrittenMemory);

            Assert.That(buffer.WrittenCount, Is.EqualTo(match.GetEncodedLength()));
            Assert.That(
                (back.Version, back.MessageId, back.RelatesTo, back.AppSequence, back.EndpointAddress, back.MetadataVersion),
                Is.EqualTo((match.Version, match.MessageId, match.RelatesTo, match.AppSequence, match.EndpointAddress, match.MetadataVersion)));
            Assert.That(back.XAddrs, Is.EqualTo(xAddrs));
            Assert.That(back.BlockCounts.Select(c => (c.SegmentId.ToArray(), c.BlockCount)), Is.EqualTo(counts.Select(c => (c.SegmentId.ToArray(), c.BlockCount))));
        }
    }

    [Test]
    public void Write_ThenRead_V2RoundTrips()
    {
        var rng = new Random(8);
        for (int i = 0; i < 50; i++)
        {
            PccrdSegmentAvailability[] availability = [.. Enumerable.Range(0, rng.Next(1, 256)).Select(_ => (PccrdSegmentAvailability)rng.Next(4))];
            PccrrSegmentAge[] ages = [.. Enumerable.Range(0, rng.Next(0, 256)).Select(_ => new PccrrSegmentAge((byte)rng.Next(256), (uint)rng.Next(1 << 24)))];
            var blob = new PccrrSegmentAgeBlob((PccrrSegmentAgeUnit)rng.Next(1, 5), ages);
            PccrdProbeMatch match = PccrdProbeMatch.CreateV2("urn:uuid:1", "urn:uuid:2", new PccrdAppSequence(1, 2), "urn:uuid:3", [RandomEndPoint(rng)], availability, blob);

            PccrdProbeMatch back = PccrdProbeMatch.Read(match.ToArray());

            Assert.That(back.Version, Is.EqualTo(PccrdVersion.V2));
            Assert.That(back.Availability, Has.Count.EqualTo((availability.Length + 3) / 4 * 4));
            Assert.That(back.Availability.Take(availability.Length), Is.EqualTo(availability));
            Assert.That(back.Availability.Skip(availability.Length), Is.All.EqualTo(PccrdSegmentAvailability.None), "padding");
            Assert.That((back.SegmentAges!.Value.Units, back.SegmentAges!.Value.Ages.ToArray()), Is.EqualTo((blob.Units, ages)));
        }
    }

    [TestCase("[fe80::1]:80", "fe80::1", 80)]
    [TestCase("[2001:db8::5]:54321", "2001:db8::5", 54321)]
    [TestCase("fe80::1:80", "fe80::1", 80)] // wire.md §2.3: accept the unbracketed form too; the last colon starts the port
    [TestCase("10.0.0.1:1", "10.0.0.1", 1)]
    [TestCase("255.255.255.255:65535", "255.255.255.255", 65535)]
    public void Read_XAddrForms_AreAccepted(string xAddr, string address, int port)
    {
        byte[] bytes = PccrdTestData.Edit(PccrdTestData.Match43Repaired, "157.59.141.183:54321", xAddr);

        Assert.That(PccrdProbeMatch.Read(bytes).XAddrs, Is.EqualTo(new[] { new IPEndPoint(IPAddress.Parse(address), port) }));
    }

    [Test]
    public void Write_IPv6XAddr_IsBracketedWithoutScope()
    {
        var linkLocal = new IPEndPoint(IPAddress.Parse("fe80::1%7"), 8080);
        PccrdProbeMatch match = CreateV1([new(new byte[32], 1)], [linkLocal, new IPEndPoint(IPAddress.Parse("2001:db8::1"), 80), s_exampleXAddr]);

        string text = Encoding.UTF8.GetString(match.ToArray());

        Assert.That(text, Does.Contain("<wsd:XAddrs>[fe80::1]:8080 [2001:db8::1]:80 157.59.141.183:54321</wsd:XAddrs>"));
    }

    [Test]
    public void Read_FourDigitBlockCounts_AreAccepted()
    {
        // MS-PCCRD 2.2.3.9 prose example: 25, 4, 16 => 001900040010.
        string ids = string.Join(' ', new string('A', 64), new string('B', 64), new string('c', 64));
        byte[] bytes = PccrdTestData.Edit(PccrdTestData.Match43Repaired, "02" + new string('0', 126), ids);
        bytes = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace("0000002A", "001900040010", StringComparison.Ordinal));

        PccrdProbeMatch match = PccrdProbeMatch.Read(bytes);

        Assert.That(match.BlockCounts.Select(c => c.BlockCount), Is.EqualTo(new uint[] { 25, 4, 16 }));
        Assert.That(match.BlockCounts[2].SegmentId.ToArray(), Is.All.EqualTo((byte)0xCC));
    }

    [Test]
    public void Read_PeerDistDataV2Wrapper_IsAccepted()
    {
        // wire.md §2.2: the 2012 revision named the wrapper PeerDist:PeerDistDataV2.
        string text = PccrdTestData.LoadText(PccrdTestData.Match44Repaired).Replace("PeerDist:PeerDistData>", "PeerDist:PeerDistDataV2>", StringComparison.Ordinal);

        Assert.That(PccrdProbeMatch.Read(Encoding.UTF8.GetBytes(text)).SegmentAges!.Value.Ages.Length, Is.EqualTo(2));
    }

    [Test]
    public void XAddrs_ReturnsCopies()
    {
        PccrdProbeMatch match = PccrdProbeMatch.Read(PccrdTestData.Load(PccrdTestData.Match43Repaired));

        match.XAddrs[0].Port = 1;

        Assert.That(match.XAddrs[0].Port, Is.EqualTo(PccrdTestData.XAddrPort));
    }

    [Test]
    public void Create_Misuse_Throws()
    {
        var blob = new PccrrSegmentAgeBlob(PccrrSegmentAgeUnit.Seconds, Array.Empty<PccrrSegmentAge>());
        PccrdSegmentBlockCount[] one = [new(new byte[32], 1)];
        using (Assert.EnterMultipleScope())
        {
            Assert.Throws<ArgumentException>(() => CreateV1([]));
            Assert.Throws<ArgumentException>(() => CreateV1([new(new byte[33], 1)]));
            Assert.Throws<ArgumentException>(() => CreateV1([.. Enumerable.Range(0, 256).Select(_ => new PccrdSegmentBlockCount(new byte[32], 1))]));
            Assert.Throws<ArgumentException>(() => CreateV1(one, []));
            Assert.Throws<ArgumentException>(() => CreateV1(one, [new IPEndPoint(IPAddress.Loopback, 0)]));
            Assert.Throws<ArgumentException>(() => PccrdProbeMatch.CreateV1("urn:uuid:1", "", default, "urn:uuid:3", [s_exampleXAddr], one));
            Assert.Throws<ArgumentOutOfRangeException>(() => PccrdProbeMatch.CreateV1("urn:uuid:1", "urn:uuid:2", default, "urn:uuid:3", [s_exampleXAddr], one, 3));
            Assert.Throws<ArgumentException>(() => PccrdProbeMatch.CreateV2("urn:uuid:1", "urn:uuid:2", default, "urn:uuid:3", [s_exampleXAddr], [], blob));
            Assert.Throws<ArgumentException>(() => PccrdProbeMatch.CreateV2("urn:uuid:1", "urn:uuid:2", default, "urn:uuid:3", [s_exampleXAddr], [(PccrdSegmentAvailability)4], blob));
            Assert.Throws<ArgumentException>(() => PccrdProbeMatch.CreateV2("urn:uuid:1", "urn:uuid:2", default, "urn:uuid:3", [s_exampleXAddr], [PccrdSegmentAvailability.Complete], default));
        }
    }

    internal static PccrdProbeMatch CreateV1(PccrdSegmentBlockCount[] counts, IPEndPoint[]? xAddrs = null) =>
        PccrdProbeMatch.CreateV1(
            PccrdTestData.MatchMessageId,
            PccrdTestData.ProbeMessageId,
            new PccrdAppSequence(PccrdTestData.InstanceId, PccrdTestData.MessageNumber),
            PccrdTestData.EndpointAddress,
            xAddrs ?? [s_exampleXAddr],
            counts);

    private static IPEndPoint RandomEndPoint(Random rng)
    {
        byte[] address = new byte[rng.Next(2) == 0 ? 4 : 16];
        rng.NextBytes(address);
        return new IPEndPoint(new IPAddress(address), rng.Next(1, 65536));
    }
}
