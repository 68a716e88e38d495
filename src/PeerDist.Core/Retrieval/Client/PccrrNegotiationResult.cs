namespace PeerDist.Retrieval.Client;

/// <summary>The answer to one <c>MSG_NEGO_REQ</c> (MS-PCCRR 2.2.5.1), as <see cref="PccrrClient.NegotiateAsync"/> returns it.</summary>
/// <param name="Outcome"><see cref="BlockOutcome.Delivered"/> when a common version exists; otherwise why not.</param>
/// <param name="Version">The version this client now sends to the peer (highest common major, own highest minor); default unless delivered.</param>
/// <param name="PeerMinVersion">The peer's <c>MinSupportedProtocolVersion</c>, when a <c>MSG_NEGO_RESP</c> arrived.</param>
/// <param name="PeerMaxVersion">The peer's <c>MaxSupportedProtocolVersion</c>, when a <c>MSG_NEGO_RESP</c> arrived.</param>
public readonly record struct PccrrNegotiationResult(
    BlockOutcome Outcome,
    PccrrVersion Version,
    PccrrVersion PeerMinVersion,
    PccrrVersion PeerMaxVersion);
