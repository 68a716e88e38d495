using System.Buffers;
using PeerDist.Cryptography;

namespace PeerDist.Content;

public sealed partial class ContentInformationBuilder
{
    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            ThrowHelper.ThrowInvalidOperation("The builder has completed; create a new one for more content.");
        }
    }

    /// <summary>
    /// The gathering buffer <paramref name="index"/>, rented on first use: a builder fed only through
    /// <see cref="Append(ReadOnlyMemory{byte})"/> never needs them.
    /// </summary>
    private byte[] GetBuffer(int index) => _buffers[index] ??= ArrayPool<byte>.Shared.Rent(BufferLength);

    /// <summary>Gives the buffers back once no hashing can read them (content bytes only: nothing secret to wipe).</summary>
    private void ReturnBuffers()
    {
        for (int i = 0; i < _buffers.Length; i++)
        {
            if (_buffers[i] is { } buffer)
            {
                _buffers[i] = null;
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Takes the hashes of a finished batch, in content order.</summary>
    private void Commit(UnitBatch batch)
    {
        for (int i = 0; i < batch.Count; i++)
        {
            int length = batch.Lengths[i];
            ReadOnlySpan<byte> hash = batch.Hashes.AsSpan(i * _digestLength, _digestLength);
            if (_v1 is not null)
            {
                _v1.AddBlock(hash, length, _segments);
            }
            else
            {
                // V2 (MS-PCCRC 2.4.1.2): HoD = T(segment bytes), Kp = T(HMAC(Ks, HoD)); one 64-byte array holds both.
                byte[] values = new byte[2 * _digestLength];
                hash.CopyTo(values);
                batch.Secrets.AsSpan(i * _digestLength, _digestLength).CopyTo(values.AsSpan(_digestLength));
                ReadOnlyMemory<byte> hod = values.AsMemory(0, _digestLength);
                _segments.Add(new ContentSegment(_algorithm, _segments.Count, _committedBytes, length, length, hod, values.AsMemory(_digestLength), 0, hod));
            }

            _committedBytes += length;
        }

        batch.Clear();
    }

    /// <summary>The units (blocks or segments) cut from one buffer, and room for their hashes.</summary>
    private sealed class UnitBatch(int capacity, int digestLength)
    {
        public int[] Offsets { get; } = new int[capacity];

        public int[] Lengths { get; } = new int[capacity];

        public byte[] Hashes { get; } = new byte[capacity * digestLength];

        public byte[] Secrets { get; } = new byte[capacity * digestLength];

        public int Count { get; private set; }

        public void Add(int offset, int length)
        {
            Offsets[Count] = offset;
            Lengths[Count] = length;
            Count++;
        }

        public void Clear() => Count = 0;
    }

    /// <summary>Collects V1 block hashes into 32 MiB segments (MS-PCCRC 2.3.1.1).</summary>
    private sealed class SegmentAccumulatorV1(ContentHashAlgorithm algorithm, byte[] serverKey)
    {
        private readonly int _digestLength = algorithm.GetDigestLength();
        private byte[] _hashes = new byte[PeerDistConstants.MaxBlocksPerSegment * algorithm.GetDigestLength()];
        private int _blocks;
        private int _length;
        private long _offset;

        public void AddBlock(ReadOnlySpan<byte> hash, int length, List<ContentSegment> segments)
        {
            hash.CopyTo(_hashes.AsSpan(_blocks * _digestLength));
            _blocks++;
            _length += length;
            if (_blocks == PeerDistConstants.MaxBlocksPerSegment)
            {
                Close(segments);
            }
        }

        public void Finish(List<ContentSegment> segments)
        {
            if (_blocks > 0)
            {
                Close(segments);
            }
        }

        private void Close(List<ContentSegment> segments)
        {
            // HoD = H(every block hash of the segment); Kp = HMAC(Ks, HoD) (MS-PCCRC 2.2). One array holds both.
            byte[] hashes = _blocks == PeerDistConstants.MaxBlocksPerSegment ? _hashes : _hashes[..(_blocks * _digestLength)];
            byte[] keys = new byte[2 * _digestLength];
            PeerDistKeyDerivation.ComputeHashOfData(algorithm, hashes, keys.AsSpan(0, _digestLength));
            PeerDistKeyDerivation.ComputeSegmentSecret(algorithm, serverKey, keys.AsSpan(0, _digestLength), keys.AsSpan(_digestLength));
            segments.Add(new ContentSegment(
                algorithm,
                segments.Count,
                _offset,
                _length,
                PeerDistConstants.BlockSize,
                keys.AsMemory(0, _digestLength),
                keys.AsMemory(_digestLength),
                0,
                hashes));
            _offset += _length;
            _hashes = new byte[PeerDistConstants.MaxBlocksPerSegment * _digestLength];
            _blocks = 0;
            _length = 0;
        }
    }
}
