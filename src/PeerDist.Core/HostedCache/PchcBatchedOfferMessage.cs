using System.Buffers.Binary;

namespace PeerDist.HostedCache;

/// <summary>
/// BATCHED_OFFER_MESSAGE (MS-PCHC 2.2.1.5, version 2.0): 1 to 128 segment descriptors of 59 bytes back to back. The
/// hosted cache answers OK and pulls the segments it lacks with one GETBLKS at block index 0 per segment.
/// </summary>
public sealed class PchcBatchedOfferMessage : PchcMessage
{
    /// <summary>Creates an offer of <paramref name="segments"/> (1 to 128) from PCCRR port <paramref name="port"/>.</summary>
    public PchcBatchedOfferMessage(ushort port, IReadOnlyList<PchcSegmentDescriptor> segments, byte minorVersion = 0)
        : base(port, minorVersion)
    {
        ArgumentNullException.ThrowIfNull(segments);
        if (segments.Count is 0 or > PchcConstants.MaxBatchedSegments)
        {
            ThrowHelper.ThrowArgument("A batched offer carries 1 to 128 segments.", nameof(segments));
        }

        Segments = segments;
    }

    /// <inheritdoc/>
    public override byte MajorVersion => 2;

    /// <inheritdoc/>
    public override PchcMessageType Type => PchcMessageType.BatchedOffer;

    /// <summary>The offered segments, in message order.</summary>
    public IReadOnlyList<PchcSegmentDescriptor> Segments { get; }

    private protected override int BodyLength => Segments.Count * PchcConstants.SegmentDescriptorLength;

    private protected override void WriteBody(Span<byte> destination)
    {
        foreach (PchcSegmentDescriptor segment in Segments)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, segment.BlockSize);
            BinaryPrimitives.WriteUInt32BigEndian(destination[4..], segment.SegmentSize);
            BinaryPrimitives.WriteUInt16BigEndian(destination[8..], PchcConstants.ContentTagLength);
            segment.ContentTag.Span.CopyTo(destination[10..]);
            destination[10 + PchcConstants.ContentTagLength] = segment.HashAlgorithm;
            segment.SegmentId.Span.CopyTo(destination[(11 + PchcConstants.ContentTagLength)..]);
            destination = destination[PchcConstants.SegmentDescriptorLength..];
        }
    }
}
