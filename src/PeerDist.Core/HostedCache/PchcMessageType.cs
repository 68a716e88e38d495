namespace PeerDist.HostedCache;

/// <summary>The PCHC request types (MS-PCHC 2.2.1.1 <c>Type</c>).</summary>
public enum PchcMessageType : ushort
{
    /// <summary>Version 1.0: "I have this segment" by its HoHoDk.</summary>
    InitialOffer = 1,

    /// <summary>Version 1.0: the segment's content information (hashes and Kp), after an INTERESTED answer.</summary>
    SegmentInfo = 2,

    /// <summary>Version 2.0: up to 128 segments offered at once.</summary>
    BatchedOffer = 3,
}
