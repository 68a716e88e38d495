using PeerDist.Caching;

namespace PeerDist.Discovery;

/// <summary>
/// The MS-PCCRD 3.2.1 Available Segment List of a node, read live from its <see cref="ContentCache"/>: a segment is held
/// when at least one of its blocks is; version 1.0 reports the number of held blocks, version 2.0 the two-bit availability
/// and the segment age. Looking up does not count as an access of the segment.
/// </summary>
public sealed class ContentCacheSegmentLookup : IPccrdSegmentLookup
{
    private readonly ContentCache _cache;
    private readonly DiscoveryReplyHistory? _history;

    /// <summary>Reads from <paramref name="cache"/>; with <paramref name="history"/> also reports the replies seen when the segment was downloaded.</summary>
    public ContentCacheSegmentLookup(ContentCache cache, DiscoveryReplyHistory? history = null)
    {
        ArgumentNullException.ThrowIfNull(cache);
        _cache = cache;
        _history = history;
    }

    /// <inheritdoc/>
    public bool TryGetSegment(ReadOnlySpan<byte> segmentId, out PccrdHeldSegment segment)
    {
        segment = default;
        if (segmentId.Length is not (32 or 48 or 64) || !_cache.TryGetSegment(segmentId, out SegmentMetadata? metadata))
        {
            return false; // a Probe may name any identifier; only the cache's own lengths can be held
        }

        // Count the held blocks with the bitmap scan (at most 512 blocks per segment, MS-PCCRC 2.3).
        uint held = 0;
        for (int index = _cache.FindHeldBlock(segmentId, 0); index >= 0; index = _cache.FindHeldBlock(segmentId, index + 1))
        {
            held++;
        }

        if (held == 0)
        {
            return false;
        }

        PccrdSegmentAvailability availability = held >= (uint)metadata.BlockCount
            ? PccrdSegmentAvailability.Complete
            : PccrdSegmentAvailability.SomeBlocks;
        TimeSpan? age = _cache.TryGetSegmentAge(segmentId, out TimeSpan value) ? value : null;
        (int replies, int full) = _history?.Get(segmentId) ?? default;
        segment = new PccrdHeldSegment(held, availability, age, replies, full);
        return true;
    }
}
