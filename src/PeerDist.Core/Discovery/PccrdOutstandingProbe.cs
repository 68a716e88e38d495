namespace PeerDist.Discovery;

/// <summary>
/// One Probe a <see cref="PccrdProber"/> sent (an entry of the MS-PCCRD 3.1.1 Outstanding Probe List) and the peers its
/// ProbeMatches reported so far, per requested segment. Thread-safe.
/// </summary>
public sealed class PccrdOutstandingProbe
{
    private readonly Lock _gate = new();
    private readonly List<PccrdDiscoveredPeer>[] _peers;
    private readonly HashSet<string> _responders = new(StringComparer.OrdinalIgnoreCase);
    private readonly byte[] _datagram;
    private readonly Action<int, PccrdDiscoveredPeer>? _peerRecorded;

    internal PccrdOutstandingProbe(PccrdProbe probe, DateTimeOffset deadline, Action<int, PccrdDiscoveredPeer>? peerRecorded)
    {
        Probe = probe;
        Deadline = deadline;
        _peerRecorded = peerRecorded;
        _datagram = probe.ToArray();
        _peers = new List<PccrdDiscoveredPeer>[probe.SegmentIds.Count];
        for (int i = 0; i < _peers.Length; i++)
        {
            _peers[i] = [];
        }
    }

    /// <summary>The Probe.</summary>
    public PccrdProbe Probe { get; }

    /// <summary>The encoded Probe to multicast (UTF-8).</summary>
    public ReadOnlyMemory<byte> Datagram => _datagram;

    /// <summary>When the collection window ends (the request timer of MS-PCCRD 3.1.2); replies after it are dropped.</summary>
    public DateTimeOffset Deadline { get; }

    /// <summary>How many responders were recorded.</summary>
    public int ResponderCount
    {
        get
        {
            lock (_gate)
            {
                return _responders.Count;
            }
        }
    }

    /// <summary>The peers that reported segment <paramref name="segmentIndex"/> of the Probe, in arrival order (a copy).</summary>
    /// <exception cref="ArgumentOutOfRangeException">There is no such segment in the Probe.</exception>
    public IReadOnlyList<PccrdDiscoveredPeer> GetPeers(int segmentIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(segmentIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(segmentIndex, _peers.Length);
        lock (_gate)
        {
            return [.. _peers[segmentIndex]];
        }
    }

    /// <summary>
    /// Records the segments one responder reported, then tells the observer given to
    /// <see cref="PccrdProber.CreateProbe(PccrdVersion, IEnumerable{ReadOnlyMemory{byte}}, Action{int, PccrdDiscoveredPeer})"/>;
    /// false when that responder had already answered.
    /// </summary>
    internal bool TryRecord(string responder, IReadOnlyList<(int Index, PccrdDiscoveredPeer Peer)> entries)
    {
        lock (_gate)
        {
            if (!_responders.Add(responder))
            {
                return false;
            }

            foreach ((int index, PccrdDiscoveredPeer peer) in entries)
            {
                _peers[index].Add(peer);
            }
        }

        // Outside the lock: the observer is the caller's code, and GetPeers already shows what it is told about.
        if (_peerRecorded is { } observer)
        {
            foreach ((int index, PccrdDiscoveredPeer peer) in entries)
            {
                observer(index, peer);
            }
        }

        return true;
    }
}
