using PeerDist.Caching;
using PeerDist.Content;

namespace PeerDist.Tests.Caching;

public sealed class SegmentMetadataTests
{
    private static readonly TestContent s_v1 = TestContent.Create((3 * PeerDistConstants.BlockSize) + 5, ContentInformationVersion.V1, seed: 21, ContentHashAlgorithm.Sha384);
    private static readonly TestContent s_v2 = TestContent.Create(150_000, ContentInformationVersion.V2, seed: 22);

    [Test]
    public void FromSegment_V1Segment_CopiesEveryField()
    {
        ContentSegment segment = s_v1.Segments[0];

        SegmentMetadata metadata = SegmentMetadata.FromSegment(segment);

        Assert.That(metadata.HashAlgorithm, Is.EqualTo(ContentHashAlgorithm.Sha384));
        Assert.That(metadata.Version, Is.EqualTo(ContentInformationVersion.V1));
        Assert.That(metadata.SegmentId.ToArray(), Is.EqualTo(segment.SegmentId.ToArray()));
        Assert.That(metadata.HashOfData.ToArray(), Is.EqualTo(segment.HashOfData.ToArray()));
        Assert.That(metadata.SegmentSecret.ToArray(), Is.EqualTo(segment.SegmentSecret.ToArray()));
        Assert.That(metadata.BlockCount, Is.EqualTo(4));
        Assert.That(metadata.GetBlockLength(3), Is.EqualTo(5));
        Assert.That(metadata.GetBlockHash(2).ToArray(), Is.EqualTo(segment.GetBlockHash(2).ToArray()));
    }

    [Test]
    public void FromSegment_V2Segment_IsOneBlockWhoseHashIsTheHashOfData()
    {
        ContentSegment segment = s_v2.Segments[0];

        SegmentMetadata metadata = SegmentMetadata.FromSegment(segment);

        Assert.That(metadata.Version, Is.EqualTo(ContentInformationVersion.V2));
        Assert.That(metadata.BlockCount, Is.EqualTo(1));
        Assert.That(metadata.BlockSize, Is.EqualTo(segment.Length));
        Assert.That(metadata.GetBlockHash(0).ToArray(), Is.EqualTo(segment.HashOfData.ToArray()));
    }

    [Test]
    public void Create_SegmentIdNotDerivedFromSecret_ThrowsArgumentException()
    {
        ContentSegment segment = s_v1.Segments[0];
        byte[] wrongId = segment.SegmentId.ToArray();
        wrongId[0] ^= 1;

        Assert.That(
            () => SegmentMetadata.Create(segment.HashAlgorithm, wrongId, segment.HashOfData.Span, segment.SegmentSecret.Span, segment.Length, segment.BlockSize, 0, segment.BlockHashes.Span),
            Throws.ArgumentException.With.Message.Contains("segment identifier"));
    }

    [Test]
    public void Create_WithoutSecret_AcceptsAnyIdentifierButChecksHashOfData()
    {
        ContentSegment segment = s_v1.Segments[0];
        byte[] badHashOfData = segment.HashOfData.ToArray();
        badHashOfData[^1] ^= 1;

        SegmentMetadata withoutSecret = SegmentMetadata.Create(segment.HashAlgorithm, segment.SegmentId.Span, segment.HashOfData.Span, [], segment.Length, segment.BlockSize, 0, segment.BlockHashes.Span);

        Assert.That(withoutSecret.HasSegmentSecret, Is.False);
        Assert.That(
            () => SegmentMetadata.Create(segment.HashAlgorithm, segment.SegmentId.Span, badHashOfData, [], segment.Length, segment.BlockSize, 0, segment.BlockHashes.Span),
            Throws.ArgumentException.With.Message.Contains("hash of data"));
    }

    [TestCase(0, PeerDistConstants.BlockSize)]
    [TestCase(PeerDistConstants.SegmentSize + 1, PeerDistConstants.BlockSize)]
    [TestCase(1000, 4096)]
    public void Create_V1BadLengths_ThrowsArgumentException(int segmentLength, int blockSize)
    {
        ContentSegment segment = s_v1.Segments[0];

        Assert.That(
            () => SegmentMetadata.Create(segment.HashAlgorithm, segment.SegmentId.Span, segment.HashOfData.Span, [], segmentLength, blockSize, 0, []),
            Throws.ArgumentException);
    }

    [Test]
    public void ToString_Always_OmitsTheSegmentSecret()
    {
        ContentSegment segment = s_v1.Segments[0];

        string text = SegmentMetadata.FromSegment(segment).ToString();

        Assert.That(text, Does.Contain(Convert.ToHexStringLower(segment.SegmentId.Span)));
        Assert.That(text, Does.Not.Contain(Convert.ToHexStringLower(segment.SegmentSecret.Span)));
    }

    [Test]
    public void SegmentMetadataFile_RoundTrip_GivesEqualMetadata()
    {
        SegmentMetadata metadata = SegmentMetadata.FromSegment(s_v1.Segments[0]);

        SegmentMetadata? parsed = SegmentMetadataFile.TryParse(SegmentMetadataFile.Serialize(metadata));

        Assert.That(parsed, Is.Not.Null);
        Assert.That(parsed!.SegmentId.ToArray(), Is.EqualTo(metadata.SegmentId.ToArray()));
        Assert.That(parsed.SegmentSecret.ToArray(), Is.EqualTo(metadata.SegmentSecret.ToArray()));
        Assert.That(parsed.BlockHashes.ToArray(), Is.EqualTo(metadata.BlockHashes.ToArray()));
        Assert.That(parsed.SegmentLength, Is.EqualTo(metadata.SegmentLength));
    }

    [Test]
    public void SegmentMetadataFile_EveryPrefixOrFlippedByte_IsRejected()
    {
        byte[] bytes = SegmentMetadataFile.Serialize(SegmentMetadata.FromSegment(s_v2.Segments[0]));

        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.That(SegmentMetadataFile.TryParse(bytes.AsSpan(0, length)), Is.Null, $"prefix {length}");
        }

        for (int i = 0; i < bytes.Length; i++)
        {
            byte[] copy = (byte[])bytes.Clone();
            copy[i] ^= 0x10;
            Assert.That(SegmentMetadataFile.TryParse(copy), Is.Null, $"byte {i}");
        }
    }
}
