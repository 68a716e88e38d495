namespace PeerDist.HostedCache;

/// <summary>The MS-PCHC version an offering client speaks (MS-PCHC 1.7: the version follows from the URL and transport).</summary>
public enum HostedCacheProtocolVersion
{
    /// <summary>Version 1.0: HTTPS (default port 443), INITIAL_OFFER then SEGMENT_INFO with the segment's hashes and Kp.</summary>
    V1 = 1,

    /// <summary>Version 2.0: plain HTTP (default port 80), BATCHED_OFFER of up to 128 segments; no Kp leaves the client.</summary>
    V2 = 2,
}
