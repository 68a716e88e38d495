using PeerDist.Content;
using PeerDist.Cryptography;

namespace PeerDist.Tests.Caching;

/// <summary>Generated content with its content information, and the plaintext of each block.</summary>
public sealed class TestContent
{
    private TestContent(byte[] bytes, ContentInformation information)
    {
        Bytes = bytes;
        Information = information;
    }

    public byte[] Bytes { get; }

    public ContentInformation Information { get; }

    public IReadOnlyList<ContentSegment> Segments => Information.Segments;

    /// <summary>Pseudo-random content of <paramref name="length"/> bytes, hashed as <paramref name="version"/>.</summary>
    public static TestContent Create(int length, ContentInformationVersion version, int seed, ContentHashAlgorithm v1Algorithm = ContentHashAlgorithm.Sha256)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        using ServerSecret secret = ServerSecret.FromPassphrase("cache tests");
        ContentInformation information = ContentInformationBuilder.Create(
            (ReadOnlySpan<byte>)bytes,
            secret,
            new ContentInformationBuilderOptions { Version = version, HashAlgorithm = v1Algorithm });
        return new TestContent(bytes, information);
    }

    public ReadOnlyMemory<byte> Block(ContentSegment segment, int blockIndex)
    {
        ContentRange range = segment.GetBlockRange(blockIndex);
        return Bytes.AsMemory((int)range.Start, (int)range.Length);
    }
}
