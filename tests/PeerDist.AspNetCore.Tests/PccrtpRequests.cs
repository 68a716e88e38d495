using System.Security.Cryptography;
using PeerDist.Content;
using PeerDist.Cryptography;

namespace PeerDist.AspNetCore.Tests;

/// <summary>Request builders with the header forms of wire.md §4.4, and independent checks of a content information body.</summary>
internal static class PccrtpRequests
{
    public const int BlockSize = 64 * 1024;

    /// <summary>A GET (or other method) with the given raw header lines, added without validation so they go out exactly as written.</summary>
    public static HttpRequestMessage Create(string path, params (string Name, string Value)[] headers) => Create(HttpMethod.Get, path, headers);

    public static HttpRequestMessage Create(HttpMethod method, string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, path);
        foreach ((string name, string value) in headers)
        {
            Assert.That(request.Headers.TryAddWithoutValidation(name, value), Is.True, name);
        }

        return request;
    }

    /// <summary>The spec example's V2 client (wire.md §4.4): Version=1.1 and the 1.0..2.0 window.</summary>
    public static (string, string)[] V2Client(bool hashRequest = false) =>
    [
        ("Accept-Encoding", "gzip, deflate, peerdist"),
        ("X-P2P-PeerDist", "Version=1.1"),
        ("X-P2P-PeerDistEx", hashRequest
            ? "MinContentInformation=1.0, MaxContentInformation=2.0, HashRequest=true"
            : "MinContentInformation=1.0, MaxContentInformation=2.0"),
    ];

    /// <summary>A Windows 7 style client: Version=1.0, no X-P2P-PeerDistEx (V1 only).</summary>
    public static (string, string)[] V1Client() =>
    [
        ("Accept-Encoding", "gzip, deflate, peerdist"),
        ("X-P2P-PeerDist", "Version=1.0"),
    ];

    public static byte[] CreateContent(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>
    /// Parses <paramref name="body"/>, checks it describes <paramref name="range"/> of <paramref name="file"/>, that
    /// every listed V1 block hash is SHA-256 of that 64 KiB block of the file (computed here, independently of the
    /// library), and that the library's verifier finds no mismatch with the secret.
    /// </summary>
    public static async Task<ContentInformation> AssertDescribesAsync(byte[] body, byte[] file, ContentRange range, ContentInformationVersion version, ServerSecret secret)
    {
        ContentInformation info = ContentInformation.Parse(body);
        ContentVerificationResult result = await ContentInformationVerifier.VerifyAsync(info, new MemoryStream(file), secret);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(info.Version, Is.EqualTo(version));
            Assert.That(info.Range, Is.EqualTo(range));
            Assert.That(result.IsMatch, Is.True, result.ToString());
            if (version == ContentInformationVersion.V1)
            {
                foreach (ContentSegment segment in info.Segments)
                {
                    for (int i = segment.FirstListedBlockIndex; i < segment.FirstListedBlockIndex + segment.ListedBlockCount; i++)
                    {
                        long offset = segment.Offset + ((long)i * BlockSize);
                        int length = (int)Math.Min(BlockSize, file.Length - offset);
                        byte[] expected = SHA256.HashData(file.AsSpan((int)offset, length));
                        Assert.That(segment.GetBlockHash(i).ToArray(), Is.EqualTo(expected), $"block {i} of segment {segment.Index}");
                    }
                }
            }
        }

        return info;
    }
}
