using System.Diagnostics.CodeAnalysis;
using PeerDist.Content;

namespace PeerDist.HostedCache;

/// <summary>
/// SEGMENT_INFO_MESSAGE (MS-PCHC 2.2.1.4, version 1.0): the content tag and a little-endian content information V1.0
/// describing exactly the offered segment, Kp included (which is why version 1.0 runs over TLS). The envelope is read
/// strictly; the embedded content information is only parsed by <see cref="TryGetSegment"/>, because a malformed one
/// (unknown hash algorithm, no segment or several) is answered OK and simply not pulled (wire.md §3.4 and §8).
/// </summary>
public sealed class PchcSegmentInfoMessage : PchcMessage
{
    /// <summary>Creates the message for <paramref name="segmentInformation"/> (encoded content information V1.0).</summary>
    public PchcSegmentInfoMessage(ushort port, ReadOnlyMemory<byte> contentTag, ReadOnlyMemory<byte> segmentInformation, byte minorVersion = 0)
        : base(port, minorVersion)
    {
        if (contentTag.Length != PchcConstants.ContentTagLength)
        {
            ThrowHelper.ThrowArgument("A content tag is 16 bytes.", nameof(contentTag));
        }

        ContentTag = contentTag;
        SegmentInformation = segmentInformation;
    }

    /// <inheritdoc/>
    public override byte MajorVersion => 1;

    /// <inheritdoc/>
    public override PchcMessageType Type => PchcMessageType.SegmentInfo;

    /// <summary>The 16 opaque bytes the offering application chose (for example ASCII <c>WinINet</c>, zero-padded).</summary>
    public ReadOnlyMemory<byte> ContentTag { get; }

    /// <summary>The encoded content information V1.0 of the segment, as received.</summary>
    public ReadOnlyMemory<byte> SegmentInformation { get; }

    private protected override int BodyLength => PchcConstants.ContentTagLength + SegmentInformation.Length;

    /// <summary>
    /// Parses <see cref="SegmentInformation"/>: true with the segment when it is a valid content information of exactly
    /// one segment; false otherwise (the hosted cache answers OK and pulls nothing).
    /// </summary>
    /// <remarks>
    /// MS-PCHC 2.2.1.4 defines the field as content information V1.0 only, so version 1.0 of the protocol cannot offer
    /// V2 content. As an extension this reader also accepts a content information V2.0 of one segment (the two formats are
    /// told apart by their version field): our offering client sends V2 content that way over version 1.0, and a Windows
    /// hosted cache, which cannot parse it, answers OK and pulls nothing — no harm done.
    /// </remarks>
    public bool TryGetSegment([NotNullWhen(true)] out ContentSegment? segment)
    {
        segment = null;
        if (!ContentInformation.TryParse(SegmentInformation.Span, out ContentInformation? information) ||
            information.Segments.Count != 1)
        {
            return false;
        }

        segment = information.Segments[0];
        return true;
    }

    private protected override void WriteBody(Span<byte> destination)
    {
        ContentTag.Span.CopyTo(destination);
        SegmentInformation.Span.CopyTo(destination[PchcConstants.ContentTagLength..]);
    }
}
