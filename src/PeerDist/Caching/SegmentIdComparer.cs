namespace PeerDist.Caching;

/// <summary>
/// Compares segment identifiers by content, and lets the index be searched with a span so a lookup allocates nothing.
/// Hashing uses <see cref="HashCode.AddBytes"/>, which is seeded per process, so identifiers chosen by a peer cannot be
/// aimed at one bucket.
/// </summary>
internal sealed class SegmentIdComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static SegmentIdComparer Instance { get; } = new();

    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    public int GetHashCode(ReadOnlySpan<byte> alternate)
    {
        var hash = default(HashCode);
        hash.AddBytes(alternate);
        return hash.ToHashCode();
    }

    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
}
