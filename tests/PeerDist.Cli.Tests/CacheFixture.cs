using PeerDist.Caching;
using PeerDist.Content;
using PeerDist.Tests.Shared;

namespace PeerDist.Cli.Tests;

/// <summary>
/// Content hashed by the tool itself (<c>peerdist hash</c>), and cache directories filled with its blocks through the
/// cache's own API, so the cache commands have something real to work on.
/// </summary>
internal sealed class CacheFixture
{
    private CacheFixture(byte[] content, string ciPath, ContentInformation information)
    {
        Content = content;
        CiPath = ciPath;
        Information = information;
    }

    public byte[] Content { get; }

    public string CiPath { get; }

    public ContentInformation Information { get; }

    public int BlockCount => Information.Segments.Sum(s => s.BlockCount);

    public static async Task<CacheFixture> CreateAsync(TempDirectory temp, string name, ulong seed, int length, bool v2 = false)
    {
        byte[] content = PseudoRandomContent.Create(seed, length);
        string contentPath = temp.Write(name, content);
        string ciPath = temp.File(name + ".ci");
        string[] args = v2
            ? ["hash", contentPath, "--passphrase", "cache tests", "--v2", "-o", ciPath]
            : ["hash", contentPath, "--passphrase", "cache tests", "-o", ciPath];
        CliResult hashed = await Cli.RunAsync(args);
        Assert.That(hashed.ExitCode, Is.Zero, hashed.ToString());
        return new CacheFixture(content, ciPath, ContentInformation.Parse(await File.ReadAllBytesAsync(ciPath)));
    }

    /// <summary>Puts every block of the content into the cache directory <paramref name="path"/>.</summary>
    public void Fill(string path)
    {
        Directory.CreateDirectory(path);
        using var cache = new FileContentCache(new ContentCacheOptions { RootPath = path, MaxSizeBytes = 1L << 30 });
        foreach (ContentSegment segment in Information.Segments)
        {
            cache.RegisterSegment(segment);
            for (int block = 0; block < segment.BlockCount; block++)
            {
                ContentRange range = segment.GetBlockRange(block);
                Assert.That(cache.PutBlock(segment.SegmentId.Span, block, Content.AsSpan((int)range.Start, (int)range.Length)), Is.EqualTo(BlockPutResult.Stored));
            }
        }
    }

    /// <summary>Asserts the cache directory holds every block of the content, byte for byte.</summary>
    public void AssertHeldBy(string path)
    {
        using var cache = new FileContentCache(new ContentCacheOptions { RootPath = path, MaxSizeBytes = 1L << 30 });
        foreach (ContentSegment segment in Information.Segments)
        {
            for (int block = 0; block < segment.BlockCount; block++)
            {
                ContentRange range = segment.GetBlockRange(block);
                byte[] read = new byte[range.Length];
                BlockReadResult result = cache.ReadBlock(segment.SegmentId.Span, block, read);
                Assert.That(result.IsSuccess, Is.True, $"block {block} of a segment");
                ByteAssert.AreEqual(read, Content.AsSpan((int)range.Start, (int)range.Length), $"block {block}");
            }
        }
    }
}
