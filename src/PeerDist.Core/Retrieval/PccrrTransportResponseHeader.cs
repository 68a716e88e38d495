using System.Buffers.Binary;

namespace PeerDist.Retrieval;

/// <summary>
/// MS-PCCRR 2.2.2 <c>TRANSPORT_RESPONSE_HEADER</c>: the big-endian DWORD that precedes every response message in the HTTP
/// response body. It holds the size of the response message that follows, which equals that message's <c>MsgSize</c>.
/// </summary>
/// <param name="MessageSize"><c>Size</c>.</param>
public readonly record struct PccrrTransportResponseHeader(uint MessageSize)
{
    /// <summary>The encoded length of the header.</summary>
    public const int Size = 4;

    /// <summary>Decodes the first <see cref="Size"/> bytes of <paramref name="source"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="source"/> is shorter than <see cref="Size"/>.</exception>
    public static PccrrTransportResponseHeader Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size)
        {
            ThrowHelper.ThrowArgument("The source is shorter than a transport response header.", nameof(source));
        }

        return new PccrrTransportResponseHeader(BinaryPrimitives.ReadUInt32BigEndian(source)); // MS-PCCRR 2.2.2: Size
    }

    /// <summary>Encodes the header into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="Size"/>.</exception>
    public void Write(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            ThrowHelper.ThrowArgument("The destination is shorter than a transport response header.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination, MessageSize); // MS-PCCRR 2.2.2: Size
    }
}
