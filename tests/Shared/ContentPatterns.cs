namespace PeerDist.Tests.Shared;

/// <summary>Content generated on the fly, so no large file is stored: the vectors' pattern content[i] = i mod 251.</summary>
public static class ContentPatterns
{
    /// <summary>content[i] = i mod 251 for i in [0, <paramref name="length"/>).</summary>
    public static byte[] Mod251(int length)
    {
        byte[] bytes = new byte[length];
        FillMod251(bytes, 0);
        return bytes;
    }

    /// <summary>Fills <paramref name="destination"/> with the pattern as it stands at content offset <paramref name="offset"/>.</summary>
    public static void FillMod251(Span<byte> destination, long offset)
    {
        int value = (int)(offset % 251);
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = (byte)value;
            value = value == 250 ? 0 : value + 1;
        }
    }

    /// <summary>A read-only, non-seekable stream of <paramref name="length"/> pattern bytes that never stores them.</summary>
    public static Stream Mod251Stream(long length) => new PatternStream(length);

    private sealed class PatternStream(long length) : ForwardOnlyStream
    {
        // One period-aligned tile makes each read a few block copies instead of a byte loop.
        private static readonly byte[] s_tile = CreateTile();
        private long _position;

        public override long Length => length;

        public override long Position => _position;

        public override int Read(Span<byte> buffer)
        {
            int total = (int)Math.Min(buffer.Length, length - _position);
            Span<byte> target = buffer[..total];
            while (!target.IsEmpty)
            {
                int phase = (int)(_position % 251);
                int n = Math.Min(target.Length, s_tile.Length - phase);
                s_tile.AsSpan(phase, n).CopyTo(target);
                target = target[n..];
                _position += n;
            }

            return total;
        }

        private static byte[] CreateTile()
        {
            byte[] tile = new byte[251 * 4096];
            FillMod251(tile, 0);
            return tile;
        }
    }
}
