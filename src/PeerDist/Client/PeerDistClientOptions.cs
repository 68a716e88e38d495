using PeerDist.Caching;
using PeerDist.Retrieval;
using PeerDist.Retrieval.Client;

namespace PeerDist.Client;

/// <summary>
/// The settings of a <see cref="PeerDistClient"/>; validated when the client is created, never mid-download.
/// </summary>
public sealed record PeerDistClientOptions
{
    /// <summary>The default bound on blocks requested from peers at once (issue goal: 16).</summary>
    public const int DefaultMaxBlocksInFlight = 16;

    /// <summary>The default bound on origin range requests at once.</summary>
    public const int DefaultMaxOriginRequestsInFlight = 4;

    /// <summary>The default largest origin range request: 4 MiB (64 V1 blocks).</summary>
    public const int DefaultMaxOriginRequestBytes = 4 * 1024 * 1024;

    /// <summary>The default number of failures (timeouts, bad data) after which a peer is not asked again for a content.</summary>
    public const int DefaultPeerFailureLimit = 3;

    /// <summary>The default read-ahead of a content stream: 8 MiB.</summary>
    public const int DefaultReadAheadBytes = 8 * 1024 * 1024;

    /// <summary>
    /// The content cache: blocks are looked up here first, and every verified block fetched lands here (so this node
    /// serves it next). Required. The client does not dispose it.
    /// </summary>
    public ContentCache? Cache { get; init; }

    /// <summary>
    /// The MS-PCCRR transport to peers. Null: the client creates an <c>HttpPccrrTransport</c> over its own
    /// <c>PeerDistHttpClient</c> (and disposes it).
    /// </summary>
    public IPccrrTransport? Transport { get; init; }

    /// <summary>Who to ask: discovery, a static list, or a hosted cache as a peer. Null: no peers (cache and origin only).</summary>
    public IPeerLocator? PeerLocator { get; init; }

    /// <summary>Blocks requested from peers at once, over all downloads of this client.</summary>
    public int MaxBlocksInFlight { get; init; } = DefaultMaxBlocksInFlight;

    /// <summary>Origin range requests at once, over all downloads of this client.</summary>
    public int MaxOriginRequestsInFlight { get; init; } = DefaultMaxOriginRequestsInFlight;

    /// <summary>The largest origin range request; runs of missing blocks are joined up to this length.</summary>
    public int MaxOriginRequestBytes { get; init; } = DefaultMaxOriginRequestBytes;

    /// <summary>Failures (timeout, bad data, transport error) after which a peer is excluded for the rest of a download.</summary>
    public int PeerFailureLimit { get; init; } = DefaultPeerFailureLimit;

    /// <summary>The MS-PCCRR request timeout (the Request Timer; default 2 s as Windows).</summary>
    public TimeSpan PeerRequestTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The algorithm asked of peers (MS-PCCRR 2.2.3; AES-128 by default, as Windows).</summary>
    public PccrrCryptoAlgorithm CryptoAlgorithm { get; init; } = PccrrCryptoAlgorithm.Aes128;

    /// <summary>How far a content stream reads ahead of its position when it is read sequentially.</summary>
    public int ReadAheadBytes { get; init; } = DefaultReadAheadBytes;

    /// <summary>
    /// Where segments completed with origin bytes go to be offered to a hosted cache (hosted-cache mode); none by default.
    /// The node's PCCRR server must keep serving the cache for the hosted cache to pull them.
    /// </summary>
    public IContentOfferer? Offerer { get; init; }

    /// <summary>The clock (injectable for tests).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentException">A setting is missing or out of range.</exception>
    public void Validate()
    {
        if (Cache is null)
        {
            ThrowHelper.ThrowArgument("A content cache is required.", nameof(Cache));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBlocksInFlight, 1, nameof(MaxBlocksInFlight));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOriginRequestsInFlight, 1, nameof(MaxOriginRequestsInFlight));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOriginRequestBytes, PeerDistConstants.MaxSegmentLengthV2, nameof(MaxOriginRequestBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(PeerFailureLimit, 1, nameof(PeerFailureLimit));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PeerRequestTimeout, TimeSpan.Zero, nameof(PeerRequestTimeout));
        ArgumentOutOfRangeException.ThrowIfNegative(ReadAheadBytes, nameof(ReadAheadBytes));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        if ((uint)CryptoAlgorithm > (uint)PccrrCryptoAlgorithm.Aes256)
        {
            ThrowHelper.ThrowArgument("The crypto algorithm is not one of MS-PCCRR 2.2.3.", nameof(CryptoAlgorithm));
        }
    }
}
