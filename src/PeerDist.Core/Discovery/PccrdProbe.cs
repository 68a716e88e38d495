using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace PeerDist.Discovery;

/// <summary>
/// A PCCRD Probe (MS-PCCRD 2.2.2.1): a client asks the link who holds some segments. Immutable.
/// </summary>
/// <remarks>
/// <para>
/// Version 1.0: <c>Types</c> = <c>PeerDist:PeerDistData</c>, <c>Scopes MatchBy=strcmp0</c> holding one hexBinary HoHoDk per
/// segment, separated by whitespace (MS-PCCRD 2.2.3.2). The writer emits upper-case hex; the reader takes either case
/// (wire.md §2.3). Version 2.0: <c>Types</c> = <c>PeerDist:PeerDistDataV2</c>, <c>MatchBy=PeerDistV2MatchingRule</c> and a
/// single base64 scope: <c>SegmentHashSize</c> (2 bytes, big-endian), <c>Segment Hash Count</c> (1 byte), the HoHoDks
/// (MS-PCCRD 2.2.3.3).
/// </para>
/// <para>
/// The writer produces the one-line form a real client sends (wire.md §2.6, the probe iPXE puts on the wire, which
/// Windows peers answer). The reader accepts any formatting, prefixes and whitespace.
/// </para>
/// </remarks>
public sealed class PccrdProbe
{
    private const int V2ScopeHeaderLength = 3;

    private readonly ReadOnlyMemory<byte>[] _segmentIds;

    /// <summary>Creates a Probe. The identifiers are copied.</summary>
    /// <param name="version">The message format: the version of the content information the segments come from.</param>
    /// <param name="messageId">The WS-Addressing <c>MessageID</c>, normally <c>urn:uuid:</c> and a new GUID.</param>
    /// <param name="segmentIds">1 to 255 segment identifiers (HoHoDk), each 32, 48 or 64 bytes; for version 2.0 all the same length.</param>
    /// <exception cref="ArgumentException">A value above is out of range.</exception>
    public PccrdProbe(PccrdVersion version, string messageId, IEnumerable<ReadOnlyMemory<byte>> segmentIds)
    {
        if (version is not (PccrdVersion.V1 or PccrdVersion.V2))
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(version), "The version is V1 or V2.");
        }

        PccrdFields.ValidateUri(messageId, nameof(messageId));
        ArgumentNullException.ThrowIfNull(segmentIds);
        ReadOnlyMemory<byte>[] ids = [.. segmentIds.Select(static id => new ReadOnlyMemory<byte>(id.ToArray()))];
        ValidateSegmentIds(version, ids, nameof(segmentIds));
        Version = version;
        MessageId = messageId;
        _segmentIds = ids;
        SegmentIds = Array.AsReadOnly(ids);
    }

    // Used by the reader: the arrays are fresh and already checked.
    private PccrdProbe(PccrdVersion version, string messageId, ReadOnlyMemory<byte>[] segmentIds)
    {
        Version = version;
        MessageId = messageId;
        _segmentIds = segmentIds;
        SegmentIds = Array.AsReadOnly(segmentIds);
    }

    /// <summary>The message format (from <c>Types</c>).</summary>
    public PccrdVersion Version { get; }

    /// <summary>The WS-Addressing <c>MessageID</c>; a ProbeMatch quotes it in <c>RelatesTo</c>.</summary>
    public string MessageId { get; }

    /// <summary>The segment identifiers (HoHoDk) asked for, in order. A version 2.0 ProbeMatch answers by this index.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> SegmentIds { get; }

    /// <summary>The index of <paramref name="segmentId"/> in <see cref="SegmentIds"/>, or -1.</summary>
    public int IndexOf(ReadOnlySpan<byte> segmentId)
    {
        for (int i = 0; i < _segmentIds.Length; i++)
        {
            if (_segmentIds[i].Span.SequenceEqual(segmentId))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Decodes a Probe datagram.</summary>
    /// <exception cref="PeerDistFormatException">The datagram is not a valid PeerDist Probe.</exception>
    public static PccrdProbe Read(ReadOnlyMemory<byte> datagram, PccrdReaderOptions? options = null)
    {
        if (!TryRead(datagram, options, out PccrdProbe? probe, out PeerDistFormatError error, out long offset))
        {
            ThrowHelper.ThrowFormat(error, offset);
        }

        return probe;
    }

    /// <summary>Decodes a Probe datagram without throwing for bad data (for a receive loop that drops and counts by reason).</summary>
    public static bool TryRead(ReadOnlyMemory<byte> datagram, [NotNullWhen(true)] out PccrdProbe? probe, out PeerDistFormatError error, out long errorOffset) =>
        TryRead(datagram, null, out probe, out error, out errorOffset);

    /// <summary>Decodes a Probe datagram under <paramref name="options"/> without throwing for bad data.</summary>
    /// <returns>
    /// False with <paramref name="error"/> and a best-effort byte <paramref name="errorOffset"/> for anything else, including
    /// other WS-Discovery traffic on the port (<see cref="PeerDistFormatError.PccrdUnexpectedMessage"/>,
    /// <see cref="PeerDistFormatError.PccrdNotPeerDist"/>).
    /// </returns>
    public static bool TryRead(
        ReadOnlyMemory<byte> datagram,
        PccrdReaderOptions? options,
        [NotNullWhen(true)] out PccrdProbe? probe,
        out PeerDistFormatError error,
        out long errorOffset)
    {
        probe = null;
        bool ok = PccrdMessageReader.TryReadEnvelope(datagram, options ?? PccrdReaderOptions.Default, probeMatches: false, out PccrdMessageReader reader, out PccrdEnvelope envelope)
            && TryReadBody(reader, envelope, out probe);
        error = ok ? PeerDistFormatError.Unknown : reader.Error;
        errorOffset = ok ? 0 : reader.ErrorOffset;
        return ok;
    }

    private static bool TryReadBody(PccrdMessageReader reader, PccrdEnvelope envelope, out PccrdProbe? probe)
    {
        probe = null;
        PccrdXmlElement body = envelope.Body;
        if (!reader.TrySingle(body, PccrdNames.DiscoveryNamespace, PccrdNames.Types, PeerDistFormatError.PccrdNotPeerDist, out PccrdXmlElement types)
            || !reader.TryReadTypes(types, out PccrdVersion version)
            || !reader.TrySingle(body, PccrdNames.DiscoveryNamespace, PccrdNames.Scopes, PeerDistFormatError.PccrdInvalidScopes, out PccrdXmlElement scopes))
        {
            return false;
        }

        // MS-PCCRD 2.2.3.2 / 2.2.3.3: the matching rule belongs to the version.
        string? matchBy = scopes.GetAttribute(PccrdNames.MatchBy);
        string expectedRule = version == PccrdVersion.V1 ? PccrdNames.MatchByV1 : PccrdNames.MatchByV2;
        if (matchBy is null || !PccrdFields.Trim(matchBy).SequenceEqual(expectedRule))
        {
            return reader.Fail(PeerDistFormatError.PccrdUnsupportedMatchingRule, scopes);
        }

        PeerDistFormatError scopeError = version == PccrdVersion.V1
            ? ReadV1Scopes(scopes.Text, out ReadOnlyMemory<byte>[]? ids)
            : ReadV2Scope(scopes.Text, out ids);
        if (scopeError != PeerDistFormatError.Unknown)
        {
            return reader.Fail(scopeError, scopes);
        }

        probe = new PccrdProbe(version, envelope.MessageId, ids!);
        return true;
    }

    /// <summary>Version 1.0 scopes: whitespace-separated hexBinary HoHoDks (any case, any XML whitespace, line breaks included).</summary>
    internal static PeerDistFormatError ReadV1Scopes(string text, out ReadOnlyMemory<byte>[]? ids)
    {
        ids = null;
        var list = new List<ReadOnlyMemory<byte>>();
        foreach (Range range in text.AsSpan().SplitAny(PccrdFields.Whitespace))
        {
            ReadOnlySpan<char> item = text.AsSpan()[range];
            if (item.IsEmpty)
            {
                continue;
            }

            if (list.Count == PccrdConstants.MaxSegmentIdsPerProbe)
            {
                return PeerDistFormatError.PccrdTooManySegmentIds;
            }

            // Check the length before allocating: only 64, 96 or 128 hex digits can be a HoHoDk.
            if (item.Length % 2 != 0 || !PccrdFields.IsValidSegmentIdLength(item.Length / 2))
            {
                return PeerDistFormatError.PccrdInvalidScopes;
            }

            byte[] id = new byte[item.Length / 2];
            if (!PccrdFields.TryDecodeHex(item, id))
            {
                return PeerDistFormatError.PccrdInvalidScopes;
            }

            list.Add(id);
        }

        if (list.Count == 0)
        {
            return PeerDistFormatError.PccrdInvalidScopes; // MS-PCCRD 3.2.4.1: empty scopes are malformed
        }

        ids = [.. list];
        return PeerDistFormatError.Unknown;
    }

    /// <summary>Version 2.0 scope: base64 of SegmentHashSize (BE WORD), Segment Hash Count (BYTE), then the HoHoDks, nothing after.</summary>
    internal static PeerDistFormatError ReadV2Scope(string text, out ReadOnlyMemory<byte>[]? ids)
    {
        ids = null;
        const int MaxLength = V2ScopeHeaderLength + (64 * PccrdConstants.MaxSegmentIdsPerProbe);
        if (!PccrdFields.TryDecodeBase64(text, MaxLength, out byte[] scope) || scope.Length < V2ScopeHeaderLength)
        {
            return PeerDistFormatError.PccrdInvalidScopes;
        }

        int size = BinaryPrimitives.ReadUInt16BigEndian(scope); // MS-PCCRD 2.2.3.3: SegmentHashSize
        int count = scope[2]; // Segment Hash Count
        if (!PccrdFields.IsValidSegmentIdLength(size) || count == 0 || scope.Length != V2ScopeHeaderLength + (size * count))
        {
            return PeerDistFormatError.PccrdInvalidScopes;
        }

        ids = new ReadOnlyMemory<byte>[count];
        for (int i = 0; i < count; i++)
        {
            ids[i] = scope.AsMemory(V2ScopeHeaderLength + (i * size), size); // HoHoDk
        }

        return PeerDistFormatError.Unknown;
    }

    /// <summary>The number of bytes <see cref="TryWrite"/> writes.</summary>
    public int GetEncodedLength()
    {
        var writer = new PccrdTextWriter([]);
        WriteTo(ref writer);
        return writer.Length;
    }

    /// <summary>Encodes the Probe as UTF-8; false (nothing written) when <paramref name="destination"/> is too small.</summary>
    public bool TryWrite(Span<byte> destination, out int bytesWritten)
    {
        // Measure first, so that a short destination is left untouched.
        if (destination.Length < GetEncodedLength())
        {
            bytesWritten = 0;
            return false;
        }

        var writer = new PccrdTextWriter(destination);
        WriteTo(ref writer);
        Debug.Assert(writer.Fits);
        bytesWritten = writer.Length;
        return true;
    }

    /// <summary>Encodes the Probe as UTF-8 into <paramref name="writer"/>.</summary>
    public void Write(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int length = GetEncodedLength();
        var text = new PccrdTextWriter(writer.GetSpan(length));
        WriteTo(ref text);
        Debug.Assert(text.Fits && text.Length == length);
        writer.Advance(length);
    }

    /// <summary>Encodes the Probe into a new array (allocates).</summary>
    public byte[] ToArray()
    {
        byte[] bytes = new byte[GetEncodedLength()];
        TryWrite(bytes, out _);
        return bytes;
    }

    // The one-line layout of wire.md §2.6, element for element.
    private void WriteTo(ref PccrdTextWriter writer)
    {
        writer.Raw(PccrdNames.EnvelopeStart);
        writer.Raw("<wsa:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</wsa:To><wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</wsa:Action><wsa:MessageID>"u8);
        writer.Text(MessageId);
        writer.Raw("</wsa:MessageID></soap:Header><soap:Body><wsd:Probe>"u8);
        if (Version == PccrdVersion.V1)
        {
            writer.Raw("<wsd:Types>PeerDist:PeerDistData</wsd:Types><wsd:Scopes MatchBy=\"http://schemas.xmlsoap.org/ws/2005/04/discovery/strcmp0\">"u8);
            for (int i = 0; i < _segmentIds.Length; i++)
            {
                if (i > 0)
                {
                    writer.Raw(" "u8);
                }

                writer.Hex(_segmentIds[i].Span);
            }
        }
        else
        {
            writer.Raw("<wsd:Types>PeerDist:PeerDistDataV2</wsd:Types><wsd:Scopes MatchBy=\"http://schemas.microsoft.com/p2p/2010/05/PeerDistV2MatchingRule\">"u8);
            int size = _segmentIds[0].Length;
            byte[] scope = new byte[V2ScopeHeaderLength + (size * _segmentIds.Length)];
            BinaryPrimitives.WriteUInt16BigEndian(scope, (ushort)size); // MS-PCCRD 2.2.3.3: SegmentHashSize
            scope[2] = (byte)_segmentIds.Length; // Segment Hash Count
            for (int i = 0; i < _segmentIds.Length; i++)
            {
                _segmentIds[i].Span.CopyTo(scope.AsSpan(V2ScopeHeaderLength + (i * size))); // HoHoDk
            }

            writer.Base64(scope);
        }

        writer.Raw("</wsd:Scopes></wsd:Probe></soap:Body></soap:Envelope>"u8);
    }

    private static void ValidateSegmentIds(PccrdVersion version, ReadOnlyMemory<byte>[] ids, string paramName)
    {
        if (ids.Length is 0 or > PccrdConstants.MaxSegmentIdsPerProbe)
        {
            ThrowHelper.ThrowArgument("A Probe lists 1 to 255 segment identifiers.", paramName);
        }

        foreach (ReadOnlyMemory<byte> id in ids)
        {
            if (!PccrdFields.IsValidSegmentIdLength(id.Length))
            {
                ThrowHelper.ThrowArgument("A segment identifier is 32, 48 or 64 bytes.", paramName);
            }

            if (version == PccrdVersion.V2 && id.Length != ids[0].Length)
            {
                ThrowHelper.ThrowArgument("A version 2.0 Probe has one SegmentHashSize for all identifiers.", paramName);
            }
        }
    }
}
