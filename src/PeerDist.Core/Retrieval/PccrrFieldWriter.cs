using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;

namespace PeerDist.Retrieval;

/// <summary>Writes PCCRR fields (big-endian DWORDs, bytes, zero padding relative to the start of the message) into a span sized in advance.</summary>
internal ref struct PccrrFieldWriter
{
    private readonly Span<byte> _message;
    private int _position;

    /// <summary>Creates a writer whose padding is computed relative to the start of <paramref name="message"/>.</summary>
    public PccrrFieldWriter(Span<byte> message)
    {
        _message = message;
        _position = 0;
    }

    public readonly int Position => _position;

    public static bool IsValidSegmentIdLength(uint length) => length is 32 or 48 or 64;

    /// <summary>The ZeroPad length after a field that ends at <paramref name="position"/> (relative to the message start).</summary>
    public static int Padding(long position) => (int)(-position & 3);

    /// <summary>The encoded length of SizeOfSegmentID + SegmentID + ZeroPad at a 4-aligned position.</summary>
    public static int SegmentIdLength(int idLength) => 4 + idLength + Padding(idLength);

    public static void ValidateSegmentId(ReadOnlySpan<byte> segmentId, string paramName)
    {
        if (!IsValidSegmentIdLength((uint)segmentId.Length))
        {
            ThrowHelper.ThrowArgument("A segment identifier is 32, 48 or 64 bytes.", paramName);
        }
    }

    public void WriteHeader(PccrrVersion version, PccrrMessageType type, int messageSize, PccrrCryptoAlgorithm algorithm)
    {
        new PccrrMessageHeader(version, type, (uint)messageSize, algorithm).Write(_message[_position..]);
        _position += PccrrMessageHeader.Size;
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_message[_position..], value); // MS-PCCRR 2.2.1: DWORDs are big-endian
        _position += 4;
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_message[_position..]);
        _position += bytes.Length;
    }

    public void WriteBytes(in ReadOnlySequence<byte> bytes)
    {
        bytes.CopyTo(_message[_position..]);
        _position += (int)bytes.Length;
    }

    /// <summary>Reserves <paramref name="length"/> bytes for the caller to fill in place (an encrypted block).</summary>
    public Span<byte> Reserve(int length)
    {
        Span<byte> span = _message.Slice(_position, length);
        _position += length;
        return span;
    }

    public void WritePadding()
    {
        int padding = Padding(_position);
        _message.Slice(_position, padding).Clear();
        _position += padding;
    }

    public void WriteSegmentId(ReadOnlySpan<byte> segmentId)
    {
        WriteUInt32((uint)segmentId.Length); // SizeOfSegmentID
        WriteBytes(segmentId); // SegmentID
        WritePadding(); // ZeroPad
    }

    public void WriteBlockRanges(PccrrBlockRangeList ranges)
    {
        WriteUInt32((uint)ranges.Length);
        foreach (PccrrBlockRange range in ranges)
        {
            WriteUInt32(range.Index);
            WriteUInt32(range.Count);
        }
    }

    public void WriteSegmentRanges(ReadOnlySpan<PccrrSegmentRange> ranges)
    {
        WriteUInt32((uint)ranges.Length);
        foreach (PccrrSegmentRange range in ranges)
        {
            WriteUInt32(range.Index);
            WriteUInt32(range.Count);
        }
    }

    [Conditional("DEBUG")]
    public readonly void AssertComplete(int expected) => Debug.Assert(_position == expected, "The encoded length disagrees with the bytes written.");
}
