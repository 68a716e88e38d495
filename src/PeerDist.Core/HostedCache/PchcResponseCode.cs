namespace PeerDist.HostedCache;

/// <summary>The hosted cache's answer to an offer (MS-PCHC 2.2.2 <c>ResponseCode</c>).</summary>
public enum PchcResponseCode : byte
{
    /// <summary>The hosted cache has what it needs (or will pull it); nothing more to send.</summary>
    Ok = 0,

    /// <summary>Version 1.0: the hosted cache lacks the segment's hashes; send SEGMENT_INFO.</summary>
    Interested = 1,
}
