using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace PeerDist.HostedCache;

/// <summary>
/// Reads a PCHC request body strictly (MS-PCHC 2.2.1). Whatever is malformed — a version other than the endpoint's,
/// a type of another version, a bad hash length, a content tag that is not 16 bytes, no descriptor or more than 128,
/// bytes missing or left over — is a typed error; the hosted cache drops such a request without a PCHC response
/// (MS-PCHC 3.1.5.4, wire.md §3.4). The message owns copies of its fields, so the input buffer can be reused.
/// </summary>
public static class PchcMessageReader
{
    /// <summary>
    /// Reads <paramref name="input"/> as a request to an endpoint of version <paramref name="expectedMajorVersion"/>
    /// (1 on the HTTPS path, 2 on the HTTP path; 0 accepts both). On failure <paramref name="error"/> and
    /// <paramref name="errorOffset"/> say which rule broke where.
    /// </summary>
    public static bool TryRead(
        ReadOnlySpan<byte> input,
        int expectedMajorVersion,
        [NotNullWhen(true)] out PchcMessage? message,
        out PeerDistFormatError error,
        out long errorOffset,
        int maxLength = PchcConstants.DefaultMaxMessageLength)
    {
        message = null;
        error = PeerDistFormatError.Unknown;
        errorOffset = 0;
        if (input.Length > maxLength)
        {
            error = PeerDistFormatError.PchcMessageTooLarge;
            return false;
        }

        if (input.Length < PchcConstants.HeaderLength)
        {
            error = PeerDistFormatError.Truncated;
            errorOffset = input.Length;
            return false;
        }

        byte minor = input[0];
        byte major = input[1];
        var type = (PchcMessageType)BinaryPrimitives.ReadUInt16BigEndian(input[2..]);
        ushort port = BinaryPrimitives.ReadUInt16BigEndian(input[8..]);
        if (major is not (1 or 2) || (expectedMajorVersion != 0 && major != expectedMajorVersion))
        {
            error = PeerDistFormatError.PchcUnsupportedVersion;
            errorOffset = 1;
            return false;
        }

        bool typeFits = major == 1 ? type is PchcMessageType.InitialOffer or PchcMessageType.SegmentInfo : type == PchcMessageType.BatchedOffer;
        if (!typeFits)
        {
            error = PeerDistFormatError.PchcUnknownMessageType;
            errorOffset = 2;
            return false;
        }

        ReadOnlySpan<byte> body = input[PchcConstants.HeaderLength..];
        switch (type)
        {
            case PchcMessageType.InitialOffer:
                if (!IsSegmentIdLength(body.Length))
                {
                    error = PeerDistFormatError.PchcInvalidSegmentHash;
                    errorOffset = PchcConstants.HeaderLength;
                    return false;
                }

                message = new PchcInitialOfferMessage(port, body.ToArray(), minor);
                return true;

            case PchcMessageType.SegmentInfo:
                if (body.Length < PchcConstants.ContentTagLength)
                {
                    error = PeerDistFormatError.Truncated;
                    errorOffset = input.Length;
                    return false;
                }

                message = new PchcSegmentInfoMessage(port, body[..PchcConstants.ContentTagLength].ToArray(), body[PchcConstants.ContentTagLength..].ToArray(), minor);
                return true;

            default:
                return TryReadBatchedOffer(body, port, minor, out message, out error, out errorOffset);
        }
    }

    /// <summary>Reads <paramref name="input"/> like <see cref="TryRead"/>, throwing on failure.</summary>
    /// <exception cref="PeerDistFormatException">The request is malformed.</exception>
    public static PchcMessage Read(ReadOnlySpan<byte> input, int expectedMajorVersion, int maxLength = PchcConstants.DefaultMaxMessageLength)
    {
        if (!TryRead(input, expectedMajorVersion, out PchcMessage? message, out PeerDistFormatError error, out long offset, maxLength))
        {
            throw new PeerDistFormatException(error, offset);
        }

        return message;
    }

    /// <summary>Segment IDs are SHA-256, SHA-384 or SHA-512 sized (MS-PCCRC 2.3: HoHoDk uses the content's hash).</summary>
    internal static bool IsSegmentIdLength(int length) => length is 32 or 48 or 64;

    private static bool TryReadBatchedOffer(
        ReadOnlySpan<byte> body,
        ushort port,
        byte minor,
        out PchcMessage? message,
        out PeerDistFormatError error,
        out long errorOffset)
    {
        message = null;
        error = PeerDistFormatError.Unknown;
        errorOffset = 0;
        var segments = new List<PchcSegmentDescriptor>(Math.Min(body.Length / PchcConstants.SegmentDescriptorLength, PchcConstants.MaxBatchedSegments));
        int offset = 0;
        while (offset < body.Length)
        {
            long at = PchcConstants.HeaderLength + offset;
            if (segments.Count == PchcConstants.MaxBatchedSegments)
            {
                error = PeerDistFormatError.PchcInvalidDescriptorCount;
                errorOffset = at;
                return false;
            }

            ReadOnlySpan<byte> rest = body[offset..];
            if (rest.Length < 10)
            {
                error = PeerDistFormatError.Truncated;
                errorOffset = at + rest.Length;
                return false;
            }

            ushort tagLength = BinaryPrimitives.ReadUInt16BigEndian(rest[8..]);
            if (tagLength != PchcConstants.ContentTagLength)
            {
                // An empty tag (WPTS) or any other length: SizeOfContentTag MUST be 16 (MS-PCHC 2.2.1.5).
                error = PeerDistFormatError.PchcInvalidContentTag;
                errorOffset = at + 8;
                return false;
            }

            if (rest.Length < PchcConstants.SegmentDescriptorLength)
            {
                error = PeerDistFormatError.Truncated;
                errorOffset = at + rest.Length;
                return false;
            }

            segments.Add(new PchcSegmentDescriptor(
                BinaryPrimitives.ReadUInt32BigEndian(rest),
                BinaryPrimitives.ReadUInt32BigEndian(rest[4..]),
                rest.Slice(10, PchcConstants.ContentTagLength).ToArray(),
                rest[10 + PchcConstants.ContentTagLength],
                rest.Slice(11 + PchcConstants.ContentTagLength, PchcSegmentDescriptor.SegmentIdLength).ToArray()));
            offset += PchcConstants.SegmentDescriptorLength;
        }

        if (segments.Count == 0)
        {
            error = PeerDistFormatError.PchcInvalidDescriptorCount;
            errorOffset = PchcConstants.HeaderLength;
            return false;
        }

        message = new PchcBatchedOfferMessage(port, segments, minor);
        return true;
    }
}
