namespace PeerDist.Retrieval;

/// <summary>MS-PCCRR 2.2.3 <c>MsgType</c>. The values are exactly those of the specification table.</summary>
public enum PccrrMessageType : uint
{
    /// <summary><c>MSG_NEGO_REQ</c> (2.2.4.1), a request.</summary>
    NegotiateRequest = 0,

    /// <summary><c>MSG_NEGO_RESP</c> (2.2.5.1), a response.</summary>
    NegotiateResponse = 1,

    /// <summary><c>MSG_GETBLKLIST</c> (2.2.4.2), a request.</summary>
    GetBlockList = 2,

    /// <summary><c>MSG_GETBLKS</c> (2.2.4.3), a request.</summary>
    GetBlocks = 3,

    /// <summary><c>MSG_BLKLIST</c> (2.2.5.2), a response.</summary>
    BlockList = 4,

    /// <summary><c>MSG_BLK</c> (2.2.5.3), a response.</summary>
    Block = 5,

    /// <summary><c>MSG_GETSEGLIST</c> (2.2.4.4, version 2.0), a request. The spec table prints <c>0x0000006</c>, a typo for 6.</summary>
    GetSegmentList = 6,

    /// <summary><c>MSG_SEGLIST</c> (2.2.5.4, version 2.0), a response. The spec table prints <c>0x0000007</c>, a typo for 7.</summary>
    SegmentList = 7,
}
