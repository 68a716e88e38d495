namespace PeerDist.Discovery;

/// <summary>
/// What this node saw when it looked for peers itself: per segment, how many ProbeMatches it received and how many offered
/// the whole segment. The node's responder uses it for the Windows 7 reply-suppression rule (MS-PCCRD note &lt;8&gt;,
/// wire.md §2.5): a segment many others already hold in full is answered less often. Thread-safe and bounded.
/// </summary>
/// <remarks>
/// Repeated lookups of the same segment keep the largest counts one lookup saw (a cooperative download probes the same
/// segments every half second: adding up would soon count the same few peers ten times over and silence this node). When <see cref="Capacity"/> segments are known the history is
/// cleared and starts again (the rule then simply answers, the safe side).
/// </remarks>
public sealed class DiscoveryReplyHistory
{
    /// <summary>The default number of segments remembered.</summary>
    public const int DefaultCapacity = 65_536;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, (int Replies, int Full)> _entries = new(StringComparer.Ordinal);

    /// <summary>Creates an empty history holding at most <paramref name="capacity"/> segments.</summary>
    public DiscoveryReplyHistory(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    /// <summary>The most segments remembered.</summary>
    public int Capacity { get; }

    /// <summary>Records one lookup's <paramref name="replies"/> ProbeMatches, <paramref name="fullReplies"/> of them for the whole segment (the larger counts stay).</summary>
    public void Add(ReadOnlySpan<byte> segmentId, int replies, int fullReplies)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(replies);
        ArgumentOutOfRangeException.ThrowIfNegative(fullReplies);
        string key = Convert.ToHexString(segmentId);
        lock (_gate)
        {
            _entries.TryGetValue(key, out (int Replies, int Full) current);
            if (current == default && _entries.Count >= Capacity)
            {
                _entries.Clear();
            }

            _entries[key] = (Math.Max(current.Replies, replies), Math.Max(current.Full, fullReplies));
        }
    }

    /// <summary>The counts for a segment; (0, 0) when none were recorded.</summary>
    public (int Replies, int FullReplies) Get(ReadOnlySpan<byte> segmentId)
    {
        string key = Convert.ToHexString(segmentId);
        lock (_gate)
        {
            return _entries.TryGetValue(key, out (int Replies, int Full) value) ? value : default;
        }
    }
}
