using System.Buffers;

namespace PeerDist.Retrieval;

/// <summary>
/// Pulls whole PCCRR messages out of a byte stream (a pipe's <see cref="ReadOnlySequence{T}"/>): requests as they arrive
/// in an HTTP request body, responses with their TRANSPORT_RESPONSE_HEADER as they arrive in a response body.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="OperationStatus.Done"/>: one message was decoded; <c>consumed</c> = <c>examined</c> = the position after it
/// (taken from <see cref="ReadOnlySequence{T}.GetPosition(long)"/>, so a second message in the same buffer stays
/// unread). <see cref="OperationStatus.NeedMoreData"/>: the bytes so far are a valid beginning; <c>consumed</c> = start,
/// <c>examined</c> = end. <see cref="OperationStatus.InvalidData"/>: <c>error</c> and <c>errorOffset</c> (relative to
/// the start of <c>input</c>) say why; nothing is consumed.
/// </para>
/// <para>
/// Limits are checked on the headers before the body is waited for: a declared size above the options' maximum is
/// <see cref="PeerDistFormatError.MessageTooLarge"/> after at most 16 (request) or 4 (response) bytes. The decoded
/// message's byte fields are slices of <c>input</c>: valid until the next read or <c>AdvanceTo</c>.
/// </para>
/// </remarks>
public static class PccrrFrameDecoder
{
    /// <summary>Decodes one request message (<c>MSG_NEGO_REQ</c>, <c>MSG_GETBLKLIST</c>, <c>MSG_GETBLKS</c>, <c>MSG_GETSEGLIST</c>).</summary>
    public static OperationStatus TryReadRequest(
        in ReadOnlySequence<byte> input,
        PccrrReaderOptions? options,
        out PccrrMessage message,
        out SequencePosition consumed,
        out SequencePosition examined,
        out PeerDistFormatError error,
        out long errorOffset) =>
        Read(input, response: false, options, out message, out consumed, out examined, out error, out errorOffset);

    /// <summary>Decodes one TRANSPORT_RESPONSE_HEADER + response message (<c>MSG_NEGO_RESP</c>, <c>MSG_BLKLIST</c>, <c>MSG_BLK</c>, <c>MSG_SEGLIST</c>).</summary>
    public static OperationStatus TryReadResponse(
        in ReadOnlySequence<byte> input,
        PccrrReaderOptions? options,
        out PccrrMessage message,
        out SequencePosition consumed,
        out SequencePosition examined,
        out PeerDistFormatError error,
        out long errorOffset) =>
        Read(input, response: true, options, out message, out consumed, out examined, out error, out errorOffset);

    private static OperationStatus Read(
        in ReadOnlySequence<byte> input,
        bool response,
        PccrrReaderOptions? options,
        out PccrrMessage message,
        out SequencePosition consumed,
        out SequencePosition examined,
        out PeerDistFormatError error,
        out long errorOffset)
    {
        OperationStatus status = PccrrMessageDecoder.Decode(input, response, options ?? PccrrReaderOptions.Default, out message, out long length, out error, out errorOffset);
        switch (status)
        {
            case OperationStatus.Done:
                consumed = input.GetPosition(length);
                examined = consumed;
                break;
            case OperationStatus.NeedMoreData:
                consumed = input.Start;
                examined = input.End;
                break;
            default:
                consumed = input.Start;
                examined = input.End;
                break;
        }

        return status;
    }
}
