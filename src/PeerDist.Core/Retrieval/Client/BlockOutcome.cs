namespace PeerDist.Retrieval.Client;

/// <summary>How one block (or one exchange) requested by <see cref="PccrrClient"/> ended. Every block ends in exactly one.</summary>
public enum BlockOutcome
{
    /// <summary>The block arrived, decrypted and matched its hash; it is in the destination. For a block list or negotiation: the peer answered.</summary>
    Delivered = 0,

    /// <summary>
    /// The peer does not have the block: <c>SizeOfBlock</c> = 0 for a block nobody had advertised, or the block is not in
    /// the peer's <c>MSG_BLKLIST</c>.
    /// </summary>
    Missing = 1,

    /// <summary>
    /// The peer listed the block in its <c>MSG_BLKLIST</c> moments ago, then answered <c>SizeOfBlock</c> = 0: the empty
    /// answer a server gives at its Active Client Count threshold (MS-PCCRR 3.2). The wire cannot tell busy from missing;
    /// see <see cref="PccrrClient"/> for the rule.
    /// </summary>
    Busy = 2,

    /// <summary>
    /// The answer was malformed or did not match the request (message type, segment ID, block index, size, IV), or the
    /// block failed its hash. Nothing was written to the destination.
    /// </summary>
    BadData = 3,

    /// <summary>No answer within <see cref="PccrrClientOptions.RequestTimeout"/> (MS-PCCRR 3.1 Request Timer, wire.md §1.7).</summary>
    Timeout = 4,

    /// <summary>The peer shares no major protocol version with this client (MS-PCCRR 3.1.5.1); remembered for the client's lifetime.</summary>
    IncompatibleVersion = 5,

    /// <summary>The transport failed: connection refused or closed, or an HTTP status other than 200.</summary>
    TransportFailure = 6,
}
