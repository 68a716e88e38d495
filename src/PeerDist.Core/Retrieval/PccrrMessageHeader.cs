using System.Buffers.Binary;

namespace PeerDist.Retrieval;

/// <summary>
/// MS-PCCRR 2.2.3 <c>MESSAGE_HEADER</c>: the 16 bytes that start every PCCRR message. All fields are big-endian DWORDs.
/// </summary>
/// <param name="Version"><c>ProtVer</c>.</param>
/// <param name="MessageType"><c>MsgType</c>.</param>
/// <param name="MessageSize"><c>MsgSize</c>: the whole message including this header, excluding TRANSPORT_RESPONSE_HEADER.</param>
/// <param name="CryptoAlgorithm"><c>CryptoAlgoId</c>: the client's preference in requests, the algorithm used in <c>MSG_BLK</c>.</param>
public readonly record struct PccrrMessageHeader(
    PccrrVersion Version,
    PccrrMessageType MessageType,
    uint MessageSize,
    PccrrCryptoAlgorithm CryptoAlgorithm)
{
    /// <summary>The encoded length of the header.</summary>
    public const int Size = 16;

    /// <summary>Decodes the first <see cref="Size"/> bytes of <paramref name="source"/> without judging the values.</summary>
    /// <exception cref="ArgumentException"><paramref name="source"/> is shorter than <see cref="Size"/>.</exception>
    public static PccrrMessageHeader Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size)
        {
            ThrowHelper.ThrowArgument("The source is shorter than a message header.", nameof(source));
        }

        return new PccrrMessageHeader(
            PccrrVersion.FromEncoded(BinaryPrimitives.ReadUInt32BigEndian(source)), // MS-PCCRR 2.2.3: ProtVer
            (PccrrMessageType)BinaryPrimitives.ReadUInt32BigEndian(source[4..]), // MsgType
            BinaryPrimitives.ReadUInt32BigEndian(source[8..]), // MsgSize
            (PccrrCryptoAlgorithm)BinaryPrimitives.ReadUInt32BigEndian(source[12..])); // CryptoAlgoId
    }

    /// <summary>Encodes the header into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="Size"/>.</exception>
    public void Write(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            ThrowHelper.ThrowArgument("The destination is shorter than a message header.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination, Version.Encoded); // MS-PCCRR 2.2.3: ProtVer
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], (uint)MessageType); // MsgType
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], MessageSize); // MsgSize
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], (uint)CryptoAlgorithm); // CryptoAlgoId
    }
}
