using PeerDist.Retrieval;

namespace PeerDist.Tests.Retrieval;

/// <summary>MESSAGE_HEADER, TRANSPORT_RESPONSE_HEADER, ProtVer and the range structs (MS-PCCRR 2.2.1–2.2.3).</summary>
public class PccrrMessageHeaderTests
{
    [TestCase("00000001", ExpectedResult = "1.0")] // wire.md §1.3: v1.0 = 00 00 00 01
    [TestCase("00000002", ExpectedResult = "2.0")]
    [TestCase("00010002", ExpectedResult = "2.1")] // minor in the high 16 bits
    [TestCase("fefefefe", ExpectedResult = "65278.65278")] // WPTS MessageHeader_VersionIncompatible
    public string FromEncoded_WireBytes_MajorIsTheLow16Bits(string hex) =>
        PccrrVersion.FromEncoded(Convert.ToUInt32(hex, 16)).ToString();

    [Test]
    public void Version_CompatibilityAndOrder_FollowTheMajorVersion()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(new PccrrVersion(2, 1).IsCompatibleWith(new PccrrVersion(2, 9)), Is.True);
            Assert.That(PccrrVersion.V1.IsCompatibleWith(PccrrVersion.V2), Is.False);
            Assert.That(new PccrrVersion(1, 9) < PccrrVersion.V2, Is.True);
            Assert.That(new PccrrVersion(2, 1) > PccrrVersion.V2, Is.True);
            Assert.That(PccrrVersion.V2.Encoded, Is.EqualTo(2u));
        }
    }

    [Test]
    public void Header_WriteThenRead_RoundTrips()
    {
        var header = new PccrrMessageHeader(new PccrrVersion(2, 1), PccrrMessageType.SegmentList, 0x1234, PccrrCryptoAlgorithm.Aes192);
        byte[] bytes = new byte[PccrrMessageHeader.Size];

        header.Write(bytes);

        Assert.That(Convert.ToHexStringLower(bytes), Is.EqualTo("00010002" + "00000007" + "00001234" + "00000002"));
        Assert.That(PccrrMessageHeader.Read(bytes), Is.EqualTo(header));
    }

    [Test]
    public void Headers_ShortBuffers_ThrowArgumentException()
    {
        Assert.Throws<ArgumentException>(() => PccrrMessageHeader.Read(new byte[15]));
        Assert.Throws<ArgumentException>(() => default(PccrrMessageHeader).Write(new byte[15]));
        Assert.Throws<ArgumentException>(() => PccrrTransportResponseHeader.Read(new byte[3]));
        Assert.Throws<ArgumentException>(() => default(PccrrTransportResponseHeader).Write(new byte[3]));
    }

    [Test]
    public void MessageType_Values_AreThoseOfTheSpecTable()
    {
        uint[] values = [.. Enum.GetValues<PccrrMessageType>().Select(t => (uint)t)];

        Assert.That(values, Is.EqualTo(new uint[] { 0, 1, 2, 3, 4, 5, 6, 7 }));
    }

    [TestCase(0u, 1u, ExpectedResult = true)]
    [TestCase(0u, 512u, ExpectedResult = true)]
    [TestCase(511u, 1u, ExpectedResult = true)]
    [TestCase(0u, 0u, ExpectedResult = false)]
    [TestCase(511u, 2u, ExpectedResult = false)]
    [TestCase(512u, 1u, ExpectedResult = false)]
    [TestCase(0xFFFF_FFFFu, 0xFFFF_FFFFu, ExpectedResult = false)]
    public bool BlockRange_IsValid_FollowsTheSegmentLimit(uint index, uint count) => new PccrrBlockRange(index, count).IsValid;

    [Test]
    public void Constructors_InvalidArguments_Throw()
    {
        byte[] id = new byte[32];
        using (Assert.EnterMultipleScope())
        {
            Assert.Throws<ArgumentException>(() => _ = new PccrrGetBlocksRequest(new byte[31], new[] { new PccrrBlockRange(0, 1) }));
            Assert.Throws<ArgumentException>(() => _ = new PccrrGetBlockListRequest(id, new[] { new PccrrBlockRange(0, 0) }));
            Assert.Throws<ArgumentOutOfRangeException>(() => _ = new PccrrBlockListResponse(id, default, 512));
            Assert.Throws<ArgumentException>(() => _ = new PccrrGetSegmentListRequest(new byte[15], default));
            Assert.Throws<ArgumentException>(() => _ = new PccrrSegmentListResponse(new byte[16], new[] { new PccrrSegmentRange(1, 0) }));
            Assert.Throws<ArgumentOutOfRangeException>(() => _ = new PccrrBlockResponse(id, 512, 0, default, default, PccrrCryptoAlgorithm.None));
        }
    }
}
