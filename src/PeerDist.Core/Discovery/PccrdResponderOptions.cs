using System.Net;

namespace PeerDist.Discovery;

/// <summary>Settings of a <see cref="PccrdResponder"/>; validated when the responder is created.</summary>
public sealed class PccrdResponderOptions
{
    /// <summary>
    /// Where this node serves MS-PCCRR, advertised in <c>XAddrs</c> (MS-PCCRD 2.2.3.8). At least one IPv4 or IPv6 address
    /// with a port; the unspecified address (0.0.0.0, ::) is not a valid advertisement.
    /// </summary>
    public IReadOnlyList<IPEndPoint> XAddrs { get; init; } = [];

    /// <summary><c>APP_MAX_DELAY</c>, the longest random back-off (MS-PCCRD 3.2.4.1); 65 ms by default, whole milliseconds.</summary>
    public TimeSpan MaxDelay { get; init; } = PccrdBackoff.DefaultMaxDelay;

    /// <summary>Reply suppression n (wire.md §2.5); 10 by default.</summary>
    public int SuppressionThreshold { get; init; } = PccrdReplySuppression.DefaultThreshold;

    /// <summary>Reply suppression p (wire.md §2.5); 0.33 by default.</summary>
    public double SuppressionProbability { get; init; } = PccrdReplySuppression.DefaultProbability;

    /// <summary>The random source of back-off, suppression and message identifiers; <see cref="Random.Shared"/> when null.</summary>
    public Random? Random { get; init; }

    /// <summary>The clock (the default <see cref="InstanceId"/>); <see cref="TimeProvider.System"/> by default.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// <c>AppSequence/@InstanceId</c> (MS-PCCRD 2.2.3.6): fixed for the responder's life and larger after a restart. When
    /// null: the creation time in seconds since 1970-01-01 UTC, as Windows 7 / 2008 R2 (wire.md §2.3).
    /// </summary>
    public uint? InstanceId { get; init; }

    /// <summary><c>EndpointReference/Address</c> (MS-PCCRD 2.2.3.4); a new <c>urn:uuid:</c> when null.</summary>
    public string? EndpointAddress { get; init; }

    /// <summary>Limits for reading Probes; <see cref="PccrdReaderOptions.Default"/> when null.</summary>
    public PccrdReaderOptions? ReaderOptions { get; init; }
}
