using System.Buffers;

namespace PeerDist.Retrieval;

/// <summary>
/// MS-PCCRR 2.2.5.2 <c>MSG_BLKLIST</c>: the requested blocks of one segment the server holds. Encoded with its
/// TRANSPORT_RESPONSE_HEADER. An empty <see cref="BlockRanges"/> means none of them (or a busy server).
/// </summary>
public readonly struct PccrrBlockListResponse
{
    /// <summary>Creates the message.</summary>
    /// <exception cref="ArgumentException">The segment identifier is not 32, 48 or 64 bytes, a range is invalid, or the next index is above 511.</exception>
    public PccrrBlockListResponse(
        ReadOnlyMemory<byte> segmentId,
        PccrrBlockRangeList blockRanges,
        uint nextBlockIndex,
        PccrrCryptoAlgorithm cryptoAlgorithm = PccrrCryptoAlgorithm.None,
        PccrrVersion? version = null)
    {
        PccrrFieldWriter.ValidateSegmentId(segmentId.Span, nameof(segmentId));
        PccrrMessageValidation.ValidateBlockRanges(blockRanges, nameof(blockRanges));
        PccrrMessageValidation.ValidateBlockIndex(nextBlockIndex, nameof(nextBlockIndex));
        SegmentId = segmentId;
        BlockRanges = blockRanges;
        NextBlockIndex = nextBlockIndex;
        CryptoAlgorithm = cryptoAlgorithm;
        Version = version ?? PccrrVersion.V1;
    }

    /// <summary>MESSAGE_HEADER <c>ProtVer</c> (1.0 per MS-PCCRR 2.2.3).</summary>
    public PccrrVersion Version { get; }

    /// <summary>MESSAGE_HEADER <c>CryptoAlgoId</c>.</summary>
    public PccrrCryptoAlgorithm CryptoAlgorithm { get; }

    /// <summary><c>SegmentId</c>. When read, a slice of the input, valid until the next read or <c>Advance</c>.</summary>
    public ReadOnlyMemory<byte> SegmentId { get; }

    /// <summary><c>BlockRanges</c> (count from <c>BlockRangeCount</c>).</summary>
    public PccrrBlockRangeList BlockRanges { get; }

    /// <summary><c>NextBlockIndex</c>: the first available block after the requested ones, 0 when none.</summary>
    public uint NextBlockIndex { get; }

    /// <summary>Decodes one complete response body (TRANSPORT_RESPONSE_HEADER + message); the input must hold exactly that.</summary>
    /// <exception cref="PeerDistFormatException">The bytes are not a valid <c>MSG_BLKLIST</c>.</exception>
    public static PccrrBlockListResponse Parse(ReadOnlyMemory<byte> response, PccrrReaderOptions? options = null)
    {
        PccrrMessageDecoder.Parse(response, response: true, PccrrMessageType.BlockList, options, out PccrrMessage decoded);
        return decoded.BlockList;
    }

    /// <summary>Decodes one complete response body without throwing for bad data.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> response, out PccrrBlockListResponse value, out PeerDistFormatError error, out long errorOffset)
    {
        bool ok = PccrrMessageDecoder.TryParse(response, response: true, PccrrMessageType.BlockList, null, out PccrrMessage decoded, out error, out errorOffset);
        value = ok ? decoded.BlockList : default;
        return ok;
    }

    /// <summary>The number of bytes <see cref="TryWrite"/> writes, TRANSPORT_RESPONSE_HEADER included.</summary>
    public int GetEncodedLength() => PccrrTransportResponseHeader.Size + GetMessageSize();

    /// <summary>Encodes TRANSPORT_RESPONSE_HEADER + message; false (nothing written) when <paramref name="destination"/> is too small.</summary>
    public bool TryWrite(Span<byte> destination, out int bytesWritten)
    {
        int size = GetMessageSize();
        if (destination.Length < PccrrTransportResponseHeader.Size + size)
        {
            bytesWritten = 0;
            return false;
        }

        new PccrrTransportResponseHeader((uint)size).Write(destination);
        var writer = new PccrrFieldWriter(destination[PccrrTransportResponseHeader.Size..]);
        writer.WriteHeader(Version, PccrrMessageType.BlockList, size, CryptoAlgorithm);
        writer.WriteSegmentId(SegmentId.Span); // MS-PCCRR 2.2.5.2: SizeOfSegmentId, SegmentId, ZeroPad
        writer.WriteBlockRanges(BlockRanges); // BlockRangeCount, BlockRanges
        writer.WriteUInt32(NextBlockIndex); // NextBlockIndex
        writer.AssertComplete(size);
        bytesWritten = PccrrTransportResponseHeader.Size + size;
        return true;
    }

    /// <summary>Encodes the response with one <c>GetSpan</c>/<c>Advance</c>.</summary>
    public void Write(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        TryWrite(writer.GetSpan(GetEncodedLength()), out int written);
        writer.Advance(written);
    }

    internal static bool TryReadBody(ref PccrrFieldReader reader, in PccrrMessageHeader header, out PccrrBlockListResponse value)
    {
        value = default;
        if (!reader.TryReadSegmentId(out ReadOnlyMemory<byte> segmentId) ||
            !reader.TryReadBlockRanges(out PccrrBlockRangeList ranges) ||
            !reader.TryReadBlockIndex(out uint next))
        {
            return false;
        }

        value = new PccrrBlockListResponse(segmentId, ranges, next, header.CryptoAlgorithm, header.Version);
        return true;
    }

    private int GetMessageSize() =>
        PccrrMessageHeader.Size + PccrrFieldWriter.SegmentIdLength(SegmentId.Length) + 4 + (BlockRanges.Length * PccrrBlockRange.Size) + 4;
}
