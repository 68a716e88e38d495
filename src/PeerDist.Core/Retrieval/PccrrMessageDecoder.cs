using System.Buffers;

namespace PeerDist.Retrieval;

/// <summary>
/// The one status-returning core behind every PCCRR reader: the frame decoder, and each message's Parse/TryParse.
/// Checks run in wire order and every limit is checked on the headers, before the body is waited for.
/// </summary>
internal static class PccrrMessageDecoder
{
    /// <summary>
    /// Decodes the message at the start of <paramref name="input"/>. <see cref="OperationStatus.NeedMoreData"/> means the
    /// bytes so far are a valid beginning; <paramref name="length"/> is the number of input bytes the message occupies.
    /// </summary>
    public static OperationStatus Decode(
        in ReadOnlySequence<byte> input,
        bool response,
        PccrrReaderOptions options,
        out PccrrMessage message,
        out long length,
        out PeerDistFormatError error,
        out long errorOffset)
    {
        message = default;
        length = 0;
        error = PeerDistFormatError.Unknown;
        errorOffset = 0;
        int prefix = response ? PccrrTransportResponseHeader.Size : 0;
        int max = response ? options.MaxResponseMessageSize : options.MaxRequestMessageSize;
        long available = input.Length;

        uint transportSize = 0;
        if (response)
        {
            if (available < PccrrTransportResponseHeader.Size)
            {
                return OperationStatus.NeedMoreData;
            }

            Span<byte> transport = stackalloc byte[PccrrTransportResponseHeader.Size];
            input.Slice(0, PccrrTransportResponseHeader.Size).CopyTo(transport);
            transportSize = PccrrTransportResponseHeader.Read(transport).MessageSize;

            // MS-PCCRR 2.2.2/2.2.3: the size is known after four bytes, so an oversize response is refused before buffering.
            if (transportSize > (uint)max)
            {
                return Fail(PeerDistFormatError.MessageTooLarge, 0, out error, out errorOffset);
            }

            if (transportSize < PccrrMessageHeader.Size)
            {
                return Fail(PeerDistFormatError.MessageSizeMismatch, 0, out error, out errorOffset);
            }
        }

        if (available < prefix + PccrrMessageHeader.Size)
        {
            return OperationStatus.NeedMoreData;
        }

        PccrrMessageHeader header = ReadHeader(input.Slice(prefix, PccrrMessageHeader.Size));

        // MS-PCCRR 2.2.3 MsgType: 0..7; requests are 0, 2, 3, 6 and responses 1, 4, 5, 7.
        if ((uint)header.MessageType > (uint)PccrrMessageType.SegmentList)
        {
            return Fail(PeerDistFormatError.UnknownMessageType, prefix + 4, out error, out errorOffset);
        }

        if (IsResponse(header.MessageType) != response)
        {
            return Fail(PeerDistFormatError.UnexpectedMessageType, prefix + 4, out error, out errorOffset);
        }

        // MS-PCCRR 2.2.3 MsgSize: 16..98,304 (requests) or 16..393,216 (responses); equal to the transport Size.
        if (header.MessageSize < PccrrMessageHeader.Size || (response && header.MessageSize != transportSize))
        {
            return Fail(PeerDistFormatError.MessageSizeMismatch, prefix + 8, out error, out errorOffset);
        }

        if (header.MessageSize > (uint)max)
        {
            return Fail(PeerDistFormatError.MessageTooLarge, prefix + 8, out error, out errorOffset);
        }

        // MS-PCCRR 2.2.3 CryptoAlgoId: 0 (none) or 1..3 (AES-128/192/256).
        if ((uint)header.CryptoAlgorithm > (uint)PccrrCryptoAlgorithm.Aes256)
        {
            return Fail(PeerDistFormatError.InvalidCryptoAlgorithm, prefix + 12, out error, out errorOffset);
        }

        if (available < prefix + header.MessageSize)
        {
            return OperationStatus.NeedMoreData;
        }

        var reader = new PccrrFieldReader(input.Slice(prefix, header.MessageSize), prefix, options.RequireZeroPadding);
        bool ok;
        switch (header.MessageType)
        {
            case PccrrMessageType.NegotiateRequest:
                ok = PccrrNegotiateRequest.TryReadBody(ref reader, header, out PccrrNegotiateRequest m0);
                message = new PccrrMessage(header, m0);
                break;
            case PccrrMessageType.NegotiateResponse:
                ok = PccrrNegotiateResponse.TryReadBody(ref reader, header, out PccrrNegotiateResponse m1);
                message = new PccrrMessage(header, m1);
                break;
            case PccrrMessageType.GetBlockList:
                ok = PccrrGetBlockListRequest.TryReadBody(ref reader, header, out PccrrGetBlockListRequest m2);
                message = new PccrrMessage(header, m2);
                break;
            case PccrrMessageType.GetBlocks:
                ok = PccrrGetBlocksRequest.TryReadBody(ref reader, header, out PccrrGetBlocksRequest m3);
                message = new PccrrMessage(header, m3);
                break;
            case PccrrMessageType.BlockList:
                ok = PccrrBlockListResponse.TryReadBody(ref reader, header, out PccrrBlockListResponse m4);
                message = new PccrrMessage(header, m4);
                break;
            case PccrrMessageType.Block:
                ok = PccrrBlockResponse.TryReadBody(ref reader, header, out PccrrBlockResponse m5);
                message = new PccrrMessage(header, m5);
                break;
            case PccrrMessageType.GetSegmentList:
                ok = PccrrGetSegmentListRequest.TryReadBody(ref reader, header, out PccrrGetSegmentListRequest m6);
                message = new PccrrMessage(header, m6);
                break;
            default:
                ok = PccrrSegmentListResponse.TryReadBody(ref reader, header, out PccrrSegmentListResponse m7);
                message = new PccrrMessage(header, m7);
                break;
        }

        if (!ok)
        {
            message = default;
            return Fail(reader.Error, reader.ErrorOffset, out error, out errorOffset);
        }

        // The fields must account for every byte MsgSize declares.
        if (reader.Remaining != 0)
        {
            message = default;
            return Fail(PeerDistFormatError.TrailingData, reader.Offset, out error, out errorOffset);
        }

        length = prefix + header.MessageSize;
        return OperationStatus.Done;
    }

    /// <summary>Decodes an input that must hold exactly one message of type <paramref name="expected"/>.</summary>
    public static bool TryParse(
        ReadOnlyMemory<byte> input,
        bool response,
        PccrrMessageType expected,
        PccrrReaderOptions? options,
        out PccrrMessage message,
        out PeerDistFormatError error,
        out long errorOffset)
    {
        OperationStatus status = Decode(new ReadOnlySequence<byte>(input), response, options ?? PccrrReaderOptions.Default, out message, out long length, out error, out errorOffset);
        switch (status)
        {
            case OperationStatus.NeedMoreData:
                message = default;
                error = PeerDistFormatError.Truncated;
                errorOffset = input.Length;
                return false;
            case OperationStatus.InvalidData:
                return false;
        }

        if (length != input.Length)
        {
            message = default;
            error = PeerDistFormatError.TrailingData;
            errorOffset = length;
            return false;
        }

        if (message.MessageType != expected)
        {
            message = default;
            error = PeerDistFormatError.UnexpectedMessageType;
            errorOffset = (response ? PccrrTransportResponseHeader.Size : 0) + 4;
            return false;
        }

        return true;
    }

    /// <summary>The throwing form of <see cref="TryParse"/>.</summary>
    public static void Parse(ReadOnlyMemory<byte> input, bool response, PccrrMessageType expected, PccrrReaderOptions? options, out PccrrMessage message)
    {
        if (!TryParse(input, response, expected, options, out message, out PeerDistFormatError error, out long offset))
        {
            ThrowHelper.ThrowFormat(error, offset);
        }
    }

    public static bool IsResponse(PccrrMessageType type) =>
        type is PccrrMessageType.NegotiateResponse or PccrrMessageType.BlockList or PccrrMessageType.Block or PccrrMessageType.SegmentList;

    private static PccrrMessageHeader ReadHeader(in ReadOnlySequence<byte> bytes)
    {
        // Split-header pattern: slice the first span when it holds the whole header, else copy to the stack.
        if (bytes.FirstSpan.Length >= PccrrMessageHeader.Size)
        {
            return PccrrMessageHeader.Read(bytes.FirstSpan);
        }

        Span<byte> copy = stackalloc byte[PccrrMessageHeader.Size];
        bytes.CopyTo(copy);
        return PccrrMessageHeader.Read(copy);
    }

    private static OperationStatus Fail(PeerDistFormatError reason, long offset, out PeerDistFormatError error, out long errorOffset)
    {
        error = reason;
        errorOffset = offset;
        return OperationStatus.InvalidData;
    }
}
