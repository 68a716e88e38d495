using System.Buffers.Binary;
using System.Security.Cryptography;

namespace PeerDist.Tests.Shared;

/// <summary>
/// Deterministic pseudo-random content, generated on the fly and addressable at any offset: piece k (1 MiB) is
/// AES-128-ECB of a fixed counter block sequence under the key seed ‖ k. AES-NI makes it far cheaper than a managed
/// generator in a Debug build, and unlike the mod-251 pattern it has no short period for a content-defined chunker to
/// lock onto.
/// </summary>
/// <remarks>Shared by the segmentation and builder tests; one instance per thread (it holds an <see cref="Aes"/>).</remarks>
internal sealed class PseudoRandomContent : IDisposable
{
    public const int PieceLength = 1 << 20;

    private static readonly byte[] s_counters = CreateCounters();
    private readonly Aes _aes = Aes.Create();
    private readonly byte[] _key = new byte[16];
    private readonly byte[] _piece = new byte[PieceLength];
    private readonly ulong _seed;
    private long _cachedPiece = -1;

    public PseudoRandomContent(ulong seed) => _seed = seed;

    /// <summary><paramref name="length"/> bytes from offset 0 of the sequence for <paramref name="seed"/>.</summary>
    public static byte[] Create(ulong seed, int length)
    {
        byte[] bytes = new byte[length];
        using var generator = new PseudoRandomContent(seed);
        generator.Fill(0, bytes);
        return bytes;
    }

    /// <summary>A read-only, non-seekable stream of the first <paramref name="length"/> bytes of the sequence.</summary>
    public static Stream CreateStream(ulong seed, long length) => new GeneratorStream(new PseudoRandomContent(seed), length);

    /// <summary>Writes the bytes at [<paramref name="offset"/>, + destination length) of the sequence.</summary>
    public void Fill(long offset, Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            long piece = offset / PieceLength;
            int at = (int)(offset % PieceLength);
            int count = Math.Min(destination.Length, PieceLength - at);
            if (count == PieceLength)
            {
                Generate(piece, destination[..count]);
            }
            else
            {
                if (_cachedPiece != piece)
                {
                    Generate(piece, _piece);
                    _cachedPiece = piece;
                }

                _piece.AsSpan(at, count).CopyTo(destination);
            }

            destination = destination[count..];
            offset += count;
        }
    }

    public void Dispose() => _aes.Dispose();

    private void Generate(long piece, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_key, _seed);
        BinaryPrimitives.WriteInt64LittleEndian(_key.AsSpan(8), piece);
        _aes.Key = _key;
        _aes.EncryptEcb(s_counters, destination, PaddingMode.None);
    }

    private static byte[] CreateCounters()
    {
        byte[] counters = new byte[PieceLength];
        for (int i = 0; i < PieceLength / 16; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(counters.AsSpan(i * 16), i);
        }

        return counters;
    }

    private sealed class GeneratorStream(PseudoRandomContent generator, long length) : ForwardOnlyStream
    {
        private long _position;

        public override long Length => length;

        public override long Position => _position;

        public override int Read(Span<byte> buffer)
        {
            int count = (int)Math.Min(buffer.Length, length - _position);
            generator.Fill(_position, buffer[..count]);
            _position += count;
            return count;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                generator.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
