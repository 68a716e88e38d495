using PeerDist.Caching;
using PeerDist.Content;
using PeerDist.Discovery;
using PeerDist.Tests.Caching;

namespace PeerDist.Tests.Discovery;

/// <summary>The Available Segment List (MS-PCCRD 3.2.1) read from a <see cref="ContentCache"/>: held block counts, availability, age.</summary>
public sealed class ContentCacheSegmentLookupTests
{
    [Test]
    public void TryGetSegment_V1PartlyHeld_CountsHeldBlocksAsSomeBlocks()
    {
        TestContent content = TestContent.Create((5 * 64 * 1024) + 7, ContentInformationVersion.V1, seed: 21);
        ContentSegment segment = content.Segments[0];
        var time = new FakeTimeProvider();
        using var cache = new MemoryContentCache(new ContentCacheOptions { TimeProvider = time });
        cache.RegisterSegment(segment);
        foreach (int block in new[] { 0, 2, 5 })
        {
            Assert.That(cache.PutBlock(segment.SegmentId.Span, block, content.Block(segment, block).Span), Is.EqualTo(BlockPutResult.Stored));
        }

        time.Advance(TimeSpan.FromSeconds(90));
        var lookup = new ContentCacheSegmentLookup(cache);

        bool found = lookup.TryGetSegment(segment.SegmentId.Span, out PccrdHeldSegment held);

        Assert.That(found, Is.True);
        Assert.That(held, Is.EqualTo(new PccrdHeldSegment(3, PccrdSegmentAvailability.SomeBlocks, TimeSpan.FromSeconds(90))));
    }

    [Test]
    public void TryGetSegment_EveryBlockHeld_Complete()
    {
        TestContent content = TestContent.Create(3 * 64 * 1024, ContentInformationVersion.V1, seed: 22);
        ContentSegment segment = content.Segments[0];
        using var cache = new MemoryContentCache();
        cache.RegisterSegment(segment);
        for (int i = 0; i < segment.BlockCount; i++)
        {
            cache.PutBlock(segment.SegmentId.Span, i, content.Block(segment, i).Span);
        }

        new ContentCacheSegmentLookup(cache).TryGetSegment(segment.SegmentId.Span, out PccrdHeldSegment held);

        Assert.That((held.BlockCount, held.Availability), Is.EqualTo((3u, PccrdSegmentAvailability.Complete)));
    }

    [Test]
    public void TryGetSegment_V2SegmentHeld_OneBlockComplete()
    {
        TestContent content = TestContent.Create(200 * 1024, ContentInformationVersion.V2, seed: 23);
        ContentSegment segment = content.Segments[1];
        using var cache = new MemoryContentCache();
        cache.RegisterSegment(segment);
        cache.PutBlock(segment.SegmentId.Span, 0, content.Block(segment, 0).Span);

        bool found = new ContentCacheSegmentLookup(cache).TryGetSegment(segment.SegmentId.Span, out PccrdHeldSegment held);

        Assert.That((found, held.BlockCount, held.Availability), Is.EqualTo((true, 1u, PccrdSegmentAvailability.Complete)));
    }

    [Test]
    public void TryGetSegment_UnknownRegisteredEmptyOrOddLength_NotHeld()
    {
        TestContent content = TestContent.Create(64 * 1024, ContentInformationVersion.V1, seed: 24);
        ContentSegment segment = content.Segments[0];
        using var cache = new MemoryContentCache();
        var lookup = new ContentCacheSegmentLookup(cache);

        bool unknown = lookup.TryGetSegment(segment.SegmentId.Span, out _);
        cache.RegisterSegment(segment);
        bool empty = lookup.TryGetSegment(segment.SegmentId.Span, out _);
        bool odd = lookup.TryGetSegment(new byte[20], out _);

        Assert.That((unknown, empty, odd), Is.EqualTo((false, false, false)));
    }
}
