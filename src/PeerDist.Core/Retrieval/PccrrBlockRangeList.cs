using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace PeerDist.Retrieval;

/// <summary>
/// A read-only list of MS-PCCRR 2.2.1.1 <c>BLOCK_RANGE</c>s: either ranges the caller built, or a view over the encoded
/// ranges of a decoded message (pairs of big-endian DWORDs, validated by the decoder). The view is what lets the server
/// decode <c>MSG_GETBLKS</c> and <c>MSG_GETBLKLIST</c> without allocating; it is valid as long as the decoded input is.
/// </summary>
/// <remarks>
/// Build one from an array, a <see cref="ReadOnlyMemory{T}"/> or a collection expression (<c>[new(0, 4)]</c>). Read it
/// with the indexer, <c>foreach</c> (a struct enumerator) or <see cref="CopyTo"/>.
/// </remarks>
[CollectionBuilder(typeof(PccrrBlockRangeList), nameof(Create))]
public readonly struct PccrrBlockRangeList : IEquatable<PccrrBlockRangeList>
{
    private readonly ReadOnlyMemory<PccrrBlockRange> _ranges;
    private readonly ReadOnlyMemory<byte> _encoded;
    private readonly bool _isEncoded;

    /// <summary>Wraps ranges the caller built (not copied, not validated here; the message constructors validate).</summary>
    public PccrrBlockRangeList(ReadOnlyMemory<PccrrBlockRange> ranges)
    {
        _ranges = ranges;
    }

    private PccrrBlockRangeList(ReadOnlyMemory<byte> encoded)
    {
        _encoded = encoded;
        _isEncoded = true;
    }

    /// <summary>The empty list.</summary>
    public static PccrrBlockRangeList Empty => default;

    /// <summary>The number of ranges.</summary>
    public int Length => _isEncoded ? _encoded.Length / PccrrBlockRange.Size : _ranges.Length;

    /// <summary>Whether there are no ranges.</summary>
    public bool IsEmpty => Length == 0;

    /// <summary>The range at <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside 0..<see cref="Length"/>-1.</exception>
    public PccrrBlockRange this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Length, nameof(index));
            return _isEncoded ? ReadEncoded(_encoded.Span, index) : _ranges.Span[index];
        }
    }

    /// <summary>Wraps an array (not copied).</summary>
    public static implicit operator PccrrBlockRangeList(PccrrBlockRange[]? ranges) => new(ranges);

    /// <summary>Wraps a memory region (not copied).</summary>
    public static implicit operator PccrrBlockRangeList(ReadOnlyMemory<PccrrBlockRange> ranges) => new(ranges);

    /// <summary>Equality of the ranges, element by element (not of the representation).</summary>
    public static bool operator ==(PccrrBlockRangeList left, PccrrBlockRangeList right) => left.Equals(right);

    /// <summary>Inequality of the ranges.</summary>
    public static bool operator !=(PccrrBlockRangeList left, PccrrBlockRangeList right) => !left.Equals(right);

    /// <summary>The collection-expression builder: copies <paramref name="ranges"/> into a new array.</summary>
    public static PccrrBlockRangeList Create(ReadOnlySpan<PccrrBlockRange> ranges) => new(ranges.ToArray());

    /// <summary>Wraps an array (not copied); the named form of the implicit conversion.</summary>
    public static PccrrBlockRangeList FromArray(PccrrBlockRange[]? ranges) => new(ranges);

    /// <summary>Wraps a memory region (not copied); the named form of the implicit conversion.</summary>
    public static PccrrBlockRangeList FromReadOnlyMemory(ReadOnlyMemory<PccrrBlockRange> ranges) => new(ranges);

    /// <summary>A struct enumerator over the ranges.</summary>
    public Enumerator GetEnumerator() => new(this);

    /// <summary>Copies the ranges into <paramref name="destination"/> (at least <see cref="Length"/> long).</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public void CopyTo(Span<PccrrBlockRange> destination)
    {
        if (destination.Length < Length)
        {
            ThrowHelper.ThrowArgument("The destination is shorter than the list.", nameof(destination));
        }

        if (!_isEncoded)
        {
            _ranges.Span.CopyTo(destination);
            return;
        }

        ReadOnlySpan<byte> encoded = _encoded.Span;
        for (int i = 0; i < destination.Length && i < Length; i++)
        {
            destination[i] = ReadEncoded(encoded, i);
        }
    }

    /// <summary>A new array holding the ranges.</summary>
    public PccrrBlockRange[] ToArray()
    {
        if (IsEmpty)
        {
            return [];
        }

        var result = new PccrrBlockRange[Length];
        CopyTo(result);
        return result;
    }

    /// <inheritdoc/>
    public bool Equals(PccrrBlockRangeList other)
    {
        if (Length != other.Length)
        {
            return false;
        }

        for (int i = 0; i < Length; i++)
        {
            if (this[i] != other[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is PccrrBlockRangeList other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (PccrrBlockRange range in this)
        {
            hash.Add(range);
        }

        return hash.ToHashCode();
    }

    /// <summary>The ranges as text, e.g. <c>[0+4, 9+1]</c> (index + count).</summary>
    public override string ToString()
    {
        var text = new System.Text.StringBuilder("[");
        foreach (PccrrBlockRange range in this)
        {
            if (text.Length > 1)
            {
                text.Append(", ");
            }

            text.Append(range.Index).Append('+').Append(range.Count);
        }

        return text.Append(']').ToString();
    }

    /// <summary>A view over encoded ranges the caller has validated (length a multiple of 8, every range valid).</summary>
    internal static PccrrBlockRangeList FromEncoded(ReadOnlyMemory<byte> encoded) => new(encoded);

    private static PccrrBlockRange ReadEncoded(ReadOnlySpan<byte> encoded, int index)
    {
        ReadOnlySpan<byte> entry = encoded.Slice(index * PccrrBlockRange.Size, PccrrBlockRange.Size);
        return new PccrrBlockRange(BinaryPrimitives.ReadUInt32BigEndian(entry), BinaryPrimitives.ReadUInt32BigEndian(entry[4..]));
    }

    /// <summary>Enumerates a <see cref="PccrrBlockRangeList"/> without allocating.</summary>
    public struct Enumerator
    {
        private readonly PccrrBlockRangeList _list;
        private int _index;

        internal Enumerator(PccrrBlockRangeList list)
        {
            _list = list;
            _index = -1;
        }

        /// <summary>The current range.</summary>
        public readonly PccrrBlockRange Current => _list[_index];

        /// <summary>Moves to the next range.</summary>
        public bool MoveNext() => ++_index < _list.Length;
    }
}
