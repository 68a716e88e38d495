using System.Buffers;
using System.Buffers.Binary;

namespace PeerDist.Retrieval;

/// <summary>
/// Walks the body of one complete PCCRR message (MS-PCCRR 2.2: big-endian DWORDs, variable fields followed by
/// <c>ZeroPad</c> to the next 4-byte boundary relative to the start of the message). Every method checks the declared
/// length against the bytes left in the message before it touches them, and records the first failure with its offset.
/// </summary>
internal ref struct PccrrFieldReader
{
    /// <summary>The smallest encoded SEGMENT_ID entry (SizeOfSegmentID + a 32-byte identifier), used to bound counts.</summary>
    internal const int MinSegmentIdEntryLength = 4 + 32;

    private readonly long _messageOffset;
    private readonly bool _requireZeroPadding;
    private SequenceReader<byte> _reader;

    /// <summary>Creates a reader over <paramref name="message"/> (header included) positioned after the header.</summary>
    public PccrrFieldReader(ReadOnlySequence<byte> message, long messageOffset, bool requireZeroPadding)
    {
        _reader = new SequenceReader<byte>(message);
        _reader.Advance(PccrrMessageHeader.Size);
        _messageOffset = messageOffset;
        _requireZeroPadding = requireZeroPadding;
        Error = PeerDistFormatError.Unknown;
        ErrorOffset = 0;
    }

    /// <summary>The first failure, or <see cref="PeerDistFormatError.Unknown"/>.</summary>
    public PeerDistFormatError Error { get; private set; }

    /// <summary>The input offset of the first failure.</summary>
    public long ErrorOffset { get; private set; }

    /// <summary>The offset of the next byte in the caller's input (transport header included for responses).</summary>
    public readonly long Offset => _messageOffset + _reader.Consumed;

    /// <summary>The bytes left in the message.</summary>
    public readonly long Remaining => _reader.Remaining;

    public bool Fail(PeerDistFormatError error, long offset)
    {
        Error = error;
        ErrorOffset = offset;
        return false;
    }

    public bool TryReadUInt32(out uint value)
    {
        if (!_reader.TryReadBigEndian(out int raw))
        {
            value = 0;
            return Fail(PeerDistFormatError.MessageSizeMismatch, Offset);
        }

        value = (uint)raw;
        return true;
    }

    /// <summary>Slices <paramref name="length"/> bytes without copying.</summary>
    public bool TryReadSequence(uint length, out ReadOnlySequence<byte> bytes)
    {
        if (length > _reader.Remaining)
        {
            bytes = default;
            return Fail(PeerDistFormatError.MessageSizeMismatch, Offset);
        }

        bytes = _reader.UnreadSequence.Slice(0, length);
        _reader.Advance(length);
        return true;
    }

    /// <summary>Slices <paramref name="length"/> bytes; copies only when they straddle two buffer segments.</summary>
    public bool TryReadMemory(uint length, out ReadOnlyMemory<byte> bytes)
    {
        if (!TryReadSequence(length, out ReadOnlySequence<byte> sequence))
        {
            bytes = default;
            return false;
        }

        bytes = sequence.IsSingleSegment ? sequence.First : sequence.ToArray();
        return true;
    }

    /// <summary>Skips <c>ZeroPad</c>: <c>(-position) &amp; 3</c> bytes, position relative to the start of the message.</summary>
    public bool TrySkipPadding()
    {
        int padding = (int)(-_reader.Consumed & 3);
        if (padding > _reader.Remaining)
        {
            return Fail(PeerDistFormatError.MessageSizeMismatch, Offset);
        }

        if (_requireZeroPadding)
        {
            for (int i = 0; i < padding; i++)
            {
                _reader.TryPeek(i, out byte b);
                if (b != 0)
                {
                    return Fail(PeerDistFormatError.NonZeroPadding, Offset + i);
                }
            }
        }

        _reader.Advance(padding);
        return true;
    }

    /// <summary>
    /// <c>SizeOfSegmentID</c>, <c>SegmentID</c>, <c>ZeroPad</c> (MS-PCCRR 2.2.4.2). The size must be 32, 48 or 64: Windows
    /// only serves 32-byte (SHA-256) identifiers (MS-PCCRR appendix notes 3 and 5), but a segment identifier is a digest
    /// of the content information's hash algorithm, so the three digest sizes of MS-PCCRC 2.3 are accepted.
    /// </summary>
    public bool TryReadSegmentId(out ReadOnlyMemory<byte> segmentId)
    {
        segmentId = default;
        long sizeOffset = Offset;
        if (!TryReadUInt32(out uint size))
        {
            return false;
        }

        if (!PccrrFieldWriter.IsValidSegmentIdLength(size))
        {
            return Fail(PeerDistFormatError.InvalidSegmentIdLength, sizeOffset);
        }

        return TryReadMemory(size, out segmentId) && TrySkipPadding();
    }

    /// <summary>
    /// A count DWORD then that many BLOCK_RANGEs (MS-PCCRR 2.2.1.1), the count checked against the bytes left and every
    /// range validated; the result is a view over the encoded ranges (no copy when the input is one segment).
    /// </summary>
    public bool TryReadBlockRanges(out PccrrBlockRangeList ranges)
    {
        ranges = default;
        if (!TryReadUInt32(out uint count))
        {
            return false;
        }

        if ((ulong)count * PccrrBlockRange.Size > (ulong)_reader.Remaining)
        {
            return Fail(PeerDistFormatError.MessageSizeMismatch, Offset);
        }

        long start = Offset;
        Span<byte> entry = stackalloc byte[PccrrBlockRange.Size];
        SequenceReader<byte> probe = _reader;
        for (long i = 0; i < count; i++)
        {
            _ = probe.TryCopyTo(entry);
            probe.Advance(PccrrBlockRange.Size);
            var range = new PccrrBlockRange(BinaryPrimitives.ReadUInt32BigEndian(entry), BinaryPrimitives.ReadUInt32BigEndian(entry[4..]));
            if (!range.IsValid)
            {
                return Fail(PeerDistFormatError.InvalidBlockRange, start + (i * PccrrBlockRange.Size));
            }
        }

        if (!TryReadMemory(count * PccrrBlockRange.Size, out ReadOnlyMemory<byte> encoded))
        {
            return false;
        }

        ranges = PccrrBlockRangeList.FromEncoded(encoded);
        return true;
    }

    /// <summary>A count DWORD then that many SEGMENT_RANGEs (MS-PCCRR 2.2.1.2), the count checked before allocating.</summary>
    public bool TryReadSegmentRanges(out PccrrSegmentRange[] ranges)
    {
        ranges = [];
        if (!TryReadUInt32(out uint count))
        {
            return false;
        }

        if ((ulong)count * PccrrSegmentRange.Size > (ulong)_reader.Remaining)
        {
            return Fail(PeerDistFormatError.MessageSizeMismatch, Offset);
        }

        PccrrSegmentRange[] result = count == 0 ? [] : new PccrrSegmentRange[count];
        for (int i = 0; i < result.Length; i++)
        {
            long at = Offset;
            _ = TryReadUInt32(out uint index);
            _ = TryReadUInt32(out uint segments);
            var range = new PccrrSegmentRange(index, segments);
            if (!range.IsValid)
            {
                return Fail(PeerDistFormatError.InvalidSegmentRange, at);
            }

            result[i] = range;
        }

        ranges = result;
        return true;
    }

    /// <summary>A block index field (<c>BlockIndex</c>, <c>NextBlockIndex</c>): 0..511 (MS-PCCRR 2.2.1.1, 512 blocks per segment).</summary>
    public bool TryReadBlockIndex(out uint index)
    {
        long at = Offset;
        if (!TryReadUInt32(out index))
        {
            return false;
        }

        return index < PeerDistConstants.MaxBlocksPerSegment || Fail(PeerDistFormatError.InvalidBlockRange, at);
    }

    /// <summary>A length DWORD followed by that many bytes (no padding).</summary>
    public bool TryReadSizedMemory(out ReadOnlyMemory<byte> bytes)
    {
        bytes = default;
        return TryReadUInt32(out uint size) && TryReadMemory(size, out bytes);
    }
}
