using System.Buffers.Binary;

namespace PeerDist.HostedCache;

/// <summary>
/// The hosted cache's response body (MS-PCHC 2.2.2): the transport header <c>Size</c> (4 bytes, big-endian, always 1)
/// and the <c>ResponseCode</c>. OK is <c>00 00 00 01 00</c>, INTERESTED <c>00 00 00 01 01</c>.
/// </summary>
public static class PchcResponse
{
    /// <summary>Writes the response for <paramref name="code"/> into <paramref name="destination"/> (5 bytes).</summary>
    public static int Write(PchcResponseCode code, Span<byte> destination)
    {
        if (destination.Length < PchcConstants.ResponseLength)
        {
            ThrowHelper.ThrowArgument("A PCHC response is 5 bytes.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination, 1);
        destination[4] = (byte)code;
        return PchcConstants.ResponseLength;
    }

    /// <summary>The 5-byte response for <paramref name="code"/>.</summary>
    public static byte[] ToArray(PchcResponseCode code)
    {
        byte[] bytes = new byte[PchcConstants.ResponseLength];
        Write(code, bytes);
        return bytes;
    }

    /// <summary>Reads a response body; false for anything but exactly 5 bytes with <c>Size</c> 1 and code 0 or 1.</summary>
    public static bool TryRead(ReadOnlySpan<byte> input, out PchcResponseCode code, out PeerDistFormatError error)
    {
        code = default;
        if (input.Length != PchcConstants.ResponseLength || BinaryPrimitives.ReadUInt32BigEndian(input) != 1 || input[4] > 1)
        {
            error = input.Length < PchcConstants.ResponseLength ? PeerDistFormatError.Truncated : PeerDistFormatError.PchcInvalidResponse;
            return false;
        }

        code = (PchcResponseCode)input[4];
        error = PeerDistFormatError.Unknown;
        return true;
    }
}
