using System.Net;
using System.Net.Sockets;
using PeerDist.Retrieval;

namespace PeerDist.Discovery;

/// <summary>
/// The server side of MS-PCCRD (3.2): decides whether a received Probe datagram is answered and produces the ProbeMatch.
/// Pure and deterministic under an injected clock and random source; the transport sends the reply and waits the delay.
/// </summary>
/// <remarks>
/// <para>
/// Per MS-PCCRD 3.2.4.1: a datagram that is not a valid PeerDist Probe is dropped and counted, never thrown; a Probe none
/// of whose segments is held is dropped silently; otherwise the reply is sent after a random back-off in [1 ms,
/// <c>APP_MAX_DELAY</c>]. The reply has the Probe's version, <c>RelatesTo</c> = the Probe's <c>MessageID</c>, a fixed
/// <c>InstanceId</c> and a <c>MessageNumber</c> that starts at 1 and grows by one per reply (MS-PCCRD 2.2.3.6/2.2.3.7).
/// </para>
/// <para>
/// The Windows 7 reply-suppression rule (note &lt;8&gt;, wire.md §2.5) is applied per segment: a segment it suppresses is
/// left out of the reply, and a Probe whose every held segment is suppressed is not answered.
/// </para>
/// <para>
/// Thread-safe when the injected <see cref="Random"/> is (<see cref="Random.Shared"/> is); a receive loop normally calls
/// it from one thread.
/// </para>
/// </remarks>
public sealed class PccrdResponder
{
    private readonly IPccrdSegmentLookup _lookup;
    private readonly IPEndPoint[] _xAddrs;
    private readonly Random _random;
    private readonly PccrdBackoff _backoff;
    private readonly PccrdReplySuppression _suppression;
    private readonly PccrdReaderOptions _readerOptions;
    private readonly Lock _randomGate = new();
    private long _messageNumber;
    private long _probes;
    private long _malformed;
    private long _notHeld;
    private long _suppressed;
    private long _replies;

    /// <summary>Creates a responder answering from <paramref name="lookup"/>.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public PccrdResponder(PccrdResponderOptions options, IPccrdSegmentLookup lookup)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(options.XAddrs);
        ArgumentNullException.ThrowIfNull(options.TimeProvider);
        _xAddrs = [.. options.XAddrs];
        if (_xAddrs.Length == 0)
        {
            ThrowHelper.ThrowArgument("The responder advertises at least one PCCRR endpoint (XAddrs).", nameof(options));
        }

        foreach (IPEndPoint x in _xAddrs)
        {
            if (x is null || x.Port == 0 || x.Address.Equals(IPAddress.Any) || x.Address.Equals(IPAddress.IPv6Any)
                || x.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            {
                ThrowHelper.ThrowArgument("Each XAddrs entry is a concrete IPv4 or IPv6 address with a port.", nameof(options));
            }
        }

        _lookup = lookup;
        _random = options.Random ?? Random.Shared;
        _backoff = new PccrdBackoff(options.MaxDelay, _random);
        _suppression = new PccrdReplySuppression(options.SuppressionThreshold, options.SuppressionProbability, _random);
        _readerOptions = options.ReaderOptions ?? PccrdReaderOptions.Default;
        InstanceId = options.InstanceId ?? (uint)Math.Clamp(options.TimeProvider.GetUtcNow().ToUnixTimeSeconds(), 0, uint.MaxValue);
        string? address = options.EndpointAddress;
        if (address is null)
        {
            lock (_randomGate)
            {
                address = PccrdUuid.NewUrn(_random);
            }
        }

        PccrdFields.ValidateUri(address, nameof(options));
        EndpointAddress = address;
    }

    /// <summary><c>AppSequence/@InstanceId</c> of every reply.</summary>
    public uint InstanceId { get; }

    /// <summary><c>EndpointReference/Address</c> of every reply.</summary>
    public string EndpointAddress { get; }

    /// <summary>A snapshot of the counters.</summary>
    public PccrdResponderStatistics Statistics => new(
        Interlocked.Read(ref _probes),
        Interlocked.Read(ref _malformed),
        Interlocked.Read(ref _notHeld),
        Interlocked.Read(ref _suppressed),
        Interlocked.Read(ref _replies));

    /// <summary>Decides what to do with one received datagram. Never throws for bad data.</summary>
    public PccrdResponderResult Respond(ReadOnlyMemory<byte> datagram)
    {
        Interlocked.Increment(ref _probes);
        if (!PccrdProbe.TryRead(datagram, _readerOptions, out PccrdProbe? probe, out PeerDistFormatError error, out _))
        {
            Interlocked.Increment(ref _malformed);
            return new PccrdResponderResult(PccrdResponderAction.Malformed, default, TimeSpan.Zero, error);
        }

        PccrdResponderResult result = probe.Version == PccrdVersion.V1 ? RespondV1(probe) : RespondV2(probe);
        return result with { Probe = probe };
    }

    private PccrdResponderResult RespondV1(PccrdProbe probe)
    {
        var counts = new List<PccrdSegmentBlockCount>();
        bool anyHeld = false;
        foreach (ReadOnlyMemory<byte> id in probe.SegmentIds)
        {
            // MS-PCCRD 2.2.3.9: a count of 0 says nothing useful (iPXE drops it), so only segments with blocks are listed.
            if (!_lookup.TryGetSegment(id.Span, out PccrdHeldSegment held) || held.BlockCount == 0 || ContainsId(counts, id.Span))
            {
                continue;
            }

            anyHeld = true;
            if (ShouldAnswer(held))
            {
                counts.Add(new PccrdSegmentBlockCount(id, held.BlockCount));
            }
        }

        if (counts.Count == 0)
        {
            return NoReply(anyHeld);
        }

        PccrdProbeMatch match = PccrdProbeMatch.CreateV1(NewMessageId(), probe.MessageId, NextAppSequence(), EndpointAddress, _xAddrs, counts);
        return Reply(match);
    }

    private PccrdResponderResult RespondV2(PccrdProbe probe)
    {
        var availability = new PccrdSegmentAvailability[probe.SegmentIds.Count];
        var ages = new List<(int Index, TimeSpan Age)>();
        bool anyHeld = false;
        bool anyAnswered = false;
        for (int i = 0; i < availability.Length; i++)
        {
            if (!_lookup.TryGetSegment(probe.SegmentIds[i].Span, out PccrdHeldSegment held)
                || (held.Availability & PccrdSegmentAvailability.SomeBlocks) == 0)
            {
                continue;
            }

            anyHeld = true;
            if (!ShouldAnswer(held))
            {
                continue;
            }

            anyAnswered = true;
            availability[i] = held.Availability; // MS-PCCRD 2.2.3.3: one two-bit entry per requested segment, in Probe order
            if (held.Age is { } age)
            {
                ages.Add((i, age));
            }
        }

        if (!anyAnswered)
        {
            return NoReply(anyHeld);
        }

        PccrdProbeMatch match = PccrdProbeMatch.CreateV2(NewMessageId(), probe.MessageId, NextAppSequence(), EndpointAddress, _xAddrs, availability, EncodeAges(ages));
        return Reply(match);
    }

    /// <summary>
    /// MS-PCCRD 2.2.3.9 <c>SegmentAges</c>: the MS-PCCRR 2.2.6 blob, in hundredths of a second (the unit a sender SHOULD
    /// use) unless an age does not fit 24 bits, then in seconds (ages beyond that are clamped).
    /// </summary>
    private static PccrrSegmentAgeBlob EncodeAges(List<(int Index, TimeSpan Age)> ages)
    {
        long maxTicks = 0;
        foreach ((_, TimeSpan age) in ages)
        {
            maxTicks = Math.Max(maxTicks, age.Ticks);
        }

        bool hundredths = maxTicks / (TimeSpan.TicksPerSecond / 100) <= PccrrSegmentAge.MaxAge;
        long ticksPerUnit = hundredths ? TimeSpan.TicksPerSecond / 100 : TimeSpan.TicksPerSecond;
        var entries = new PccrrSegmentAge[ages.Count];
        for (int i = 0; i < entries.Length; i++)
        {
            long units = Math.Clamp(ages[i].Age.Ticks / ticksPerUnit, 0, PccrrSegmentAge.MaxAge);
            entries[i] = new PccrrSegmentAge((byte)ages[i].Index, (uint)units);
        }

        return new PccrrSegmentAgeBlob(hundredths ? PccrrSegmentAgeUnit.Hundredths : PccrrSegmentAgeUnit.Seconds, entries);
    }

    private static bool ContainsId(List<PccrdSegmentBlockCount> counts, ReadOnlySpan<byte> id)
    {
        foreach (PccrdSegmentBlockCount count in counts)
        {
            if (count.SegmentId.Span.SequenceEqual(id))
            {
                return true;
            }
        }

        return false;
    }

    private bool ShouldAnswer(PccrdHeldSegment held)
    {
        lock (_randomGate)
        {
            return _suppression.ShouldAnswer(Math.Max(0, held.ObservedReplies), Math.Max(0, held.ObservedFullReplies));
        }
    }

    private PccrdResponderResult NoReply(bool anyHeld)
    {
        Interlocked.Increment(ref anyHeld ? ref _suppressed : ref _notHeld);
        return new PccrdResponderResult(anyHeld ? PccrdResponderAction.Suppressed : PccrdResponderAction.NotHeld, default, TimeSpan.Zero, PeerDistFormatError.Unknown);
    }

    private PccrdResponderResult Reply(PccrdProbeMatch match)
    {
        TimeSpan delay;
        lock (_randomGate)
        {
            delay = _backoff.NextDelay(); // MS-PCCRD 3.2.4.1: uniform in [1 ms, APP_MAX_DELAY]
        }

        Interlocked.Increment(ref _replies);
        return new PccrdResponderResult(PccrdResponderAction.Reply, match.ToArray(), delay, PeerDistFormatError.Unknown);
    }

    private string NewMessageId()
    {
        lock (_randomGate)
        {
            return PccrdUuid.NewUrn(_random);
        }
    }

    // MS-PCCRD 2.2.3.7: MessageNumber starts at 1 and grows by one per message sent under the InstanceId.
    private PccrdAppSequence NextAppSequence() =>
        new(InstanceId, unchecked((uint)Interlocked.Increment(ref _messageNumber)));
}
