using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using PeerDist.Retrieval;

namespace PeerDist.Discovery;

/// <summary>
/// A PCCRD ProbeMatch (MS-PCCRD 2.2.2.2): a peer's unicast answer to a Probe, saying where it listens and what it holds of
/// the segments asked for. Immutable.
/// </summary>
/// <remarks>
/// <para>
/// Version 1.0 lists the matched HoHoDks in <c>Scopes</c> (hex) and one block count per scope in
/// <c>PeerDist:BlockCount</c> (hex of big-endian integers; 8 digits per count on the wire, 4 accepted on read: wire.md
/// §2.3). Version 2.0 does not repeat the identifiers: <c>Scopes</c> is base64 of a two-bit availability entry per
/// requested segment in Probe order, and <c>PeerDist:SegmentAges</c> is base64 of an MS-PCCRR extensible blob
/// (<see cref="PccrrSegmentAgeBlob"/>). <see cref="Match(PccrdProbe)"/> joins either form with the Probe.
/// </para>
/// <para>
/// The writer uses exactly the <c>wsd:</c> and <c>PeerDist:</c> prefixes, no attributes on <c>Scopes</c>, <c>XAddrs</c>
/// and <c>BlockCount</c> and no self-closing element, because iPXE finds those elements by searching for the literal
/// tags (wire.md §2.6). The reader is namespace-aware and takes any prefixes.
/// </para>
/// <para>
/// One <c>wsd:ProbeMatch</c> per message is accepted (a peer answers for itself only); a <c>ProbeMatches</c> with none or
/// several is <see cref="PeerDistFormatError.PccrdInvalidEnvelope"/>. For version 2.0 the <c>PeerDistData</c> wrapper may
/// also be named <c>PeerDistDataV2</c> (the 2012 revision of the specification; wire.md §2.2).
/// </para>
/// </remarks>
public sealed partial class PccrdProbeMatch
{
    /// <summary>Availability bytes for 255 segments, the most a ProbeMatch can answer (four two-bit entries per byte).</summary>
    private const int MaxAvailabilityLength = (PccrdConstants.MaxSegmentIdsPerProbe + 3) / 4;

    private readonly IPEndPoint[] _xAddrs;
    private readonly PccrdSegmentBlockCount[] _blockCounts;
    private readonly PccrdSegmentAvailability[] _availability;

    private PccrdProbeMatch(
        PccrdVersion version,
        string messageId,
        string relatesTo,
        PccrdAppSequence appSequence,
        string endpointAddress,
        IPEndPoint[] xAddrs,
        uint metadataVersion,
        PccrdSegmentBlockCount[] blockCounts,
        PccrdSegmentAvailability[] availability,
        PccrrSegmentAgeBlob? segmentAges)
    {
        Version = version;
        MessageId = messageId;
        RelatesTo = relatesTo;
        AppSequence = appSequence;
        EndpointAddress = endpointAddress;
        _xAddrs = xAddrs;
        MetadataVersion = metadataVersion;
        _blockCounts = blockCounts;
        _availability = availability;
        BlockCounts = Array.AsReadOnly(blockCounts);
        Availability = Array.AsReadOnly(availability);
        SegmentAges = segmentAges;
    }

    /// <summary>The message format (from <c>Types</c>).</summary>
    public PccrdVersion Version { get; }

    /// <summary>The WS-Addressing <c>MessageID</c> of this message.</summary>
    public string MessageId { get; }

    /// <summary>The WS-Addressing <c>RelatesTo</c>: the <c>MessageID</c> of the Probe answered.</summary>
    public string RelatesTo { get; }

    /// <summary>The WS-Discovery <c>AppSequence</c> header.</summary>
    public PccrdAppSequence AppSequence { get; }

    /// <summary><c>EndpointReference/Address</c>: the responder's identity, <c>urn:uuid:</c> and a GUID made at service start (MS-PCCRD 2.2.3.4).</summary>
    public string EndpointAddress { get; }

    /// <summary>
    /// <c>XAddrs</c>: where the responder serves MS-PCCRR (at least one address with its port). <see cref="IPEndPoint"/> is
    /// mutable, so every call returns new copies and the message itself cannot change.
    /// </summary>
    public IReadOnlyList<IPEndPoint> XAddrs => [.. _xAddrs.Select(static e => new IPEndPoint(Copy(e.Address), e.Port))];

    /// <summary><c>MetadataVersion</c>: 1 (Windows 7 / 2008 R2) or 2 (Windows 8 / 2012 and later) (MS-PCCRD 2.2.3.5).</summary>
    public uint MetadataVersion { get; }

    /// <summary>Version 1.0: each matched segment and its block count, in <c>Scopes</c> order. Empty for version 2.0.</summary>
    public IReadOnlyList<PccrdSegmentBlockCount> BlockCounts { get; }

    /// <summary>
    /// Version 2.0: one entry per requested segment, in Probe order. When read, four entries per decoded byte, so the list
    /// may be up to three entries longer than the Probe (those entries are padding). Empty for version 1.0.
    /// </summary>
    public IReadOnlyList<PccrdSegmentAvailability> Availability { get; }

    /// <summary>Version 2.0: the <c>SegmentAges</c> blob (ages by index in the Probe). Null for version 1.0.</summary>
    public PccrrSegmentAgeBlob? SegmentAges { get; }

    /// <summary>Creates a version 1.0 ProbeMatch. Identifiers and lists are copied.</summary>
    /// <param name="messageId">This message's <c>MessageID</c>.</param>
    /// <param name="relatesTo">The Probe's <c>MessageID</c>.</param>
    /// <param name="appSequence">The responder's instance and message number.</param>
    /// <param name="endpointAddress">The responder's <c>urn:uuid:</c> address.</param>
    /// <param name="xAddrs">At least one address and port where the responder serves MS-PCCRR.</param>
    /// <param name="blockCounts">1 to 255 segments (32, 48 or 64-byte identifiers) with the number of blocks held.</param>
    /// <param name="metadataVersion">1 or 2.</param>
    /// <exception cref="ArgumentException">A value above is out of range.</exception>
    public static PccrdProbeMatch CreateV1(
        string messageId,
        string relatesTo,
        PccrdAppSequence appSequence,
        string endpointAddress,
        IEnumerable<IPEndPoint> xAddrs,
        IEnumerable<PccrdSegmentBlockCount> blockCounts,
        uint metadataVersion = 1)
    {
        ArgumentNullException.ThrowIfNull(blockCounts);
        PccrdSegmentBlockCount[] counts = [.. blockCounts.Select(static c => c with { SegmentId = c.SegmentId.ToArray() })];
        if (counts.Length is 0 or > PccrdConstants.MaxSegmentIdsPerProbe)
        {
            ThrowHelper.ThrowArgument("A ProbeMatch lists 1 to 255 segments.", nameof(blockCounts));
        }

        foreach (PccrdSegmentBlockCount count in counts)
        {
            if (!PccrdFields.IsValidSegmentIdLength(count.SegmentId.Length))
            {
                ThrowHelper.ThrowArgument("A segment identifier is 32, 48 or 64 bytes.", nameof(blockCounts));
            }
        }

        IPEndPoint[] addresses = ValidateCommon(messageId, relatesTo, endpointAddress, xAddrs, metadataVersion);
        return new PccrdProbeMatch(PccrdVersion.V1, messageId, relatesTo, appSequence, endpointAddress, addresses, metadataVersion, counts, [], null);
    }

    /// <summary>Creates a version 2.0 ProbeMatch. Lists are copied.</summary>
    /// <param name="messageId">This message's <c>MessageID</c>.</param>
    /// <param name="relatesTo">The Probe's <c>MessageID</c>.</param>
    /// <param name="appSequence">The responder's instance and message number.</param>
    /// <param name="endpointAddress">The responder's <c>urn:uuid:</c> address.</param>
    /// <param name="xAddrs">At least one address and port where the responder serves MS-PCCRR.</param>
    /// <param name="availability">1 to 255 entries, one per segment of the Probe, in Probe order.</param>
    /// <param name="segmentAges">The ages of the segments held, by index in the Probe.</param>
    /// <param name="metadataVersion">1 or 2.</param>
    /// <exception cref="ArgumentException">A value above is out of range.</exception>
    public static PccrdProbeMatch CreateV2(
        string messageId,
        string relatesTo,
        PccrdAppSequence appSequence,
        string endpointAddress,
        IEnumerable<IPEndPoint> xAddrs,
        IEnumerable<PccrdSegmentAvailability> availability,
        PccrrSegmentAgeBlob segmentAges,
        uint metadataVersion = 2)
    {
        ArgumentNullException.ThrowIfNull(availability);
        PccrdSegmentAvailability[] entries = [.. availability];
        if (entries.Length is 0 or > PccrdConstants.MaxSegmentIdsPerProbe)
        {
            ThrowHelper.ThrowArgument("A ProbeMatch answers for 1 to 255 segments.", nameof(availability));
        }

        foreach (PccrdSegmentAvailability entry in entries)
        {
            if ((byte)entry > (byte)PccrdSegmentAvailability.Complete)
            {
                ThrowHelper.ThrowArgument("An availability entry is two bits.", nameof(availability));
            }
        }

        if (segmentAges.Units == 0)
        {
            ThrowHelper.ThrowArgument("The segment ages blob is required (default is not a blob).", nameof(segmentAges));
        }

        var ages = new PccrrSegmentAgeBlob(segmentAges.Units, segmentAges.Ages.ToArray());
        IPEndPoint[] addresses = ValidateCommon(messageId, relatesTo, endpointAddress, xAddrs, metadataVersion);
        return new PccrdProbeMatch(PccrdVersion.V2, messageId, relatesTo, appSequence, endpointAddress, addresses, metadataVersion, [], entries, ages);
    }

    /// <summary>
    /// Joins this answer with the Probe it answers: one entry per Probe segment the responder reports, in Probe order.
    /// Version 1.0 scopes the Probe did not ask for are left out (MS-PCCRD 3.1.4.1); version 2.0 entries of
    /// <see cref="PccrdSegmentAvailability.None"/> are left out. Empty when the versions differ. <see cref="RelatesTo"/> is
    /// not compared: the caller picks the Probe by it.
    /// </summary>
    public IReadOnlyList<PccrdMatchedSegment> Match(PccrdProbe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var result = new List<PccrdMatchedSegment>();
        if (probe.Version != Version)
        {
            return result;
        }

        if (Version == PccrdVersion.V1)
        {
            for (int i = 0; i < probe.SegmentIds.Count; i++)
            {
                ReadOnlyMemory<byte> id = probe.SegmentIds[i];
                foreach (PccrdSegmentBlockCount count in _blockCounts)
                {
                    if (count.SegmentId.Span.SequenceEqual(id.Span))
                    {
                        PccrdSegmentAvailability availability = count.BlockCount > 0 ? PccrdSegmentAvailability.SomeBlocks : PccrdSegmentAvailability.None;
                        result.Add(new PccrdMatchedSegment(id, availability, count.BlockCount, null));
                        break;
                    }
                }
            }

            return result;
        }

        int n = Math.Min(probe.SegmentIds.Count, _availability.Length);
        for (int i = 0; i < n; i++)
        {
            if (_availability[i] == PccrdSegmentAvailability.None)
            {
                continue;
            }

            TimeSpan? age = null;
            if (SegmentAges is { } blob)
            {
                foreach (PccrrSegmentAge entry in blob.Ages.Span)
                {
                    if (entry.SegmentIndex == i)
                    {
                        age = PccrdFields.AgeToTimeSpan(entry.Age, blob.Units);
                        break;
                    }
                }
            }

            result.Add(new PccrdMatchedSegment(probe.SegmentIds[i], _availability[i], null, age));
        }

        return result;
    }

    /// <summary>Decodes a ProbeMatch datagram.</summary>
    /// <exception cref="PeerDistFormatException">The datagram is not a valid PeerDist ProbeMatch.</exception>
    public static PccrdProbeMatch Read(ReadOnlyMemory<byte> datagram, PccrdReaderOptions? options = null)
    {
        if (!TryRead(datagram, options, out PccrdProbeMatch? match, out PeerDistFormatError error, out long offset))
        {
            ThrowHelper.ThrowFormat(error, offset);
        }

        return match;
    }

    /// <summary>Decodes a ProbeMatch datagram without throwing for bad data (for a receive loop that drops and counts by reason).</summary>
    public static bool TryRead(ReadOnlyMemory<byte> datagram, [NotNullWhen(true)] out PccrdProbeMatch? match, out PeerDistFormatError error, out long errorOffset) =>
        TryRead(datagram, null, out match, out error, out errorOffset);

    /// <summary>Decodes a ProbeMatch datagram under <paramref name="options"/> without throwing for bad data.</summary>
    /// <returns>False with <paramref name="error"/> and a best-effort byte <paramref name="errorOffset"/> when it is not a valid PeerDist ProbeMatch.</returns>
    public static bool TryRead(
        ReadOnlyMemory<byte> datagram,
        PccrdReaderOptions? options,
        [NotNullWhen(true)] out PccrdProbeMatch? match,
        out PeerDistFormatError error,
        out long errorOffset)
    {
        match = null;
        bool ok = PccrdMessageReader.TryReadEnvelope(datagram, options ?? PccrdReaderOptions.Default, probeMatches: true, out PccrdMessageReader reader, out PccrdEnvelope envelope)
            && TryReadBody(reader, envelope, out match);
        error = ok ? PeerDistFormatError.Unknown : reader.Error;
        errorOffset = ok ? 0 : reader.ErrorOffset;
        return ok;
    }

    /// <summary>The number of bytes <see cref="TryWrite"/> writes.</summary>
    public int GetEncodedLength()
    {
        var writer = new PccrdTextWriter([]);
        WriteTo(ref writer);
        return writer.Length;
    }

    /// <summary>Encodes the ProbeMatch as UTF-8; false (nothing written) when <paramref name="destination"/> is too small.</summary>
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

    /// <summary>Encodes the ProbeMatch as UTF-8 into <paramref name="writer"/>.</summary>
    public void Write(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int length = GetEncodedLength();
        var text = new PccrdTextWriter(writer.GetSpan(length));
        WriteTo(ref text);
        Debug.Assert(text.Fits && text.Length == length);
        writer.Advance(length);
    }

    /// <summary>Encodes the ProbeMatch into a new array (allocates).</summary>
    public byte[] ToArray()
    {
        byte[] bytes = new byte[GetEncodedLength()];
        TryWrite(bytes, out _);
        return bytes;
    }

    private static IPEndPoint[] ValidateCommon(string messageId, string relatesTo, string endpointAddress, IEnumerable<IPEndPoint> xAddrs, uint metadataVersion)
    {
        PccrdFields.ValidateUri(messageId, nameof(messageId));
        PccrdFields.ValidateUri(relatesTo, nameof(relatesTo));
        PccrdFields.ValidateUri(endpointAddress, nameof(endpointAddress));
        ArgumentNullException.ThrowIfNull(xAddrs);
        IPEndPoint[] addresses = [.. xAddrs];
        if (addresses.Length == 0)
        {
            ThrowHelper.ThrowArgument("A ProbeMatch names at least one transport address.", nameof(xAddrs));
        }

        foreach (IPEndPoint address in addresses)
        {
            if (address is null || address.Port == 0
                || address.AddressFamily is not (System.Net.Sockets.AddressFamily.InterNetwork or System.Net.Sockets.AddressFamily.InterNetworkV6))
            {
                ThrowHelper.ThrowArgument("Each transport address is an IPv4 or IPv6 address with a port from 1 to 65535.", nameof(xAddrs));
            }
        }

        if (metadataVersion is < 1 or > 2)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(metadataVersion), "MetadataVersion is 1 or 2 (MS-PCCRD 2.2.3.5).");
        }

        return [.. addresses.Select(static a => new IPEndPoint(Copy(a.Address), a.Port))];
    }

    private static IPAddress Copy(IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? new IPAddress(address.GetAddressBytes(), address.ScopeId)
            : new IPAddress(address.GetAddressBytes());
}
