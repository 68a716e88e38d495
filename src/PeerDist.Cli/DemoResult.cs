namespace PeerDist.Cli;

/// <summary>One node's download in <c>peerdist demo</c>.</summary>
internal sealed record DemoResult(int Node, long Length, long FromCache, long FromPeers, long FromOrigin, bool PeerDist, TimeSpan Elapsed, bool Verified);
