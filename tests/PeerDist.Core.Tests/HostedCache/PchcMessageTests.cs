using System.Text;
using PeerDist.HostedCache;
using PeerDist.Tests.Shared;

namespace PeerDist.Core.Tests.HostedCache;

/// <summary>
/// MS-PCHC messages against the fixtures of spec-vectors/pchc (built with printf and xxd from the layouts of wire.md
/// §3.2 and §3.3; see its README) and the hosted-cache expectations of wire.md §3.4 / §8.
/// </summary>
public sealed class PchcMessageTests
{
    private static readonly byte[] s_hash = Enumerable.Range(0x20, 32).Select(b => (byte)b).ToArray();

    [Test]
    public void InitialOffer_Fixture_ReadsAndWritesBack()
    {
        byte[] bytes = Fixture("derived-initial-offer-v1");

        var offer = (PchcInitialOfferMessage)PchcMessageReader.Read(bytes, expectedMajorVersion: 1);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(offer.MajorVersion, Is.EqualTo(1));
            Assert.That(offer.MinorVersion, Is.Zero);
            Assert.That(offer.Type, Is.EqualTo(PchcMessageType.InitialOffer));
            Assert.That(offer.Port, Is.EqualTo(8282));
            Assert.That(offer.SegmentId.ToArray(), Is.EqualTo(s_hash));
            Assert.That(new PchcInitialOfferMessage(8282, s_hash).ToArray(), Is.EqualTo(bytes));
        }
    }

    [Test]
    public void BatchedOffer_Fixture_ReadsAndWritesBack()
    {
        byte[] bytes = Fixture("derived-batched-offer-v2");

        var offer = (PchcBatchedOfferMessage)PchcMessageReader.Read(bytes, expectedMajorVersion: 2);

        PchcSegmentDescriptor segment = offer.Segments.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(offer.Port, Is.EqualTo(80));
            Assert.That(segment.BlockSize, Is.EqualTo(0x10000));
            Assert.That(segment.SegmentSize, Is.EqualTo(0x10000));
            Assert.That(segment.ContentTag.ToArray(), Is.EqualTo(new byte[16]));
            Assert.That(segment.HashAlgorithm, Is.EqualTo(PchcSegmentDescriptor.TruncatedSha512));
            Assert.That(segment.IsKnownHashAlgorithm, Is.True);
            Assert.That(segment.SegmentId.ToArray(), Is.EqualTo(s_hash));
            Assert.That(new PchcBatchedOfferMessage(80, [new PchcSegmentDescriptor(0x10000, 0x10000, new byte[16], 4, s_hash)]).ToArray(), Is.EqualTo(bytes));
        }
    }

    [Test]
    public void SegmentInfo_RealIisContentInformation_SegmentUsable()
    {
        byte[] bytes = Fixture("derived-segment-info-v1-ipxe");

        var info = (PchcSegmentInfoMessage)PchcMessageReader.Read(bytes, expectedMajorVersion: 1);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(info.Port, Is.EqualTo(8282));
            Assert.That(Encoding.ASCII.GetString(info.ContentTag.Span).TrimEnd('\0'), Is.EqualTo("WinINet"));
            Assert.That(info.TryGetSegment(out var segment), Is.True);

            // The segment ID of the IIS vector, from its JSON (spec-vectors/pccrc/v1/ipxe-iis85-v1.json).
            Assert.That(Convert.ToHexStringLower(segment!.SegmentId.Span), Is.EqualTo("491b217dbee2b5f12ca79b015e06f4bbe64f9745bad7867aef17de59927edce9"));
            Assert.That(new PchcSegmentInfoMessage(8282, info.ContentTag, info.SegmentInformation).ToArray(), Is.EqualTo(bytes));
        }
    }

    [TestCase("derived-segment-info-v1-bad-hash-algorithm")]
    [TestCase("derived-segment-info-v1-two-segments")]
    public void SegmentInfo_ContentInformationNotOneValidSegment_EnvelopeValidButNoSegment(string name)
    {
        var info = (PchcSegmentInfoMessage)PchcMessageReader.Read(Fixture(name), expectedMajorVersion: 1);

        Assert.That(info.TryGetSegment(out _), Is.False, "answered OK, never pulled (wire.md §3.4)");
    }

    [Test]
    public void BatchedOffer_UnknownHashAlgorithm_EnvelopeValidAlgorithmUnknown()
    {
        var offer = (PchcBatchedOfferMessage)PchcMessageReader.Read(Fixture("derived-batched-offer-v2-unknown-hash-algorithm"), expectedMajorVersion: 2);

        Assert.That(offer.Segments.Single().IsKnownHashAlgorithm, Is.False);
    }

    [TestCase("invalid-major-version-fe", 0, PeerDistFormatError.PchcUnsupportedVersion)]
    [TestCase("invalid-type-fefe", 1, PeerDistFormatError.PchcUnknownMessageType)]
    [TestCase("invalid-batched-offer-no-descriptor", 2, PeerDistFormatError.PchcInvalidDescriptorCount)]
    [TestCase("invalid-batched-offer-129-descriptors", 2, PeerDistFormatError.PchcInvalidDescriptorCount)]
    [TestCase("invalid-batched-offer-empty-content-tag", 2, PeerDistFormatError.PchcInvalidContentTag)]
    [TestCase("invalid-initial-offer-short-hash", 1, PeerDistFormatError.PchcInvalidSegmentHash)]
    [TestCase("derived-batched-offer-v2", 1, PeerDistFormatError.PchcUnsupportedVersion)] // v2 message on the v1 (HTTPS) path
    [TestCase("derived-initial-offer-v1", 2, PeerDistFormatError.PchcUnsupportedVersion)] // v1 message on the v2 (HTTP) path
    public void Read_MalformedOrWrongEndpoint_TypedError(string name, int expectedMajor, PeerDistFormatError expected)
    {
        bool ok = PchcMessageReader.TryRead(Fixture(name), expectedMajor, out PchcMessage? message, out PeerDistFormatError error, out _);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.False);
            Assert.That(message, Is.Null);
            Assert.That(error, Is.EqualTo(expected));
        }

        Assert.Throws<PeerDistFormatException>(() => PchcMessageReader.Read(Fixture(name), expectedMajor));
    }

    [TestCase("derived-initial-offer-v1", 1)]
    [TestCase("derived-batched-offer-v2", 2)]
    [TestCase("derived-segment-info-v1-ipxe", 1)]
    public void Read_EveryProperPrefix_RejectedWithoutThrowing(string name, int major)
    {
        byte[] bytes = Fixture(name);
        for (int length = 0; length < bytes.Length; length++)
        {
            bool ok = PchcMessageReader.TryRead(bytes.AsSpan(0, length), major, out _, out _, out _);

            // A SEGMENT_INFO's embedded content information has no length of its own: any prefix that keeps the
            // whole tag is a well-formed envelope whose segment information does not parse.
            if (ok)
            {
                Assert.That(name, Is.EqualTo("derived-segment-info-v1-ipxe"), $"prefix {length}");
                var info = (PchcSegmentInfoMessage)PchcMessageReader.Read(bytes.AsSpan(0, length), major);
                Assert.That(info.TryGetSegment(out _), Is.False, $"prefix {length}");
            }
        }
    }

    [Test]
    public void Read_RandomBytes_OnlyTypedOutcomes()
    {
        var random = new Random(4242);
        for (int i = 0; i < 20_000; i++)
        {
            byte[] bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            if (bytes.Length >= 4 && random.Next(2) == 0)
            {
                // Aim at the interesting paths: valid versions and types.
                bytes[1] = (byte)random.Next(1, 3);
                bytes[2] = 0;
                bytes[3] = (byte)random.Next(1, 4);
            }

            if (PchcMessageReader.TryRead(bytes, 0, out PchcMessage? message, out _, out _) && message is PchcSegmentInfoMessage info)
            {
                info.TryGetSegment(out _);
            }
        }
    }

    [Test]
    public void Read_AboveLimit_TooLarge()
    {
        byte[] bytes = Fixture("derived-segment-info-v1-two-segments");

        Assert.That(PchcMessageReader.TryRead(bytes, 1, out _, out PeerDistFormatError error, out _, maxLength: 1024), Is.False);
        Assert.That(error, Is.EqualTo(PeerDistFormatError.PchcMessageTooLarge));
    }

    [Test]
    public void Response_Fixtures_RoundTrip()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(PchcResponse.ToArray(PchcResponseCode.Ok), Is.EqualTo(Fixture("derived-response-ok")));
            Assert.That(PchcResponse.ToArray(PchcResponseCode.Interested), Is.EqualTo(Fixture("derived-response-interested")));
            Assert.That(PchcResponse.TryRead(Fixture("derived-response-interested"), out PchcResponseCode code, out _), Is.True);
            Assert.That(code, Is.EqualTo(PchcResponseCode.Interested));
        }
    }

    [TestCase("00000001000000")]
    [TestCase("0000000102")]
    [TestCase("0000000200")]
    [TestCase("00000001")]
    [TestCase("")]
    public void Response_Malformed_Rejected(string hex) =>
        Assert.That(PchcResponse.TryRead(Convert.FromHexString(hex), out _, out _), Is.False);

    [Test]
    public void Constructors_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentException>(() => _ = new PchcInitialOfferMessage(80, new byte[31]));
        Assert.Throws<ArgumentException>(() => _ = new PchcSegmentInfoMessage(80, new byte[15], new byte[100]));
        Assert.Throws<ArgumentException>(() => _ = new PchcBatchedOfferMessage(80, []));
        var descriptor = new PchcSegmentDescriptor(1, 1, new byte[16], 1, s_hash);
        Assert.Throws<ArgumentException>(() => _ = new PchcBatchedOfferMessage(80, Enumerable.Repeat(descriptor, 129).ToArray()));
        Assert.Throws<ArgumentException>(() => _ = new PchcSegmentDescriptor(1, 1, new byte[16], 1, new byte[48]));
    }

    private static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(TestVectors.Root, "pchc", name + ".bin"));
}
