namespace PeerDist.Http;

/// <summary>The names MS-PCCRTP adds to HTTP (2.2).</summary>
public static class PccrtpHeaderNames
{
    /// <summary>The header carrying the PeerDist version, the identity length and the missing-data flag.</summary>
    public const string PeerDist = "X-P2P-PeerDist";

    /// <summary>The PeerDist 1.1 header carrying the content information window and the hash-request flags.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "The header's own name.")]
    public const string PeerDistEx = "X-P2P-PeerDistEx";

    /// <summary>
    /// The content coding token in <c>Accept-Encoding</c> and <c>Content-Encoding</c>; compared case-insensitively
    /// (Windows servers send <c>peerdist</c>, the specification's example <c>PeerDist</c>).
    /// </summary>
    public const string ContentCoding = "peerdist";
}
