using System.Buffers;

namespace PeerDist.Transport.Http;

/// <summary>Result of one <see cref="ChunkedBodyDecoder.Decode"/> step.</summary>
internal enum ChunkedDecodeStatus
{
    Done = 0,
    NeedMoreData,
    Invalid,
    TooLarge,
}

/// <summary>
/// Resumable decoder for the chunked transfer coding (RFC 9112 7.1). Each call consumes what it could
/// process (chunk data is copied out as it arrives) and keeps its place in the fields, so a slow sender
/// is never re-parsed from the start. Chunk extensions and trailer fields are skipped.
/// </summary>
internal struct ChunkedBodyDecoder
{
    /// <summary>A chunk-size line longer than this (size plus extensions) is rejected.</summary>
    private const int MaxSizeLineBytes = 1024;

    private State _state;
    private long _remaining;
    private long _decoded;
    private long _trailerBytes;

    private enum State
    {
        SizeLine = 0,
        Data,
        DataEnd,
        Trailer,
        Done,
    }

    public readonly long DecodedLength => _decoded;

    public ChunkedDecodeStatus Decode(
        ReadOnlySequence<byte> input,
        IBufferWriter<byte> output,
        long maxBodyBytes,
        long maxTrailerBytes,
        out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(input);
        ChunkedDecodeStatus status = DecodeCore(ref reader, output, maxBodyBytes, maxTrailerBytes);
        consumed = reader.Position;
        return status;
    }

    private ChunkedDecodeStatus DecodeCore(ref SequenceReader<byte> reader, IBufferWriter<byte> output, long maxBodyBytes, long maxTrailerBytes)
    {
        while (true)
        {
            switch (_state)
            {
                case State.SizeLine:
                {
                    if (!reader.TryReadTo(out ReadOnlySequence<byte> line, HttpAscii.Lf))
                    {
                        return reader.Remaining > MaxSizeLineBytes ? ChunkedDecodeStatus.Invalid : ChunkedDecodeStatus.NeedMoreData;
                    }

                    if (line.Length > MaxSizeLineBytes || !TryParseSize(line, out long size))
                    {
                        return ChunkedDecodeStatus.Invalid;
                    }

                    if (size > maxBodyBytes - _decoded)
                    {
                        return ChunkedDecodeStatus.TooLarge;
                    }

                    _remaining = size;
                    _state = size == 0 ? State.Trailer : State.Data;
                    break;
                }

                case State.Data:
                {
                    long take = Math.Min(reader.Remaining, _remaining);
                    if (take == 0)
                    {
                        return ChunkedDecodeStatus.NeedMoreData;
                    }

                    ReadOnlySequence<byte> data = reader.UnreadSequence.Slice(0, take);
                    foreach (ReadOnlyMemory<byte> segment in data)
                    {
                        output.Write(segment.Span);
                    }

                    reader.Advance(take);
                    _remaining -= take;
                    _decoded += take;
                    if (_remaining == 0)
                    {
                        _state = State.DataEnd;
                    }

                    break;
                }

                case State.DataEnd:
                {
                    if (reader.Remaining < 2)
                    {
                        return ChunkedDecodeStatus.NeedMoreData;
                    }

                    if (!reader.IsNext("\r\n"u8, advancePast: true))
                    {
                        return ChunkedDecodeStatus.Invalid;
                    }

                    _state = State.SizeLine;
                    break;
                }

                case State.Trailer:
                {
                    if (!reader.TryReadTo(out ReadOnlySequence<byte> line, HttpAscii.Lf))
                    {
                        return _trailerBytes + reader.Remaining > maxTrailerBytes ? ChunkedDecodeStatus.Invalid : ChunkedDecodeStatus.NeedMoreData;
                    }

                    _trailerBytes += line.Length + 1;
                    if (_trailerBytes > maxTrailerBytes || line.IsEmpty || !EndsWithCr(line))
                    {
                        return ChunkedDecodeStatus.Invalid;
                    }

                    if (line.Length == 1)
                    {
                        _state = State.Done;
                        return ChunkedDecodeStatus.Done;
                    }

                    break;
                }

                default:
                    return ChunkedDecodeStatus.Done;
            }
        }
    }

    private static bool EndsWithCr(ReadOnlySequence<byte> line) =>
        line.Slice(line.Length - 1).FirstSpan[0] == HttpAscii.Cr;

    /// <summary>chunk-size = 1*HEXDIG, then optional BWS and ";ext", then CR (the LF is already gone).</summary>
    private static bool TryParseSize(ReadOnlySequence<byte> line, out long size)
    {
        size = 0;
        if (line.IsEmpty || !EndsWithCr(line))
        {
            return false;
        }

        var reader = new SequenceReader<byte>(line.Slice(0, line.Length - 1));
        int digits = 0;
        while (reader.TryPeek(out byte b))
        {
            int value = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
                _ => -1,
            };
            if (value < 0)
            {
                break;
            }

            if (++digits > 15)
            {
                return false;
            }

            size = (size << 4) | (uint)value;
            reader.Advance(1);
        }

        if (digits == 0)
        {
            return false;
        }

        // Anything after the digits must be whitespace followed by a chunk extension.
        while (reader.TryPeek(out byte b) && (b == HttpAscii.Space || b == HttpAscii.Tab))
        {
            reader.Advance(1);
        }

        if (reader.End)
        {
            return true;
        }

        if (!reader.TryPeek(out byte next) || next != (byte)';')
        {
            return false;
        }

        foreach (ReadOnlyMemory<byte> segment in reader.UnreadSequence)
        {
            if (!HttpAscii.IsFieldValue(segment.Span))
            {
                return false;
            }
        }

        return true;
    }
}
