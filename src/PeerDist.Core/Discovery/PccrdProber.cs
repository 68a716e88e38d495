using System.Net;

namespace PeerDist.Discovery;

/// <summary>
/// The client side of MS-PCCRD (3.1): builds Probes for up to 255 segments, matches received ProbeMatches to them by
/// <c>RelatesTo</c> and records which peer holds what. Pure: the transport sends <see cref="PccrdOutstandingProbe.Datagram"/>,
/// hands every received datagram to <see cref="Accept"/>, waits <see cref="PccrdProberOptions.Window"/> and then calls
/// <see cref="Complete"/> (or, watching the replies as they are recorded, completes earlier when waiting longer cannot
/// improve its answer). Thread-safe.
/// </summary>
/// <remarks>
/// Per MS-PCCRD 3.1.4.1 a reply is used only when it is a valid ProbeMatch, from the local subnet (5.1; the <c>XAddrs</c>
/// outside it are dropped too), related to an outstanding Probe whose window has not passed, and names at least one of
/// that Probe's segments; everything else is dropped and counted. Version 1.0 scopes the Probe did not ask for are ignored.
/// </remarks>
public sealed class PccrdProber
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, PccrdOutstandingProbe> _outstanding = new(StringComparer.OrdinalIgnoreCase);
    private readonly IPNetwork[] _localNetworks;
    private readonly Random _random;
    private readonly TimeProvider _time;
    private readonly PccrdReaderOptions _readerOptions;
    private readonly int _maxOutstanding;
    private readonly long[] _outcomes = new long[(int)PccrdReplyOutcome.Duplicate + 1];
    private long _probes;

    /// <summary>Creates a prober.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public PccrdProber(PccrdProberOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.LocalNetworks);
        ArgumentNullException.ThrowIfNull(options.TimeProvider);
        if (options.Window < TimeSpan.FromMilliseconds(1) || options.Window > TimeSpan.FromMinutes(1))
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(options), "Window is from 1 ms to one minute.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxOutstandingProbes, 1, nameof(options));
        _localNetworks = [.. options.LocalNetworks];
        _random = options.Random ?? Random.Shared;
        _time = options.TimeProvider;
        _readerOptions = options.ReaderOptions ?? PccrdReaderOptions.Default;
        _maxOutstanding = options.MaxOutstandingProbes;
        Window = options.Window;
    }

    /// <summary>The collection window of every Probe.</summary>
    public TimeSpan Window { get; }

    /// <summary>The number of Probes not yet completed.</summary>
    public int OutstandingCount
    {
        get
        {
            lock (_gate)
            {
                return _outstanding.Count;
            }
        }
    }

    /// <summary>A snapshot of the counters.</summary>
    public PccrdProberStatistics Statistics => new(
        Interlocked.Read(ref _probes),
        Count(PccrdReplyOutcome.Accepted),
        Count(PccrdReplyOutcome.Malformed),
        Count(PccrdReplyOutcome.UnknownProbe),
        Count(PccrdReplyOutcome.Expired),
        Count(PccrdReplyOutcome.OutsideLocalNetwork),
        Count(PccrdReplyOutcome.NoRequestedSegment),
        Count(PccrdReplyOutcome.Duplicate));

    /// <summary>
    /// Builds a Probe with a new <c>MessageID</c> for 1 to 255 segment identifiers and adds it to the outstanding list; its
    /// window starts now.
    /// </summary>
    /// <param name="version">The version of the content information the segments come from (MS-PCCRD 2.2.2).</param>
    /// <param name="segmentIds">The segment identifiers (HoHoDk), as <see cref="PccrdProbe"/> takes them.</param>
    /// <exception cref="ArgumentException">The identifiers are not valid for a Probe.</exception>
    /// <exception cref="InvalidOperationException"><see cref="PccrdProberOptions.MaxOutstandingProbes"/> Probes are outstanding.</exception>
    public PccrdOutstandingProbe CreateProbe(PccrdVersion version, IEnumerable<ReadOnlyMemory<byte>> segmentIds) =>
        CreateProbe(version, segmentIds, null);

    /// <summary>
    /// Builds a Probe as <see cref="CreateProbe(PccrdVersion, IEnumerable{ReadOnlyMemory{byte}})"/> does, and calls
    /// <paramref name="peerRecorded"/> for every peer an accepted reply records, so that a caller can stop waiting before
    /// the window ends once what it has is good enough (for instance a holder of every block of each segment).
    /// </summary>
    /// <param name="version">The version of the content information the segments come from (MS-PCCRD 2.2.2).</param>
    /// <param name="segmentIds">The segment identifiers (HoHoDk), as <see cref="PccrdProbe"/> takes them.</param>
    /// <param name="peerRecorded">
    /// Called with the index of the segment in the Probe and the peer, after <see cref="PccrdOutstandingProbe.GetPeers"/>
    /// shows it, on the thread that called <see cref="Accept"/> (no lock held); concurrent <see cref="Accept"/> calls may
    /// call it concurrently. It runs inside the receive path, so it must be quick and must not throw. Null: no calls.
    /// </param>
    /// <exception cref="ArgumentException">The identifiers are not valid for a Probe.</exception>
    /// <exception cref="InvalidOperationException"><see cref="PccrdProberOptions.MaxOutstandingProbes"/> Probes are outstanding.</exception>
    public PccrdOutstandingProbe CreateProbe(PccrdVersion version, IEnumerable<ReadOnlyMemory<byte>> segmentIds, Action<int, PccrdDiscoveredPeer>? peerRecorded)
    {
        string messageId;
        lock (_gate)
        {
            messageId = PccrdUuid.NewUrn(_random);
        }

        var probe = new PccrdProbe(version, messageId, segmentIds);
        var outstanding = new PccrdOutstandingProbe(probe, _time.GetUtcNow() + Window, peerRecorded);
        lock (_gate)
        {
            if (_outstanding.Count >= _maxOutstanding)
            {
                ThrowHelper.ThrowInvalidOperation("Too many discovery probes are outstanding.");
            }

            _outstanding.Add(messageId, outstanding);
        }

        Interlocked.Increment(ref _probes);
        return outstanding;
    }

    /// <summary>Removes a Probe from the outstanding list (MS-PCCRD 3.1.5); later replies to it are <see cref="PccrdReplyOutcome.UnknownProbe"/>.</summary>
    public void Complete(PccrdOutstandingProbe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        lock (_gate)
        {
            if (_outstanding.TryGetValue(probe.Probe.MessageId, out PccrdOutstandingProbe? current) && ReferenceEquals(current, probe))
            {
                _outstanding.Remove(probe.Probe.MessageId);
            }
        }
    }

    /// <summary>Takes one received datagram. Never throws for bad data.</summary>
    /// <param name="datagram">The UDP payload.</param>
    /// <param name="source">Where it came from.</param>
    public PccrdReplyOutcome Accept(ReadOnlyMemory<byte> datagram, IPEndPoint source)
    {
        ArgumentNullException.ThrowIfNull(source);
        PccrdReplyOutcome outcome = AcceptCore(datagram, source);
        Interlocked.Increment(ref _outcomes[(int)outcome]);
        return outcome;
    }

    private long Count(PccrdReplyOutcome outcome) => Interlocked.Read(ref _outcomes[(int)outcome]);

    private PccrdReplyOutcome AcceptCore(ReadOnlyMemory<byte> datagram, IPEndPoint source)
    {
        if (!PccrdProbeMatch.TryRead(datagram, _readerOptions, out PccrdProbeMatch? match, out _, out _))
        {
            return PccrdReplyOutcome.Malformed;
        }

        PccrdOutstandingProbe? outstanding;
        lock (_gate)
        {
            _outstanding.TryGetValue(match.RelatesTo, out outstanding);
        }

        if (outstanding is null)
        {
            return PccrdReplyOutcome.UnknownProbe;
        }

        if (_time.GetUtcNow() > outstanding.Deadline)
        {
            return PccrdReplyOutcome.Expired;
        }

        // MS-PCCRD 5.1: only replies from the local subnet, and only local transport addresses.
        IPAddress sourceAddress = Normalize(source.Address);
        if (!IsLocal(sourceAddress))
        {
            return PccrdReplyOutcome.OutsideLocalNetwork;
        }

        var endPoints = new List<IPEndPoint>();
        foreach (IPEndPoint x in match.XAddrs)
        {
            IPAddress address = Normalize(x.Address);
            if (!IsLocal(address))
            {
                continue;
            }

            if (address.IsIPv6LinkLocal && address.ScopeId == 0 && sourceAddress.IsIPv6LinkLocal)
            {
                address.ScopeId = source.Address.ScopeId; // a link-local XAddr is reachable through the interface the reply came on
            }

            endPoints.Add(new IPEndPoint(address, x.Port));
        }

        if (endPoints.Count == 0)
        {
            return PccrdReplyOutcome.OutsideLocalNetwork;
        }

        IReadOnlyList<PccrdMatchedSegment> matched = match.Match(outstanding.Probe);
        if (matched.Count == 0)
        {
            return PccrdReplyOutcome.NoRequestedSegment;
        }

        IPEndPoint preferred = endPoints.Find(e => e.AddressFamily == sourceAddress.AddressFamily) ?? endPoints[0];
        var entries = new List<(int, PccrdDiscoveredPeer)>(matched.Count);
        foreach (PccrdMatchedSegment segment in matched)
        {
            if (segment.Availability == PccrdSegmentAvailability.None)
            {
                continue; // version 1.0 count 0: nothing to fetch (iPXE drops these too, wire.md §6)
            }

            int index = outstanding.Probe.IndexOf(segment.SegmentId.Span);
            var peer = new PccrdDiscoveredPeer(preferred, endPoints, source, match.EndpointAddress, segment.Availability, segment.BlockCount, segment.Age);
            entries.Add((index, peer));
        }

        if (entries.Count == 0)
        {
            return PccrdReplyOutcome.NoRequestedSegment;
        }

        return outstanding.TryRecord(match.EndpointAddress, entries) ? PccrdReplyOutcome.Accepted : PccrdReplyOutcome.Duplicate;
    }

    private static IPAddress Normalize(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private bool IsLocal(IPAddress address)
    {
        foreach (IPNetwork network in _localNetworks)
        {
            if (network.BaseAddress.AddressFamily == address.AddressFamily && network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
