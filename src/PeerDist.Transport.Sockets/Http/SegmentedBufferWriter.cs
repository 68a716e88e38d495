using System.Buffers;

namespace PeerDist.Transport.Http;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over a list of pooled arrays that never copies what was written:
/// when a segment is full the next one is rented, and the segments go to the socket as one gather send.
/// This is how block payloads reach the wire without an intermediate <c>byte[]</c>.
/// </summary>
internal sealed class SegmentedBufferWriter : IBufferWriter<byte>, IDisposable
{
    private const int MinimumSegmentSize = 16 * 1024;

    private readonly List<byte[]> _segments = [];
    private readonly List<int> _lengths = [];
    private long _written;

    public long WrittenCount => _written;

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0)
        {
            return;
        }

        int last = _segments.Count - 1;
        if (last < 0 || _segments[last].Length - _lengths[last] < count)
        {
            HttpThrowHelper.ThrowInvalidOperation("Advance past the memory returned by GetMemory.");
        }

        _lengths[last] += count;
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        (byte[] segment, int used) = Ensure(sizeHint);
        return segment.AsMemory(used);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        (byte[] segment, int used) = Ensure(sizeHint);
        return segment.AsSpan(used);
    }

    /// <summary>Appends the written segments to <paramref name="destination"/> for a gather send.</summary>
    public void AddTo(List<ArraySegment<byte>> destination)
    {
        for (int i = 0; i < _segments.Count; i++)
        {
            if (_lengths[i] != 0)
            {
                destination.Add(new ArraySegment<byte>(_segments[i], 0, _lengths[i]));
            }
        }
    }

    /// <summary>Returns every segment to the pool and starts empty.</summary>
    public void Reset()
    {
        foreach (byte[] segment in _segments)
        {
            ArrayPool<byte>.Shared.Return(segment);
        }

        _segments.Clear();
        _lengths.Clear();
        _written = 0;
    }

    public void Dispose() => Reset();

    private (byte[] Segment, int Used) Ensure(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        int last = _segments.Count - 1;
        if (last >= 0 && _segments[last].Length - _lengths[last] >= needed)
        {
            return (_segments[last], _lengths[last]);
        }

        byte[] segment = ArrayPool<byte>.Shared.Rent(Math.Max(needed, MinimumSegmentSize));
        _segments.Add(segment);
        _lengths.Add(0);
        return (segment, 0);
    }
}
