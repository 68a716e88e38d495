using System.Buffers;

namespace PeerDist.Retrieval;

/// <summary>
/// MS-PCCRR 2.2.5.4 <c>MSG_SEGLIST</c> (version 2.0): which entries of a <c>MSG_GETSEGLIST</c>'s segment-ID array the
/// hosted cache holds, as SEGMENT_RANGEs over their indexes. Encoded with its TRANSPORT_RESPONSE_HEADER.
/// </summary>
/// <remarks>
/// Whether each range lies inside the request's array is checked by the client that matches the response to its
/// request (MS-PCCRR 3.1.5.5), not by the codec. <see cref="ExtensibleBlob"/> is raw; see <see cref="PccrrSegmentAgeBlob"/>.
/// </remarks>
public readonly struct PccrrSegmentListResponse
{
    /// <summary>Creates the message.</summary>
    /// <exception cref="ArgumentException">The request identifier is not 16 bytes or a range is invalid.</exception>
    public PccrrSegmentListResponse(
        ReadOnlyMemory<byte> requestId,
        ReadOnlyMemory<PccrrSegmentRange> segmentRanges,
        ReadOnlyMemory<byte> extensibleBlob = default,
        PccrrCryptoAlgorithm cryptoAlgorithm = PccrrCryptoAlgorithm.None,
        PccrrVersion? version = null)
    {
        PccrrMessageValidation.ValidateRequestId(requestId.Span, nameof(requestId));
        PccrrMessageValidation.ValidateSegmentRanges(segmentRanges.Span, nameof(segmentRanges));
        RequestId = requestId;
        SegmentRanges = segmentRanges;
        ExtensibleBlob = extensibleBlob;
        CryptoAlgorithm = cryptoAlgorithm;
        Version = version ?? PccrrVersion.V2;
    }

    /// <summary>MESSAGE_HEADER <c>ProtVer</c> (2.0 per MS-PCCRR 2.2.3).</summary>
    public PccrrVersion Version { get; }

    /// <summary>MESSAGE_HEADER <c>CryptoAlgoId</c>.</summary>
    public PccrrCryptoAlgorithm CryptoAlgorithm { get; }

    /// <summary><c>RequestID</c>: the echo of the request's.</summary>
    public ReadOnlyMemory<byte> RequestId { get; }

    /// <summary><c>SegmentRanges</c> (count from <c>SegmentRangeCount</c>); empty when none is held.</summary>
    public ReadOnlyMemory<PccrrSegmentRange> SegmentRanges { get; }

    /// <summary><c>ExtensibleBlob</c> (length <c>SizeOfExtensibleBlob</c>), raw.</summary>
    public ReadOnlyMemory<byte> ExtensibleBlob { get; }

    /// <summary>Decodes one complete response body (TRANSPORT_RESPONSE_HEADER + message); the input must hold exactly that.</summary>
    /// <exception cref="PeerDistFormatException">The bytes are not a valid <c>MSG_SEGLIST</c>.</exception>
    public static PccrrSegmentListResponse Parse(ReadOnlyMemory<byte> response, PccrrReaderOptions? options = null)
    {
        PccrrMessageDecoder.Parse(response, response: true, PccrrMessageType.SegmentList, options, out PccrrMessage decoded);
        return decoded.SegmentList;
    }

    /// <summary>Decodes one complete response body without throwing for bad data.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> response, out PccrrSegmentListResponse value, out PeerDistFormatError error, out long errorOffset)
    {
        bool ok = PccrrMessageDecoder.TryParse(response, response: true, PccrrMessageType.SegmentList, null, out PccrrMessage decoded, out error, out errorOffset);
        value = ok ? decoded.SegmentList : default;
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
        writer.WriteHeader(Version, PccrrMessageType.SegmentList, size, CryptoAlgorithm);
        writer.WriteBytes(RequestId.Span); // MS-PCCRR 2.2.5.4: RequestID
        writer.WriteSegmentRanges(SegmentRanges.Span); // SegmentRangeCount, SegmentRanges
        writer.WriteUInt32((uint)ExtensibleBlob.Length); // SizeOfExtensibleBlob
        writer.WriteBytes(ExtensibleBlob.Span); // ExtensibleBlob (last field: no padding)
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

    internal static bool TryReadBody(ref PccrrFieldReader reader, in PccrrMessageHeader header, out PccrrSegmentListResponse value)
    {
        value = default;
        if (!reader.TryReadMemory(PccrrGetSegmentListRequest.RequestIdLength, out ReadOnlyMemory<byte> requestId) ||
            !reader.TryReadSegmentRanges(out PccrrSegmentRange[] ranges) ||
            !reader.TryReadSizedMemory(out ReadOnlyMemory<byte> blob))
        {
            return false;
        }

        value = new PccrrSegmentListResponse(requestId, ranges, blob, header.CryptoAlgorithm, header.Version);
        return true;
    }

    private int GetMessageSize() =>
        PccrrMessageHeader.Size + PccrrGetSegmentListRequest.RequestIdLength + 4 + (SegmentRanges.Length * PccrrSegmentRange.Size) + 4 + ExtensibleBlob.Length;
}
