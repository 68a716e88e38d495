namespace PeerDist.Discovery;

/// <summary>
/// The responder's view of the local cache (MS-PCCRD 3.2.1 Available Segment List): which segments it holds and how much
/// of each. Called from the receive loop, so it must be quick, must not block on I/O and must be safe to call from any thread.
/// </summary>
public interface IPccrdSegmentLookup
{
    /// <summary>What is held of <paramref name="segmentId"/> (HoHoDk); false when the segment is not held at all.</summary>
    bool TryGetSegment(ReadOnlySpan<byte> segmentId, out PccrdHeldSegment segment);
}
