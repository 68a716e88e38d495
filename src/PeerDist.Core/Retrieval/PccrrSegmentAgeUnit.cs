namespace PeerDist.Retrieval;

/// <summary>MS-PCCRR 2.2.6.1 <c>SegmentAgeUnits</c>: the unit of every age in a version 1 extensible blob.</summary>
public enum PccrrSegmentAgeUnit : byte
{
    /// <summary>Seconds (1).</summary>
    Seconds = 1,

    /// <summary>Tenths of a second (2).</summary>
    TenthsOfSecond = 2,

    /// <summary>Hundredths (3), the unit a sender SHOULD use.</summary>
    Hundredths = 3,

    /// <summary>Milliseconds (4).</summary>
    Milliseconds = 4,
}
