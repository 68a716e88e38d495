using System.Buffers;

namespace PeerDist.Retrieval;

/// <summary>
/// MS-PCCRR 2.2.4.1 <c>MSG_NEGO_REQ</c>: the protocol versions the client supports. Windows never sends it but answers
/// it with <c>MSG_NEGO_RESP</c>.
/// </summary>
public readonly struct PccrrNegotiateRequest
{
    /// <summary>The encoded length: MESSAGE_HEADER + two ProtVer DWORDs.</summary>
    public const int EncodedLength = PccrrMessageHeader.Size + 8;

    /// <summary>Creates the message.</summary>
    public PccrrNegotiateRequest(
        PccrrVersion minSupportedVersion,
        PccrrVersion maxSupportedVersion,
        PccrrCryptoAlgorithm cryptoAlgorithm = PccrrCryptoAlgorithm.Aes128,
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

    /// <summary>Decodes one complete message; the input must hold exactly that message.</summary>
    /// <exception cref="PeerDistFormatException">The bytes are not a valid <c>MSG_NEGO_REQ</c>.</exception>
    public static PccrrNegotiateRequest Parse(ReadOnlyMemory<byte> message, PccrrReaderOptions? options = null)
    {
        PccrrMessageDecoder.Parse(message, response: false, PccrrMessageType.NegotiateRequest, options, out PccrrMessage decoded);
        return decoded.NegotiateRequest;
    }

    /// <summary>Decodes one complete message without throwing for bad data.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> message, out PccrrNegotiateRequest value, out PeerDistFormatError error, out long errorOffset)
    {
        bool ok = PccrrMessageDecoder.TryParse(message, response: false, PccrrMessageType.NegotiateRequest, null, out PccrrMessage decoded, out error, out errorOffset);
        value = ok ? decoded.NegotiateRequest : default;
        return ok;
    }

    /// <summary>The number of bytes <see cref="TryWrite"/> writes.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "Every message has the same instance shape.")]
    public int GetEncodedLength() => EncodedLength;

    /// <summary>Encodes the message; false (nothing written) when <paramref name="destination"/> is too small.</summary>
    public bool TryWrite(Span<byte> destination, out int bytesWritten)
    {
        if (destination.Length < EncodedLength)
        {
            bytesWritten = 0;
            return false;
        }

        var writer = new PccrrFieldWriter(destination);
        writer.WriteHeader(Version, PccrrMessageType.NegotiateRequest, EncodedLength, CryptoAlgorithm);
        writer.WriteUInt32(MinSupportedVersion.Encoded); // MS-PCCRR 2.2.4.1: MinSupportedProtocolVersion
        writer.WriteUInt32(MaxSupportedVersion.Encoded); // MaxSupportedProtocolVersion
        writer.AssertComplete(EncodedLength);
        bytesWritten = EncodedLength;
        return true;
    }

    /// <summary>Encodes the message with one <c>GetSpan</c>/<c>Advance</c>.</summary>
    public void Write(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        TryWrite(writer.GetSpan(EncodedLength), out int written);
        writer.Advance(written);
    }

    internal static bool TryReadBody(ref PccrrFieldReader reader, in PccrrMessageHeader header, out PccrrNegotiateRequest value)
    {
        value = default;
        if (!reader.TryReadUInt32(out uint min) || !reader.TryReadUInt32(out uint max))
        {
            return false;
        }

        value = new PccrrNegotiateRequest(PccrrVersion.FromEncoded(min), PccrrVersion.FromEncoded(max), header.CryptoAlgorithm, header.Version);
        return true;
    }
}
