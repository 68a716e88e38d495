using System.Buffers;

namespace PeerDist.Retrieval;

/// <summary>
/// MS-PCCRR 2.2.5.1 <c>MSG_NEGO_RESP</c>: the protocol versions the server supports. Sent for <c>MSG_NEGO_REQ</c> and for
/// any request whose major version the server does not support. Encoded with its TRANSPORT_RESPONSE_HEADER.
/// </summary>
public readonly struct PccrrNegotiateResponse
{
    /// <summary>The encoded length: TRANSPORT_RESPONSE_HEADER + MESSAGE_HEADER + two ProtVer DWORDs.</summary>
    public const int EncodedLength = PccrrTransportResponseHeader.Size + PccrrMessageHeader.Size + 8;

    /// <summary>Creates the message.</summary>
    public PccrrNegotiateResponse(
        PccrrVersion minSupportedVersion,
        PccrrVersion maxSupportedVersion,
        PccrrCryptoAlgorithm cryptoAlgorithm = PccrrCryptoAlgorithm.None,
        PccrrVersion? version = null)
    {
        MinSupportedVersion = minSupportedVersion;
        MaxSupportedVersion = maxSupportedVersion;
        CryptoAlgorithm = cryptoAlgorithm;
        Version = version ?? PccrrVersion.V1;
    }

    /// <summary>MESSAGE_HEADER <c>ProtVer</c> (1.0 per MS-PCCRR 2.2.3).</summary>
    public PccrrVersion Version { get; }

    /// <summary>MESSAGE_HEADER <c>CryptoAlgoId</c>.</summary>
    public PccrrCryptoAlgorithm CryptoAlgorithm { get; }

    /// <summary><c>MinSupportedProtocolVersion</c>.</summary>
    public PccrrVersion MinSupportedVersion { get; }

    /// <summary><c>MaxSupportedProtocolVersion</c>.</summary>
    public PccrrVersion MaxSupportedVersion { get; }

    /// <summary>Decodes one complete response body (TRANSPORT_RESPONSE_HEADER + message); the input must hold exactly that.</summary>
    /// <exception cref="PeerDistFormatException">The bytes are not a valid <c>MSG_NEGO_RESP</c>.</exception>
    public static PccrrNegotiateResponse Parse(ReadOnlyMemory<byte> response, PccrrReaderOptions? options = null)
    {
        PccrrMessageDecoder.Parse(response, response: true, PccrrMessageType.NegotiateResponse, options, out PccrrMessage decoded);
        return decoded.NegotiateResponse;
    }

    /// <summary>Decodes one complete response body without throwing for bad data.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> response, out PccrrNegotiateResponse value, out PeerDistFormatError error, out long errorOffset)
    {
        bool ok = PccrrMessageDecoder.TryParse(response, response: true, PccrrMessageType.NegotiateResponse, null, out PccrrMessage decoded, out error, out errorOffset);
        value = ok ? decoded.NegotiateResponse : default;
        return ok;
    }

    /// <summary>The number of bytes <see cref="TryWrite"/> writes, TRANSPORT_RESPONSE_HEADER included.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "Every message has the same instance shape.")]
    public int GetEncodedLength() => EncodedLength;

    /// <summary>Encodes TRANSPORT_RESPONSE_HEADER + message; false (nothing written) when <paramref name="destination"/> is too small.</summary>
    public bool TryWrite(Span<byte> destination, out int bytesWritten)
    {
        if (destination.Length < EncodedLength)
        {
            bytesWritten = 0;
            return false;
        }

        const int MessageSize = EncodedLength - PccrrTransportResponseHeader.Size;
        new PccrrTransportResponseHeader(MessageSize).Write(destination);
        var writer = new PccrrFieldWriter(destination[PccrrTransportResponseHeader.Size..]);
        writer.WriteHeader(Version, PccrrMessageType.NegotiateResponse, MessageSize, CryptoAlgorithm);
        writer.WriteUInt32(MinSupportedVersion.Encoded); // MS-PCCRR 2.2.5.1: MinSupportedProtocolVersion
        writer.WriteUInt32(MaxSupportedVersion.Encoded); // MaxSupportedProtocolVersion
        writer.AssertComplete(MessageSize);
        bytesWritten = EncodedLength;
        return true;
    }

    /// <summary>Encodes the response with one <c>GetSpan</c>/<c>Advance</c>.</summary>
    public void Write(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        TryWrite(writer.GetSpan(EncodedLength), out int written);
        writer.Advance(written);
    }

    internal static bool TryReadBody(ref PccrrFieldReader reader, in PccrrMessageHeader header, out PccrrNegotiateResponse value)
    {
        value = default;
        if (!reader.TryReadUInt32(out uint min) || !reader.TryReadUInt32(out uint max))
        {
            return false;
        }

        value = new PccrrNegotiateResponse(PccrrVersion.FromEncoded(min), PccrrVersion.FromEncoded(max), header.CryptoAlgorithm, header.Version);
        return true;
    }
}
