namespace PeerDist.Discovery;

/// <summary>
/// What a responder holds of one segment (the MS-PCCRD 3.2.1 Available Segment List entry), as an
/// <see cref="IPccrdSegmentLookup"/> reports it.
/// </summary>
/// <param name="BlockCount">The number of blocks of the segment held (version 1.0 <c>BlockCount</c>, MS-PCCRD 2.2.3.9); 0 means none.</param>
/// <param name="Availability">The version 2.0 two-bit entry (MS-PCCRD 2.2.3.3): some blocks, all blocks, or none.</param>
/// <param name="Age">How long ago the segment was cached (version 2.0 <c>SegmentAges</c>); null when unknown.</param>
/// <param name="ObservedReplies">
/// When this node downloaded the segment itself: the ProbeMatches it received for it (reply suppression, MS-PCCRD note
/// &lt;8&gt;, wire.md §2.5); 0 when unknown, which means "always answer".
/// </param>
/// <param name="ObservedFullReplies">How many of <paramref name="ObservedReplies"/> offered the full segment.</param>
public readonly record struct PccrdHeldSegment(
    uint BlockCount,
    PccrdSegmentAvailability Availability,
    TimeSpan? Age = null,
    int ObservedReplies = 0,
    int ObservedFullReplies = 0);
