namespace PeerDist.Discovery;

/// <summary>What <see cref="PccrdResponder.Respond"/> decided about one datagram.</summary>
public enum PccrdResponderAction
{
    /// <summary>Answer: send <see cref="PccrdResponderResult.Reply"/> unicast to the Probe's source after <see cref="PccrdResponderResult.Delay"/>.</summary>
    Reply,

    /// <summary>The datagram is not a valid PeerDist Probe (MS-PCCRD 3.2.4.1: malformed messages are dropped); counted.</summary>
    Malformed,

    /// <summary>A valid Probe for segments this node does not hold: dropped silently (MS-PCCRD 3.2.4.1).</summary>
    NotHeld,

    /// <summary>A valid Probe for held segments, but the reply-suppression rule said not to answer (wire.md §2.5).</summary>
    Suppressed,
}
