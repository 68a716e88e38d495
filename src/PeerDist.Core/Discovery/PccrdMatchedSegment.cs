namespace PeerDist.Discovery;

/// <summary>
/// What a ProbeMatch says about one segment of the Probe it answers (<see cref="PccrdProbeMatch.Match(PccrdProbe)"/>),
/// in the same shape for both versions.
/// </summary>
/// <param name="SegmentId">The segment identifier, as the Probe lists it.</param>
/// <param name="Availability">
/// Version 2.0: the two-bit entry of the <c>Scopes</c> bit array. Version 1.0 has no such entry; it is
/// <see cref="PccrdSegmentAvailability.SomeBlocks"/> when <paramref name="BlockCount"/> is above 0, else
/// <see cref="PccrdSegmentAvailability.None"/>.
/// </param>
/// <param name="BlockCount">Version 1.0: the <c>BlockCount</c> entry; null for version 2.0.</param>
/// <param name="Age">Version 2.0: the segment age from <c>SegmentAges</c> when the responder sent one for this segment; else null.</param>
public readonly record struct PccrdMatchedSegment(
    ReadOnlyMemory<byte> SegmentId,
    PccrdSegmentAvailability Availability,
    uint? BlockCount,
    TimeSpan? Age);
