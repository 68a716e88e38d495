namespace PeerDist.HostedCache;

/// <summary>
/// INITIAL_OFFER_MESSAGE (MS-PCHC 2.2.1.3, version 1.0): a client offers one segment by its HoHoDk (segment ID). The
/// hosted cache answers OK when it holds the segment's hashes (and pulls missing blocks), INTERESTED otherwise.
/// </summary>
public sealed class PchcInitialOfferMessage : PchcMessage
{
    /// <summary>Creates an offer of the segment <paramref name="segmentId"/> (32, 48 or 64 bytes) from PCCRR port <paramref name="port"/>.</summary>
    public PchcInitialOfferMessage(ushort port, ReadOnlyMemory<byte> segmentId, byte minorVersion = 0)
        : base(port, minorVersion)
    {
        if (!PchcMessageReader.IsSegmentIdLength(segmentId.Length))
        {
            ThrowHelper.ThrowArgument("A segment ID is 32, 48 or 64 bytes.", nameof(segmentId));
        }

        SegmentId = segmentId;
    }

    /// <inheritdoc/>
    public override byte MajorVersion => 1;

    /// <inheritdoc/>
    public override PchcMessageType Type => PchcMessageType.InitialOffer;

    /// <summary>The offered segment's HoHoDk (its segment ID): the rest of the message (MS-PCHC 2.2.1.3 <c>Hash</c>).</summary>
    public ReadOnlyMemory<byte> SegmentId { get; }

    private protected override int BodyLength => SegmentId.Length;

    private protected override void WriteBody(Span<byte> destination) => SegmentId.Span.CopyTo(destination);
}
