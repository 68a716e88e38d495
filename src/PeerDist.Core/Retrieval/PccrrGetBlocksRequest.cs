using System.Buffers;

namespace PeerDist.Retrieval;

/// <summary>
/// MS-PCCRR 2.2.4.3 <c>MSG_GETBLKS</c>: asks for one block of one segment.
/// </summary>
/// <remarks>
/// The specification says the ranges MUST describe exactly one block, but a server receiving more SHOULD serve the
/// smallest index and WPTS sends zero ranges expecting an empty <c>MSG_BLK</c>; so the codec accepts any number of valid
/// ranges and leaves the one-block rule to the server. <c>DataForVrfBlock</c> is unused and SHOULD be empty.
/// </remarks>
public readonly struct PccrrGetBlocksRequest
{
    /// <summary>Creates the message.</summary>
    /// <exception cref="ArgumentException">The segment identifier is not 32, 48 or 64 bytes, or a range is invalid.</exception>
    public PccrrGetBlocksRequest(
        ReadOnlyMemory<byte> segmentId,
        PccrrBlockRangeList blockRanges,
        ReadOnlyMemory<byte> dataForVrfBlock = default,
        PccrrCryptoAlgorithm cryptoAlgorithm = PccrrCryptoAlgorithm.Aes128,
        PccrrVersion? version = null)
    {
        PccrrFieldWriter.ValidateSegmentId(segmentId.Span, nameof(segmentId));
        PccrrMessageValidation.ValidateBlockRanges(blockRanges, nameof(blockRanges));
        SegmentId = segmentId;
        BlockRanges = blockRanges;
        DataForVrfBlock = dataForVrfBlock;
        CryptoAlgorithm = cryptoAlgorithm;
        Version = version ?? PccrrVersion.V1;
    }

    /// <summary>MESSAGE_HEADER <c>ProtVer</c> (1.0 per MS-PCCRR 2.2.3, also for V2 content).</summary>
    public PccrrVersion Version { get; }

    /// <summary>MESSAGE_HEADER <c>CryptoAlgoId</c>: the client's preference (SHOULD be AES_128).</summary>
    public PccrrCryptoAlgorithm CryptoAlgorithm { get; }

    /// <summary><c>SegmentID</c> (HoHoDk). When read, a slice of the input, valid until the next read or <c>Advance</c>.</summary>
    public ReadOnlyMemory<byte> SegmentId { get; }

    /// <summary><c>ReqBlockRanges</c> (count from <c>ReqBlockRangeCount</c>).</summary>
    public PccrrBlockRangeList BlockRanges { get; }

    /// <summary><c>DataForVrfBlock</c> (count from <c>SizeOfDataForVrfBlock</c>). When read, a slice of the input.</summary>
    public ReadOnlyMemory<byte> DataForVrfBlock { get; }

    /// <summary>Decodes one complete message; the input must hold exactly that message.</summary>
    /// <exception cref="PeerDistFormatException">The bytes are not a valid <c>MSG_GETBLKS</c>.</exception>
    public static PccrrGetBlocksRequest Parse(ReadOnlyMemory<byte> message, PccrrReaderOptions? options = null)
    {
        PccrrMessageDecoder.Parse(message, response: false, PccrrMessageType.GetBlocks, options, out PccrrMessage decoded);
        return decoded.GetBlocks;
    }

    /// <summary>Decodes one complete message without throwing for bad data.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> message, out PccrrGetBlocksRequest value, out PeerDistFormatError error, out long errorOffset)
    {
        bool ok = PccrrMessageDecoder.TryParse(message, response: false, PccrrMessageType.GetBlocks, null, out PccrrMessage decoded, out error, out errorOffset);
        value = ok ? decoded.GetBlocks : default;
        return ok;
    }

    /// <summary>The number of bytes <see cref="TryWrite"/> writes.</summary>
    public int GetEncodedLength() =>
        PccrrMessageHeader.Size + PccrrFieldWriter.SegmentIdLength(SegmentId.Length) + 4 + (BlockRanges.Length * PccrrBlockRange.Size) + 4 + DataForVrfBlock.Length;

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
        writer.WriteHeader(Version, PccrrMessageType.GetBlocks, length, CryptoAlgorithm);
        writer.WriteSegmentId(SegmentId.Span); // MS-PCCRR 2.2.4.3: SizeOfSegmentID, SegmentID, ZeroPad
        writer.WriteBlockRanges(BlockRanges); // ReqBlockRangeCount, ReqBlockRanges
        writer.WriteUInt32((uint)DataForVrfBlock.Length); // SizeOfDataForVrfBlock
        writer.WriteBytes(DataForVrfBlock.Span); // DataForVrfBlock (last field: no padding)
        writer.AssertComplete(length);
        bytesWritten = length;
        return true;
    }

    /// <summary>Encodes the message with one <c>GetSpan</c>/<c>Advance</c>.</summary>
    public void Write(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        TryWrite(writer.GetSpan(GetEncodedLength()), out int written);
        writer.Advance(written);
    }

    internal static bool TryReadBody(ref PccrrFieldReader reader, in PccrrMessageHeader header, out PccrrGetBlocksRequest value)
    {
        value = default;
        if (!reader.TryReadSegmentId(out ReadOnlyMemory<byte> segmentId) ||
            !reader.TryReadBlockRanges(out PccrrBlockRangeList ranges) ||
            !reader.TryReadSizedMemory(out ReadOnlyMemory<byte> vrf))
        {
            return false;
        }

        value = new PccrrGetBlocksRequest(segmentId, ranges, vrf, header.CryptoAlgorithm, header.Version);
        return true;
    }
}
