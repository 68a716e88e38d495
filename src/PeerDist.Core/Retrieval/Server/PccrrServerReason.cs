namespace PeerDist.Retrieval.Server;

/// <summary>Why <see cref="PccrrServer"/> answered or dropped a request; for logs and metrics.</summary>
public enum PccrrServerReason
{
    /// <summary>No reason recorded.</summary>
    Unknown = 0,

    /// <summary>The request is not a valid PCCRR request (see <see cref="PccrrServerResult.Error"/>); dropped.</summary>
    Malformed,

    /// <summary>Bytes follow the request message in the body; dropped.</summary>
    TrailingData,

    /// <summary>A <c>MSG_NEGO_REQ</c> whose header major version is not supported; dropped (WPTS MessageHeader_VersionIncompatible).</summary>
    NegotiateVersionNotSupported,

    /// <summary>A <c>MSG_GETSEGLIST</c> under a 1.x header: the message does not exist before version 2.0 (MS-PCCRR 2.2.3); dropped.</summary>
    MessageNotInVersion,

    /// <summary>A <c>MSG_GETSEGLIST</c> with no segment identifiers; dropped (WPTS GetSegList_SegmentIDEmpty).</summary>
    NoSegmentIds,

    /// <summary>A <c>MSG_NEGO_REQ</c> answered with <c>MSG_NEGO_RESP</c>.</summary>
    Negotiated,

    /// <summary>A request whose major version is not supported, answered with <c>MSG_NEGO_RESP</c> (MS-PCCRR 3.2.5).</summary>
    VersionNotSupported,

    /// <summary>The active client count is at the threshold: an empty answer was sent (MS-PCCRR 3.2.1).</summary>
    Busy,

    /// <summary>A <c>MSG_BLKLIST</c> was sent (possibly with no ranges).</summary>
    BlockListSent,

    /// <summary>A <c>MSG_BLK</c> carrying the block, encrypted by this server, was sent.</summary>
    BlockSent,

    /// <summary>A <c>MSG_BLK</c> carrying a stored encrypted block, replayed verbatim, was sent.</summary>
    BlockReplayed,

    /// <summary>A <c>MSG_BLK</c> with <c>SizeOfBlock</c> = 0 was sent: the block is not held (or not servable).</summary>
    BlockNotHeld,

    /// <summary>A <c>MSG_GETBLKS</c> with no ranges, answered with an empty <c>MSG_BLK</c> (WPTS GetBlocks_BlockRangesEmpty).</summary>
    NoBlockRequested,

    /// <summary>A <c>MSG_SEGLIST</c> was sent (possibly with no ranges).</summary>
    SegmentListSent,
}
