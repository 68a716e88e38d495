namespace PeerDist.Discovery;

/// <summary>Counters of a <see cref="PccrdResponder"/> since it was created (a snapshot).</summary>
/// <param name="Probes">Datagrams handed to the responder.</param>
/// <param name="Malformed">Datagrams dropped because they were not valid PeerDist Probes.</param>
/// <param name="NotHeld">Valid Probes for segments not held (no reply).</param>
/// <param name="Suppressed">Valid Probes for held segments that reply suppression left unanswered.</param>
/// <param name="Replies">ProbeMatches produced.</param>
public readonly record struct PccrdResponderStatistics(long Probes, long Malformed, long NotHeld, long Suppressed, long Replies);
