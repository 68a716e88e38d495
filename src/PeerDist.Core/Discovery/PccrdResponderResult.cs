namespace PeerDist.Discovery;

/// <summary>The outcome of <see cref="PccrdResponder.Respond"/> for one received datagram.</summary>
/// <param name="Action">What to do.</param>
/// <param name="Reply">For <see cref="PccrdResponderAction.Reply"/>: the encoded ProbeMatch (UTF-8); otherwise empty.</param>
/// <param name="Delay">For <see cref="PccrdResponderAction.Reply"/>: the random back-off to wait before sending (MS-PCCRD 3.2.4.1); otherwise zero.</param>
/// <param name="Error">For <see cref="PccrdResponderAction.Malformed"/>: why the datagram was dropped.</param>
public readonly record struct PccrdResponderResult(
    PccrdResponderAction Action,
    ReadOnlyMemory<byte> Reply,
    TimeSpan Delay,
    PeerDistFormatError Error)
{
    /// <summary>The Probe the datagram held (null when it was malformed): which segments a peer on the link is looking for.</summary>
    public PccrdProbe? Probe { get; init; }
}
