namespace PeerDist.Content;

/// <summary>A half-open range of content bytes, [<see cref="Start"/>, <see cref="End"/>).</summary>
/// <param name="Start">The first byte of the range.</param>
/// <param name="Length">The number of bytes in the range.</param>
public readonly record struct ContentRange(long Start, long Length)
{
    /// <summary>One past the last byte of the range.</summary>
    public long End => Start + Length;

    /// <summary>Whether the range holds no bytes.</summary>
    public bool IsEmpty => Length == 0;

    /// <summary>Creates the range [<paramref name="start"/>, <paramref name="end"/>).</summary>
    public static ContentRange FromBounds(long start, long end) => new(start, end - start);

    /// <summary>Whether the two ranges share at least one byte.</summary>
    public bool Intersects(ContentRange other) => Start < other.End && other.Start < End;

    /// <summary>The bytes both ranges hold (empty at <see cref="Start"/> when they do not meet).</summary>
    public ContentRange Intersect(ContentRange other)
    {
        long start = Math.Max(Start, other.Start);
        long end = Math.Min(End, other.End);
        return end > start ? FromBounds(start, end) : new ContentRange(start, 0);
    }

    /// <summary>Whether <paramref name="offset"/> is inside the range.</summary>
    public bool Contains(long offset) => offset >= Start && offset < End;

    /// <inheritdoc />
    public override string ToString() => $"[{Start}, {End})";
}
