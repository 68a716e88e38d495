using System.Buffers;

namespace PeerDist.Retrieval;

/// <summary>
/// MS-PCCRR 2.2.4.2 <c>MSG_GETBLKLIST</c>: asks which of the given blocks of one segment the server holds.
/// </summary>
/// <remarks>
/// <see cref="BlockRanges"/> may be empty on the wire (a server answers with an empty <c>MSG_BLKLIST</c>); the
/// "effective 1..256 ranges" of 2.2.4.2 is a server policy, not a syntax rule, so the codec does not enforce it.
/// </remarks>
public readonly struct PccrrGetBlockListRequest
{
    /// <summary>Creates the message.</summary>
    /// <exception cref="ArgumentException">The segment identifier is not 32, 48 or 64 bytes, or a range is invalid.</exception>
    public PccrrGetBlockListRequest(
        ReadOnlyMemory<byte> segmentId,
        PccrrBlockRangeList blockRanges,
        PccrrCryptoAlgorithm cryptoAlgorithm = PccrrCryptoAlgorithm.Aes128,
        PccrrVersion? version = null)
    {
        PccrrFieldWriter.ValidateSegmentId(segmentId.Span, nameof(segmentId));
        PccrrMessageValidation.ValidateBlockRanges(blockRanges, nameof(blockRanges));
        SegmentId = segmentId;
        BlockRanges = blockRanges;
        CryptoAlgorithm = cryptoAlgorithm;
        Version = version ?? PccrrVersion.V1;
    }

    /// <summary>MESSAGE_HEADER <c>ProtVer</c> (1.0 per MS-PCCRR 2.2.3).</summary>
    public PccrrVersion Version { get; }

    /// <summary>MESSAGE_HEADER <c>CryptoAlgoId</c>: the client's preference.</summary>
    public PccrrCryptoAlgorithm CryptoAlgorithm { get; }

    /// <summary><c>SegmentID</c> (HoHoDk). When read, a slice of the input, valid until the next read or <c>Advance</c>.</summary>
    public ReadOnlyMemory<byte> SegmentId { get; }

    /// <summary><c>NeededBlockRanges</c> (count from <c>NeededBlocksRangeCount</c>).</summary>
    public PccrrBlockRangeList BlockRanges { get; }

    /// <summary>Decodes one complete message; the input must hold exactly that message.</summary>
    /// <exception cref="PeerDistFormatException">The bytes are not a valid <c>MSG_GETBLKLIST</c>.</exception>
    public static PccrrGetBlockListRequest Parse(ReadOnlyMemory<byte> message, PccrrReaderOptions? options = null)
    {
        PccrrMessageDecoder.Parse(message, response: false, PccrrMessageType.GetBlockList, options, out PccrrMessage decoded);
        return decoded.GetBlockList;
    }

    /// <summary>Decodes one complete message without throwing for bad data.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> message, out PccrrGetBlockListRequest value, out PeerDistFormatError error, out long errorOffset)
    {
        bool ok = PccrrMessageDecoder.TryParse(message, response: false, PccrrMessageType.GetBlockList, null, out PccrrMessage decoded, out error, out errorOffset);
        value = ok ? decoded.GetBlockList : default;
        return ok;
    }

    /// <summary>The number of bytes <see cref="TryWrite"/> writes.</summary>
    public int GetEncodedLength() =>
        PccrrMessageHeader.Size + PccrrFieldWriter.SegmentIdLength(SegmentId.Length) + 4 + (BlockRanges.Length * PccrrBlockRange.Size);

    /// <summary>Encodes the message; false (nothing written) when <paramref name="destination"/> is too small.</summary>
    public bool TryWrite(Span<byte> destination, out int bytesWritten)
    {
        int length = GetEncodedLength();
        if (destination.Length < length)
        {
            bytesWritten = 0;
            return false;
        }

        var writer = new PccrrFieldWriter(destination);
        writer.WriteHeader(Version, PccrrMessageType.GetBlockList, length, CryptoAlgorithm);
        writer.WriteSegmentId(SegmentId.Span); // MS-PCCRR 2.2.4.2: SizeOfSegmentID, SegmentID, ZeroPad
        writer.WriteBlockRanges(BlockRanges); // NeededBlocksRangeCount, NeededBlockRanges
        writer.AssertComplete(length);
        bytesWritten = length;
        return true;
    }

    /// <summary>Encodes the message with one <c>GetSpan</c>/<c>Advance</c>.</summary>
    public void Write(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int length = GetEncodedLength();
        TryWrite(writer.GetSpan(length), out int written);
        writer.Advance(written);
    }

    internal static bool TryReadBody(ref PccrrFieldReader reader, in PccrrMessageHeader header, out PccrrGetBlockListRequest value)
    {
        value = default;
        if (!reader.TryReadSegmentId(out ReadOnlyMemory<byte> segmentId) || !reader.TryReadBlockRanges(out PccrrBlockRangeList ranges))
        {
            return false;
        }

        value = new PccrrGetBlockListRequest(segmentId, ranges, header.CryptoAlgorithm, header.Version);
        return true;
    }
}
