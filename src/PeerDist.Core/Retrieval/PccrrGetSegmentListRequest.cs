using System.Buffers;

namespace PeerDist.Retrieval;

/// <summary>
/// MS-PCCRR 2.2.4.4 <c>MSG_GETSEGLIST</c> (version 2.0): asks a hosted cache which of the listed segments it holds.
/// </summary>
/// <remarks>
/// The codec accepts an empty segment list (a policy check for the server). <see cref="ExtensibleBlob"/> is kept as raw
/// bytes: MS-PCCRR 2.2.6 says a malformed blob is discarded, not the message, so read it with
/// <see cref="PccrrSegmentAgeBlob.TryRead"/> and ignore it when that fails.
/// </remarks>
public readonly struct PccrrGetSegmentListRequest
{
    /// <summary>The length of <c>RequestID</c>.</summary>
    public const int RequestIdLength = 16;

    /// <summary>Creates the message.</summary>
    /// <exception cref="ArgumentException">The request identifier is not 16 bytes or a segment identifier is not 32, 48 or 64 bytes.</exception>
    public PccrrGetSegmentListRequest(
        ReadOnlyMemory<byte> requestId,
        ReadOnlyMemory<ReadOnlyMemory<byte>> segmentIds,
        ReadOnlyMemory<byte> extensibleBlob = default,
        PccrrCryptoAlgorithm cryptoAlgorithm = PccrrCryptoAlgorithm.Aes128,
        PccrrVersion? version = null)
    {
        PccrrMessageValidation.ValidateRequestId(requestId.Span, nameof(requestId));
        foreach (ReadOnlyMemory<byte> id in segmentIds.Span)
        {
            PccrrFieldWriter.ValidateSegmentId(id.Span, nameof(segmentIds));
        }

        RequestId = requestId;
        SegmentIds = segmentIds;
        ExtensibleBlob = extensibleBlob;
        CryptoAlgorithm = cryptoAlgorithm;
        Version = version ?? PccrrVersion.V2;
    }

    /// <summary>MESSAGE_HEADER <c>ProtVer</c> (2.0 per MS-PCCRR 2.2.3).</summary>
    public PccrrVersion Version { get; }

    /// <summary>MESSAGE_HEADER <c>CryptoAlgoId</c>.</summary>
    public PccrrCryptoAlgorithm CryptoAlgorithm { get; }

    /// <summary><c>RequestID</c>: 16 opaque bytes the response echoes.</summary>
    public ReadOnlyMemory<byte> RequestId { get; }

    /// <summary>The <c>SegmentID</c>s (count from <c>CountOfSegmentIDs</c>). When read, slices of the input.</summary>
    public ReadOnlyMemory<ReadOnlyMemory<byte>> SegmentIds { get; }

    /// <summary><c>ExtensibleBlob</c> (length <c>SizeOfExtensibleBlob</c>), raw; see <see cref="PccrrSegmentAgeBlob"/>.</summary>
    public ReadOnlyMemory<byte> ExtensibleBlob { get; }

    /// <summary>Decodes one complete message; the input must hold exactly that message.</summary>
    /// <exception cref="PeerDistFormatException">The bytes are not a valid <c>MSG_GETSEGLIST</c>.</exception>
    public static PccrrGetSegmentListRequest Parse(ReadOnlyMemory<byte> message, PccrrReaderOptions? options = null)
    {
        PccrrMessageDecoder.Parse(message, response: false, PccrrMessageType.GetSegmentList, options, out PccrrMessage decoded);
        return decoded.GetSegmentList;
    }

    /// <summary>Decodes one complete message without throwing for bad data.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> message, out PccrrGetSegmentListRequest value, out PeerDistFormatError error, out long errorOffset)
    {
        bool ok = PccrrMessageDecoder.TryParse(message, response: false, PccrrMessageType.GetSegmentList, null, out PccrrMessage decoded, out error, out errorOffset);
        value = ok ? decoded.GetSegmentList : default;
        return ok;
    }

    /// <summary>The number of bytes <see cref="TryWrite"/> writes.</summary>
    public int GetEncodedLength()
    {
        int length = PccrrMessageHeader.Size + RequestIdLength + 4;
        foreach (ReadOnlyMemory<byte> id in SegmentIds.Span)
        {
            length += PccrrFieldWriter.SegmentIdLength(id.Length);
        }

        return length + 4 + ExtensibleBlob.Length;
    }

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
        writer.WriteHeader(Version, PccrrMessageType.GetSegmentList, length, CryptoAlgorithm);
        writer.WriteBytes(RequestId.Span); // MS-PCCRR 2.2.4.4: RequestID
        writer.WriteUInt32((uint)SegmentIds.Length); // CountOfSegmentIDs
        foreach (ReadOnlyMemory<byte> id in SegmentIds.Span)
        {
            writer.WriteSegmentId(id.Span); // SizeOfSegmentID, SegmentID, ZeroPad
        }

        writer.WriteUInt32((uint)ExtensibleBlob.Length); // SizeOfExtensibleBlob
        writer.WriteBytes(ExtensibleBlob.Span); // ExtensibleBlob (last field: no padding)
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

    internal static bool TryReadBody(ref PccrrFieldReader reader, in PccrrMessageHeader header, out PccrrGetSegmentListRequest value)
    {
        value = default;
        if (!reader.TryReadMemory(RequestIdLength, out ReadOnlyMemory<byte> requestId) || !reader.TryReadUInt32(out uint count))
        {
            return false;
        }

        // Each entry takes at least SizeOfSegmentID + 32 bytes: bound the count by the bytes left before allocating.
        if ((ulong)count * PccrrFieldReader.MinSegmentIdEntryLength > (ulong)reader.Remaining)
        {
            return reader.Fail(PeerDistFormatError.MessageSizeMismatch, reader.Offset);
        }

        ReadOnlyMemory<byte>[] ids = count == 0 ? [] : new ReadOnlyMemory<byte>[count];
        for (int i = 0; i < ids.Length; i++)
        {
            if (!reader.TryReadSegmentId(out ids[i]))
            {
                return false;
            }
        }

        if (!reader.TryReadSizedMemory(out ReadOnlyMemory<byte> blob))
        {
            return false;
        }

        value = new PccrrGetSegmentListRequest(requestId, ids, blob, header.CryptoAlgorithm, header.Version);
        return true;
    }
}
