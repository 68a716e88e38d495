using System.Buffers;

namespace PeerDist.Client;

/// <summary>
/// The verified bytes of one fetched block in a pooled buffer, shared by reference count between the fetch that produced
/// them and the content's ready set; the buffer goes back to the pool when the last holder releases it.
/// </summary>
internal sealed class BlockData
{
    private readonly Lock _gate = new();
    private readonly ArrayPool<byte> _pool;
    private byte[]? _buffer;
    private int _references = 1;

    private BlockData(ArrayPool<byte> pool, byte[] buffer, int length)
    {
        _pool = pool;
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    /// <summary>The bytes; only valid while the caller holds a reference.</summary>
    public Memory<byte> Memory => _buffer.AsMemory(0, Length);

    /// <summary>A block buffer of <paramref name="length"/> bytes from <paramref name="pool"/> with one reference (the caller's).</summary>
    public static BlockData Rent(ArrayPool<byte> pool, int length) => new(pool, pool.Rent(length), length);

    /// <summary>Takes another reference; false when the buffer is already gone.</summary>
    public bool TryAddReference()
    {
        lock (_gate)
        {
            if (_buffer is null)
            {
                return false;
            }

            _references++;
            return true;
        }
    }

    public void Release()
    {
        byte[]? free = null;
        lock (_gate)
        {
            if (_buffer is not null && --_references == 0)
            {
                free = _buffer;
                _buffer = null;
            }
        }

        if (free is not null)
        {
            _pool.Return(free);
        }
    }
}
