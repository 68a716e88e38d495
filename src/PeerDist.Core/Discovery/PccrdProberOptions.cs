using System.Net;

namespace PeerDist.Discovery;

/// <summary>Settings of a <see cref="PccrdProber"/>; validated when the prober is created.</summary>
public sealed class PccrdProberOptions
{
    /// <summary>The default collection window: 300 ms, the Windows 7 / 2008 R2 request timer (MS-PCCRD note &lt;7&gt;, wire.md §2.5).</summary>
    public static TimeSpan DefaultWindow { get; } = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// How long ProbeMatches are collected for a Probe (the MS-PCCRD 3.1.2 request timer). It SHOULD NOT be shorter than
    /// the responders' <c>APP_MAX_DELAY</c> (65 ms on Windows). From 1 ms to one minute.
    /// </summary>
    public TimeSpan Window { get; init; } = DefaultWindow;

    /// <summary>
    /// The local subnets (MS-PCCRD 5.1: replies from elsewhere are ignored): a ProbeMatch is taken only when its source
    /// address is inside one of them, and only the <c>XAddrs</c> inside one of them are kept. The caller lists the
    /// prefixes of the interfaces it probes on (for a loopback interface: 127.0.0.0/8 and ::1/128). Empty means every
    /// reply is ignored.
    /// </summary>
    public IReadOnlyList<IPNetwork> LocalNetworks { get; init; } = [];

    /// <summary>The most Probes outstanding at once (each holds its replies until completed); 256 by default.</summary>
    public int MaxOutstandingProbes { get; init; } = 256;

    /// <summary>The random source of message identifiers; <see cref="Random.Shared"/> when null.</summary>
    public Random? Random { get; init; }

    /// <summary>The clock of the collection window; <see cref="TimeProvider.System"/> by default.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Limits for reading ProbeMatches; <see cref="PccrdReaderOptions.Default"/> when null.</summary>
    public PccrdReaderOptions? ReaderOptions { get; init; }
}
