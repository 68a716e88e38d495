using System.Buffers.Binary;

namespace PeerDist.HostedCache;

/// <summary>
/// A PCHC request (MS-PCHC 2.2.1): MESSAGE_HEADER (<c>MinorVersion</c> first, then <c>MajorVersion</c>, <c>Type</c>,
/// 4 bytes of padding), CONNECTION_INFORMATION (the offering client's PCCRR <c>Port</c>, 6 bytes of padding) and the
/// body of the type. Multi-byte fields are big-endian, as Microsoft's implementations write them (wire.md §3.1).
/// </summary>
public abstract class PchcMessage
{
    private protected PchcMessage(ushort port, byte minorVersion)
    {
        Port = port;
        MinorVersion = minorVersion;
    }

    /// <summary>The major version: 1 for INITIAL_OFFER and SEGMENT_INFO, 2 for BATCHED_OFFER.</summary>
    public abstract byte MajorVersion { get; }

    /// <summary>The minor version (0 in every version so far).</summary>
    public byte MinorVersion { get; }

    /// <summary>The message type.</summary>
    public abstract PchcMessageType Type { get; }

    /// <summary>The TCP port of the offering client's PCCRR server; the hosted cache connects to the request's source address on it.</summary>
    public ushort Port { get; }

    /// <summary>The encoded length of the whole message.</summary>
    public int EncodedLength => PchcConstants.HeaderLength + BodyLength;

    private protected abstract int BodyLength { get; }

    /// <summary>Writes the message into <paramref name="destination"/>; returns the bytes written.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="EncodedLength"/>.</exception>
    public int Write(Span<byte> destination)
    {
        if (destination.Length < EncodedLength)
        {
            ThrowHelper.ThrowArgument("The destination is too short for the message.", nameof(destination));
        }

        destination[..PchcConstants.HeaderLength].Clear();
        destination[0] = MinorVersion;
        destination[1] = MajorVersion;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)Type);
        BinaryPrimitives.WriteUInt16BigEndian(destination[8..], Port);
        WriteBody(destination[PchcConstants.HeaderLength..EncodedLength]);
        return EncodedLength;
    }

    /// <summary>The encoded message.</summary>
    public byte[] ToArray()
    {
        byte[] bytes = new byte[EncodedLength];
        Write(bytes);
        return bytes;
    }

    private protected abstract void WriteBody(Span<byte> destination);
}
