using System.Net;
using System.Net.Sockets;
using PeerDist.Client;
using PeerDist.Content;
using PeerDist.Transport.Udp;

namespace PeerDist.Discovery;

/// <summary>
/// Finds peers by MS-PCCRD discovery (3.1): multicasts one Probe per batch of up to 255 segment identifiers (one batch
/// list per content information version, since the version decides the Probe format, MS-PCCRD 2.2.2), collects the
/// ProbeMatches for the prober's window and answers, per segment, the PCCRR endpoints (<c>XAddrs</c>) of the peers that
/// hold it, peers with the whole segment first. Network trouble gives empty lists, never an exception.
/// </summary>
/// <remarks>The channel is opened on first use (and again after a failure to open it); dispose the locator to close it.</remarks>
public sealed class DiscoveryPeerLocator : IPeerLocator, IAsyncDisposable
{
    private readonly DiscoveryPeerLocatorOptions _options;
    private readonly PccrdProber _prober;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _openGate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private UdpMulticastChannel? _channel;
    private Task? _pump;
    private long _networkErrors;
    private long _probesRefused;
    private int _disposed;

    /// <summary>Creates the locator (nothing is opened yet).</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public DiscoveryPeerLocator(DiscoveryPeerLocatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Channel);
        ArgumentNullException.ThrowIfNull(options.Prober);
        ArgumentNullException.ThrowIfNull(options.ExcludedEndPoints);
        if (options.Channel.JoinGroups)
        {
            ThrowHelper.ThrowArgument("A prober does not join the discovery groups (Channel.JoinGroups must be false).", nameof(options));
        }

        _options = options;
        _prober = new PccrdProber(options.Prober);
        _time = options.Prober.TimeProvider;
    }

    /// <summary>The prober (its counters: replies accepted and dropped by reason).</summary>
    public PccrdProber Prober => _prober;

    /// <summary>The channel's counters; default before the first probe.</summary>
    public UdpMulticastChannelStatistics ChannelStatistics => Volatile.Read(ref _channel)?.Statistics ?? default;

    /// <summary>How many times the channel could not be opened or a Probe not be sent.</summary>
    public long NetworkErrors => Interlocked.Read(ref _networkErrors);

    /// <summary>How many batches got no Probe because <see cref="PccrdProberOptions.MaxOutstandingProbes"/> were outstanding.</summary>
    public long ProbesRefused => Interlocked.Read(ref _probesRefused);

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<IReadOnlyList<EndPoint>>> LocateAsync(IReadOnlyList<ContentSegment> segments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(segments);
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var result = new IReadOnlyList<EndPoint>[segments.Count];
        Array.Fill(result, []);
        if (segments.Count == 0)
        {
            return result;
        }

        UdpMulticastChannel? channel = await OpenAsync(cancellationToken).ConfigureAwait(false);
        if (channel is null)
        {
            return result;
        }

        var probes = new List<(PccrdOutstandingProbe Probe, List<int>[] Owners)>();
        try
        {
            foreach (PccrdVersion version in (ReadOnlySpan<PccrdVersion>)[PccrdVersion.V1, PccrdVersion.V2])
            {
                foreach ((ReadOnlyMemory<byte>[] ids, List<int>[] owners) in Batch(segments, version))
                {
                    try
                    {
                        probes.Add((_prober.CreateProbe(version, ids), owners));
                    }
                    catch (InvalidOperationException)
                    {
                        // PccrdProberOptions.MaxOutstandingProbes reached by concurrent calls: these segments get no peers this time.
                        Interlocked.Increment(ref _probesRefused);
                    }
                }
            }

            bool anySent = false;
            foreach ((PccrdOutstandingProbe probe, _) in probes)
            {
                try
                {
                    await channel.SendMulticastAsync(probe.Datagram, cancellationToken).ConfigureAwait(false);
                    anySent = true;
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    Interlocked.Increment(ref _networkErrors);
                }
            }

            if (!anySent)
            {
                return result;
            }

            // MS-PCCRD 3.1.2: the request timer; replies are collected until it fires, then the Probes are dropped.
            await Task.Delay(_prober.Window, _time, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach ((PccrdOutstandingProbe probe, _) in probes)
            {
                _prober.Complete(probe);
            }
        }

        foreach ((PccrdOutstandingProbe probe, List<int>[] owners) in probes)
        {
            for (int i = 0; i < owners.Length; i++)
            {
                IReadOnlyList<PccrdDiscoveredPeer> peers = probe.GetPeers(i);
                Record(probe.Probe.SegmentIds[i].Span, peers, segments[owners[i][0]]);
                List<EndPoint> endPoints = Collect(peers);
                foreach (int owner in owners[i])
                {
                    result[owner] = endPoints;
                }
            }
        }

        return result;
    }

    /// <summary>Closes the channel. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _openGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_channel is not null)
            {
                await _channel.DisposeAsync().ConfigureAwait(false);
            }

            if (_pump is not null)
            {
                await _pump.ConfigureAwait(false);
            }
        }
        finally
        {
            _openGate.Release();
        }

        _stop.Dispose();
    }

    // wire.md §2.5: remember how many answered and how many had the whole segment (v2: the AllBlocks bit; v1: a block
    // count covering the segment), for this node's own reply suppression later.
    private void Record(ReadOnlySpan<byte> segmentId, IReadOnlyList<PccrdDiscoveredPeer> peers, ContentSegment segment)
    {
        if (_options.ReplyHistory is not { } history || peers.Count == 0)
        {
            return;
        }

        int full = 0;
        foreach (PccrdDiscoveredPeer peer in peers)
        {
            if ((peer.Availability & PccrdSegmentAvailability.AllBlocks) != 0 || peer.BlockCount >= (uint)segment.BlockCount)
            {
                full++;
            }
        }

        history.Add(segmentId, peers.Count, full);
    }

    // Peers with every block first (MS-PCCRD 2.2.3.3), then by arrival; one endpoint per peer, duplicates and the node's own removed.
    private List<EndPoint> Collect(IReadOnlyList<PccrdDiscoveredPeer> peers)
    {
        var endPoints = new List<EndPoint>(peers.Count);
        foreach (bool complete in (ReadOnlySpan<bool>)[true, false])
        {
            foreach (PccrdDiscoveredPeer peer in peers)
            {
                bool isComplete = (peer.Availability & PccrdSegmentAvailability.AllBlocks) != 0;
                if (isComplete == complete && !endPoints.Contains(peer.EndPoint) && !_options.ExcludedEndPoints.Contains(peer.EndPoint))
                {
                    endPoints.Add(peer.EndPoint);
                }
            }
        }

        return endPoints;
    }

    /// <summary>The distinct identifiers of one version in batches of at most 255, each with the input positions that share it.</summary>
    private static List<(ReadOnlyMemory<byte>[] Ids, List<int>[] Owners)> Batch(IReadOnlyList<ContentSegment> segments, PccrdVersion version)
    {
        var index = new Dictionary<string, (ReadOnlyMemory<byte> Id, List<int> Owners)>(StringComparer.Ordinal);
        var order = new List<string>();
        for (int i = 0; i < segments.Count; i++)
        {
            ContentSegment segment = segments[i];
            ArgumentNullException.ThrowIfNull(segment, nameof(segments));
            PccrdVersion segmentVersion = segment.HashAlgorithm.GetVersion() == ContentInformationVersion.V1 ? PccrdVersion.V1 : PccrdVersion.V2;
            if (segmentVersion != version)
            {
                continue;
            }

            string key = Convert.ToHexString(segment.SegmentId.Span);
            if (!index.TryGetValue(key, out (ReadOnlyMemory<byte> Id, List<int> Owners) entry))
            {
                entry = (segment.SegmentId, []);
                index.Add(key, entry);
                order.Add(key);
            }

            entry.Owners.Add(i);
        }

        var batches = new List<(ReadOnlyMemory<byte>[], List<int>[])>();
        foreach (string[] chunk in order.Chunk(PccrdConstants.MaxSegmentIdsPerProbe))
        {
            batches.Add(([.. chunk.Select(k => index[k].Id)], [.. chunk.Select(k => index[k].Owners)]));
        }

        return batches;
    }

    private async ValueTask<UdpMulticastChannel?> OpenAsync(CancellationToken cancellationToken)
    {
        UdpMulticastChannel? channel = Volatile.Read(ref _channel);
        if (channel is not null)
        {
            return channel;
        }

        await _openGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (_channel is null)
            {
                try
                {
                    channel = UdpMulticastChannel.Open(_options.Channel);
                }
                catch (SocketException)
                {
                    Interlocked.Increment(ref _networkErrors);
                    return null;
                }

                _pump = Task.Run(() => PumpAsync(channel, _stop.Token), CancellationToken.None);
                Volatile.Write(ref _channel, channel);
            }

            return _channel;
        }
        finally
        {
            _openGate.Release();
        }
    }

    private async Task PumpAsync(UdpMulticastChannel channel, CancellationToken cancellationToken)
    {
        try
        {
            while (await channel.Datagrams.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (channel.Datagrams.TryRead(out UdpDatagram datagram))
                {
                    _prober.Accept(datagram.Payload, datagram.RemoteEndPoint); // never throws for bad data
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed.
        }
    }
}
