using System.Net;
using PeerDist.Retrieval;

namespace PeerDist.Discovery;

/// <summary>The body checks of the ProbeMatch reader (MS-PCCRD 2.2.2.2, 2.2.3).</summary>
public sealed partial class PccrdProbeMatch
{
    private static bool TryReadBody(PccrdMessageReader reader, PccrdEnvelope envelope, out PccrdProbeMatch? match)
    {
        match = null;
        const PeerDistFormatError Envelope = PeerDistFormatError.PccrdInvalidEnvelope;
        if (!reader.TrySingle(envelope.Body, PccrdNames.DiscoveryNamespace, PccrdNames.ProbeMatch, Envelope, out PccrdXmlElement probeMatch)
            || !reader.TrySingle(probeMatch, PccrdNames.DiscoveryNamespace, PccrdNames.Types, PeerDistFormatError.PccrdNotPeerDist, out PccrdXmlElement types)
            || !reader.TryReadTypes(types, out PccrdVersion version)
            || !reader.TrySingle(probeMatch, PccrdNames.AddressingNamespace, PccrdNames.EndpointReference, Envelope, out PccrdXmlElement endpointReference)
            || !reader.TrySingle(endpointReference, PccrdNames.AddressingNamespace, PccrdNames.Address, Envelope, out PccrdXmlElement address)
            || !reader.TryReadUri(address, Envelope, out string endpointAddress)
            || !reader.TrySingle(probeMatch, PccrdNames.DiscoveryNamespace, PccrdNames.Scopes, PeerDistFormatError.PccrdInvalidScopes, out PccrdXmlElement scopes)
            || !reader.TrySingle(probeMatch, PccrdNames.DiscoveryNamespace, PccrdNames.XAddrs, PeerDistFormatError.PccrdInvalidXAddrs, out PccrdXmlElement xAddrsElement)
            || !TryReadXAddrs(reader, xAddrsElement, out IPEndPoint[] xAddrs)
            || !reader.TrySingle(probeMatch, PccrdNames.DiscoveryNamespace, PccrdNames.MetadataVersion, PeerDistFormatError.PccrdInvalidMetadataVersion, out PccrdXmlElement metadata)
            || !TryReadMetadataVersion(reader, metadata, out uint metadataVersion)
            || !TryFindPeerDistData(reader, probeMatch, out PccrdXmlElement data))
        {
            return false;
        }

        if (version == PccrdVersion.V1)
        {
            if (!TryReadV1Segments(reader, scopes, data, out PccrdSegmentBlockCount[] blockCounts))
            {
                return false;
            }

            match = new PccrdProbeMatch(
                version, envelope.MessageId, envelope.RelatesTo!, envelope.AppSequence, endpointAddress, xAddrs, metadataVersion, blockCounts, [], null);
            return true;
        }

        if (!TryReadAvailability(reader, scopes, out PccrdSegmentAvailability[] availability)
            || !TryReadSegmentAges(reader, data, out PccrrSegmentAgeBlob ages))
        {
            return false;
        }

        match = new PccrdProbeMatch(
            version, envelope.MessageId, envelope.RelatesTo!, envelope.AppSequence, endpointAddress, xAddrs, metadataVersion, [], availability, ages);
        return true;
    }

    /// <summary>MS-PCCRD 2.2.3.8: a whitespace-separated list of <c>address:port</c>, at least one.</summary>
    private static bool TryReadXAddrs(PccrdMessageReader reader, PccrdXmlElement element, out IPEndPoint[] xAddrs)
    {
        xAddrs = [];
        var list = new List<IPEndPoint>();
        string text = element.Text;
        foreach (Range range in text.AsSpan().SplitAny(PccrdFields.Whitespace))
        {
            ReadOnlySpan<char> item = text.AsSpan()[range];
            if (item.IsEmpty)
            {
                continue;
            }

            if (!PccrdFields.TryParseEndPoint(item, out IPEndPoint? endPoint))
            {
                return reader.Fail(PeerDistFormatError.PccrdInvalidXAddrs, element);
            }

            list.Add(endPoint!);
        }

        xAddrs = [.. list];
        return xAddrs.Length > 0 || reader.Fail(PeerDistFormatError.PccrdInvalidXAddrs, element);
    }

    /// <summary>MS-PCCRD 2.2.3.5: MetadataVersion MUST be 1 or 2.</summary>
    private static bool TryReadMetadataVersion(PccrdMessageReader reader, PccrdXmlElement element, out uint metadataVersion) =>
        (PccrdMessageReader.TryParseUInt32(element.Text, out metadataVersion) && metadataVersion is 1 or 2)
        || reader.Fail(PeerDistFormatError.PccrdInvalidMetadataVersion, element);

    /// <summary>MS-PCCRD 2.2.3.9: the <c>Any</c> element, <c>PeerDist:PeerDistData</c> (or <c>PeerDistDataV2</c>, 2012 revision).</summary>
    private static bool TryFindPeerDistData(PccrdMessageReader reader, PccrdXmlElement probeMatch, out PccrdXmlElement data)
    {
        int v1 = probeMatch.Find(PccrdNames.PeerDistNamespace, PccrdNames.PeerDistData, out PccrdXmlElement? first, out _);
        int v2 = probeMatch.Find(PccrdNames.PeerDistNamespace, PccrdNames.PeerDistDataV2, out PccrdXmlElement? firstV2, out _);
        data = (first ?? firstV2)!;
        return v1 + v2 == 1 || reader.Fail(PeerDistFormatError.PccrdInvalidEnvelope, probeMatch);
    }

    /// <summary>
    /// Version 1.0: hex scopes (as in a Probe, but any number up to 255) and <c>BlockCount</c>, hexBinary of one big-endian
    /// count per scope. The width per count is the digits divided by the scopes and must be 8 (the example of MS-PCCRD 4.3,
    /// iPXE, python-peerdist) or 4 (the prose example of 2.2.3.9); wire.md §2.3.
    /// </summary>
    private static bool TryReadV1Segments(PccrdMessageReader reader, PccrdXmlElement scopes, PccrdXmlElement data, out PccrdSegmentBlockCount[] segments)
    {
        segments = [];
        PeerDistFormatError scopeError = PccrdProbe.ReadV1Scopes(scopes.Text, out ReadOnlyMemory<byte>[]? ids);
        if (scopeError != PeerDistFormatError.Unknown)
        {
            return reader.Fail(scopeError, scopes);
        }

        if (!reader.TrySingle(data, PccrdNames.PeerDistNamespace, PccrdNames.BlockCount, PeerDistFormatError.PccrdInvalidBlockCount, out PccrdXmlElement blockCount))
        {
            return false;
        }

        // hexBinary: whitespace around (and, leniently, inside) the digits is skipped.
        string text = blockCount.Text;
        Span<char> digits = new char[text.Length];
        int length = 0;
        foreach (char c in text)
        {
            if (!PccrdFields.Whitespace.Contains(c))
            {
                digits[length++] = c;
            }
        }

        int width = length % ids!.Length == 0 ? length / ids.Length : 0;
        if (width is not (4 or 8))
        {
            return reader.Fail(PeerDistFormatError.PccrdInvalidBlockCount, blockCount);
        }

        segments = new PccrdSegmentBlockCount[ids.Length];
        Span<byte> value = stackalloc byte[4];
        for (int i = 0; i < ids.Length; i++)
        {
            value.Clear();
            if (!PccrdFields.TryDecodeHex(digits.Slice(i * width, width), value[(4 - (width / 2))..]))
            {
                return reader.Fail(PeerDistFormatError.PccrdInvalidBlockCount, blockCount);
            }

            segments[i] = new PccrdSegmentBlockCount(ids[i], System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(value)); // network byte order
        }

        return true;
    }

    /// <summary>Version 2.0 <c>Scopes</c>: base64 of the two-bit array, pair 0 in the top bits of byte 0 (wire.md §2.4).</summary>
    private static bool TryReadAvailability(PccrdMessageReader reader, PccrdXmlElement scopes, out PccrdSegmentAvailability[] availability)
    {
        availability = [];
        if (!PccrdFields.TryDecodeBase64(scopes.Text, MaxAvailabilityLength, out byte[] bits))
        {
            return reader.Fail(PeerDistFormatError.PccrdInvalidScopes, scopes);
        }

        availability = DecodeAvailability(bits);
        return true;
    }

    internal static PccrdSegmentAvailability[] DecodeAvailability(ReadOnlySpan<byte> bits)
    {
        var availability = new PccrdSegmentAvailability[bits.Length * 4];
        for (int i = 0; i < availability.Length; i++)
        {
            availability[i] = (PccrdSegmentAvailability)((bits[i / 4] >> (6 - (2 * (i % 4)))) & 0b11);
        }

        return availability;
    }

    /// <summary>Version 2.0 <c>SegmentAges</c>: base64 of an MS-PCCRR 2.2.6 extensible blob.</summary>
    private static bool TryReadSegmentAges(PccrdMessageReader reader, PccrdXmlElement data, out PccrrSegmentAgeBlob ages)
    {
        ages = default;
        const int MaxBlobLength = PccrrSegmentAgeBlob.HeaderLength + (byte.MaxValue * PccrrSegmentAge.Size);
        if (!reader.TrySingle(data, PccrdNames.PeerDistNamespace, PccrdNames.SegmentAges, PeerDistFormatError.PccrdInvalidSegmentAges, out PccrdXmlElement element))
        {
            return false;
        }

        if (!PccrdFields.TryDecodeBase64(element.Text, MaxBlobLength, out byte[] blob))
        {
            return reader.Fail(PeerDistFormatError.PccrdInvalidSegmentAges, element);
        }

        // A bad blob fails the message with the blob's own reason (InvalidExtensibleBlob, or UnsupportedVersion for a blob
        // version other than 1) rather than being dropped silently.
        return PccrrSegmentAgeBlob.TryRead(blob, out ages, out PeerDistFormatError error, out _)
            || reader.Fail(error, element);
    }
}
