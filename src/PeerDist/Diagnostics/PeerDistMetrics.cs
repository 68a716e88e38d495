using System.Diagnostics.Metrics;
using System.Net;
using PeerDist.Client;

namespace PeerDist.Diagnostics;

/// <summary>
/// The node's counters, published through <see cref="System.Diagnostics.Metrics"/> on the meter named
/// <see cref="MeterName"/>: bytes obtained by source, local cache hits and misses, blocks served to peers, discovery
/// Probes answered, blocks rejected and peers excluded. The names are listed in docs/node.md.
/// </summary>
/// <remarks>
/// <para>
/// With an <see cref="IMeterFactory"/> (the one of the host's service provider) the meter comes from the factory, so
/// <c>dotnet-counters</c>, OpenTelemetry and <c>MetricCollector</c> see it as every other meter of the host; the factory
/// owns it and hands every node of one provider the same meter, so several nodes add up. Without a factory each instance
/// creates (and disposes) a private meter, which is how several nodes in one process are told apart by a listener.
/// </para>
/// <para>Every instrument is a <see cref="Counter{T}"/> of <see cref="long"/>; recording allocates nothing.</para>
/// </remarks>
public sealed class PeerDistMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "PeerDist";

    /// <summary>Bytes of verified blocks a download obtained, tagged with <see cref="SourceTagName"/>. Unit: bytes.</summary>
    public const string BytesObtainedName = "peerdist.client.bytes";

    /// <summary>Blocks a download found in the local cache. Unit: blocks.</summary>
    public const string CacheHitsName = "peerdist.client.cache_hits";

    /// <summary>Blocks a download did not find in the local cache and fetched from the network. Unit: blocks.</summary>
    public const string CacheMissesName = "peerdist.client.cache_misses";

    /// <summary>Blocks rejected because they failed verification or were malformed (peer, origin or caller). Unit: blocks.</summary>
    public const string BlocksRejectedName = "peerdist.client.blocks_rejected";

    /// <summary>Peers excluded from a download after too many failures (once per peer and download). Unit: peers.</summary>
    public const string PeersExcludedName = "peerdist.client.peers_excluded";

    /// <summary>Blocks this node served to peers over MS-PCCRR (<c>MSG_BLK</c> with data). Unit: blocks.</summary>
    public const string BlocksServedName = "peerdist.server.blocks_served";

    /// <summary>Bytes of the MS-PCCRR responses that carried served blocks (message framing included). Unit: bytes.</summary>
    public const string BytesServedName = "peerdist.server.bytes_served";

    /// <summary>MS-PCCRD ProbeMatches this node's responder sent. Unit: replies.</summary>
    public const string ProbesAnsweredName = "peerdist.discovery.probes_answered";

    /// <summary>The tag of <see cref="BytesObtainedName"/>: where the bytes came from.</summary>
    public const string SourceTagName = "source";

    /// <summary>Source tag value: the local content cache.</summary>
    public const string SourceCache = "cache";

    /// <summary>Source tag value: a peer over MS-PCCRR.</summary>
    public const string SourcePeer = "peer";

    /// <summary>Source tag value: the hosted cache (a peer named as the node's hosted cache).</summary>
    public const string SourceHostedCache = "hosted-cache";

    /// <summary>Source tag value: the origin fallback.</summary>
    public const string SourceOrigin = "origin";

    /// <summary>Source tag value: the application, through <see cref="PeerDistContent.AddDataAsync"/>.</summary>
    public const string SourceCaller = "caller";

    private static readonly KeyValuePair<string, object?> s_cache = new(SourceTagName, SourceCache);
    private static readonly KeyValuePair<string, object?> s_peer = new(SourceTagName, SourcePeer);
    private static readonly KeyValuePair<string, object?> s_hostedCache = new(SourceTagName, SourceHostedCache);
    private static readonly KeyValuePair<string, object?> s_origin = new(SourceTagName, SourceOrigin);
    private static readonly KeyValuePair<string, object?> s_caller = new(SourceTagName, SourceCaller);

    private readonly bool _ownsMeter;
    private readonly EndPoint[] _hostedCaches;
    private readonly Counter<long> _bytesObtained;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _cacheMisses;
    private readonly Counter<long> _blocksRejected;
    private readonly Counter<long> _peersExcluded;
    private readonly Counter<long> _blocksServed;
    private readonly Counter<long> _bytesServed;
    private readonly Counter<long> _probesAnswered;

    /// <summary>Creates the instruments on a meter of <paramref name="meterFactory"/>, or on a private meter when it is null.</summary>
    public PeerDistMetrics(IMeterFactory? meterFactory = null)
        : this(meterFactory, [])
    {
    }

    /// <summary>
    /// Creates the instruments; bytes from a peer in <paramref name="hostedCacheEndPoints"/> are tagged
    /// <see cref="SourceHostedCache"/> rather than <see cref="SourcePeer"/>.
    /// </summary>
    public PeerDistMetrics(IMeterFactory? meterFactory, IEnumerable<EndPoint> hostedCacheEndPoints)
    {
        ArgumentNullException.ThrowIfNull(hostedCacheEndPoints);
        _hostedCaches = [.. hostedCacheEndPoints];
        if (meterFactory is null)
        {
            Meter = new Meter(MeterName);
            _ownsMeter = true;
        }
        else
        {
            Meter = meterFactory.Create(new MeterOptions(MeterName));
        }

        _bytesObtained = Meter.CreateCounter<long>(BytesObtainedName, "By", "Bytes of verified blocks obtained by downloads, by source.");
        _cacheHits = Meter.CreateCounter<long>(CacheHitsName, "{block}", "Blocks downloads found in the local cache.");
        _cacheMisses = Meter.CreateCounter<long>(CacheMissesName, "{block}", "Blocks downloads had to fetch from peers or the origin.");
        _blocksRejected = Meter.CreateCounter<long>(BlocksRejectedName, "{block}", "Blocks rejected: failed verification or malformed.");
        _peersExcluded = Meter.CreateCounter<long>(PeersExcludedName, "{peer}", "Peers excluded from a download after too many failures.");
        _blocksServed = Meter.CreateCounter<long>(BlocksServedName, "{block}", "Blocks served to peers over MS-PCCRR.");
        _bytesServed = Meter.CreateCounter<long>(BytesServedName, "By", "Bytes of MS-PCCRR responses that carried served blocks.");
        _probesAnswered = Meter.CreateCounter<long>(ProbesAnsweredName, "{reply}", "MS-PCCRD ProbeMatches sent.");
    }

    /// <summary>The meter the instruments live on.</summary>
    public Meter Meter { get; }

    /// <summary>Disposes the meter when it is private (a factory's meter is the factory's to dispose).</summary>
    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }

    internal void BlockObtained(BlockDataSource source, EndPoint? peer, int bytes)
    {
        switch (source)
        {
            case BlockDataSource.LocalCache:
                _bytesObtained.Add(bytes, s_cache);
                break;
            case BlockDataSource.Peer:
                _bytesObtained.Add(bytes, peer is not null && IsHostedCache(peer) ? s_hostedCache : s_peer);
                break;
            case BlockDataSource.Origin:
                _bytesObtained.Add(bytes, s_origin);
                break;
            default:
                _bytesObtained.Add(bytes, s_caller);
                break;
        }
    }

    internal void CacheHit() => _cacheHits.Add(1);

    internal void CacheMiss() => _cacheMisses.Add(1);

    internal void BlockRejected() => _blocksRejected.Add(1);

    internal void PeerExcluded() => _peersExcluded.Add(1);

    internal void BlockServed(long responseBytes)
    {
        _blocksServed.Add(1);
        _bytesServed.Add(responseBytes);
    }

    internal void ProbeAnswered() => _probesAnswered.Add(1);

    private bool IsHostedCache(EndPoint peer)
    {
        foreach (EndPoint hosted in _hostedCaches)
        {
            if (hosted.Equals(peer))
            {
                return true;
            }
        }

        return false;
    }
}
