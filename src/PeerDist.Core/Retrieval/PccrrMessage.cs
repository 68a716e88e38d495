namespace PeerDist.Retrieval;

/// <summary>
/// One decoded PCCRR message of any type (MS-PCCRR 2.2.4, 2.2.5), as the frame decoder returns it: switch on
/// <see cref="MessageType"/>, then read the matching property. Byte fields of the message are slices of the decoder's
/// input, valid until the next read or <c>Advance</c>.
/// </summary>
public readonly struct PccrrMessage
{
    private readonly PccrrNegotiateRequest _negotiateRequest;
    private readonly PccrrNegotiateResponse _negotiateResponse;
    private readonly PccrrGetBlockListRequest _getBlockList;
    private readonly PccrrGetBlocksRequest _getBlocks;
    private readonly PccrrBlockListResponse _blockList;
    private readonly PccrrBlockResponse _block;
    private readonly PccrrGetSegmentListRequest _getSegmentList;
    private readonly PccrrSegmentListResponse _segmentList;

    internal PccrrMessage(PccrrMessageHeader header, PccrrNegotiateRequest message)
    {
        Header = header;
        _negotiateRequest = message;
    }

    internal PccrrMessage(PccrrMessageHeader header, PccrrNegotiateResponse message)
    {
        Header = header;
        _negotiateResponse = message;
    }

    internal PccrrMessage(PccrrMessageHeader header, PccrrGetBlockListRequest message)
    {
        Header = header;
        _getBlockList = message;
    }

    internal PccrrMessage(PccrrMessageHeader header, PccrrGetBlocksRequest message)
    {
        Header = header;
        _getBlocks = message;
    }

    internal PccrrMessage(PccrrMessageHeader header, PccrrBlockListResponse message)
    {
        Header = header;
        _blockList = message;
    }

    internal PccrrMessage(PccrrMessageHeader header, PccrrBlockResponse message)
    {
        Header = header;
        _block = message;
    }

    internal PccrrMessage(PccrrMessageHeader header, PccrrGetSegmentListRequest message)
    {
        Header = header;
        _getSegmentList = message;
    }

    internal PccrrMessage(PccrrMessageHeader header, PccrrSegmentListResponse message)
    {
        Header = header;
        _segmentList = message;
    }

    /// <summary>The MESSAGE_HEADER as received.</summary>
    public PccrrMessageHeader Header { get; }

    /// <summary>The message type (<c>MsgType</c>).</summary>
    public PccrrMessageType MessageType => Header.MessageType;

    /// <summary>The <c>MSG_NEGO_REQ</c>.</summary>
    /// <exception cref="InvalidOperationException"><see cref="MessageType"/> is not <see cref="PccrrMessageType.NegotiateRequest"/>.</exception>
    public PccrrNegotiateRequest NegotiateRequest => Get(PccrrMessageType.NegotiateRequest, _negotiateRequest);

    /// <summary>The <c>MSG_NEGO_RESP</c>.</summary>
    /// <exception cref="InvalidOperationException"><see cref="MessageType"/> is not <see cref="PccrrMessageType.NegotiateResponse"/>.</exception>
    public PccrrNegotiateResponse NegotiateResponse => Get(PccrrMessageType.NegotiateResponse, _negotiateResponse);

    /// <summary>The <c>MSG_GETBLKLIST</c>.</summary>
    /// <exception cref="InvalidOperationException"><see cref="MessageType"/> is not <see cref="PccrrMessageType.GetBlockList"/>.</exception>
    public PccrrGetBlockListRequest GetBlockList => Get(PccrrMessageType.GetBlockList, _getBlockList);

    /// <summary>The <c>MSG_GETBLKS</c>.</summary>
    /// <exception cref="InvalidOperationException"><see cref="MessageType"/> is not <see cref="PccrrMessageType.GetBlocks"/>.</exception>
    public PccrrGetBlocksRequest GetBlocks => Get(PccrrMessageType.GetBlocks, _getBlocks);

    /// <summary>The <c>MSG_BLKLIST</c>.</summary>
    /// <exception cref="InvalidOperationException"><see cref="MessageType"/> is not <see cref="PccrrMessageType.BlockList"/>.</exception>
    public PccrrBlockListResponse BlockList => Get(PccrrMessageType.BlockList, _blockList);

    /// <summary>The <c>MSG_BLK</c>.</summary>
    /// <exception cref="InvalidOperationException"><see cref="MessageType"/> is not <see cref="PccrrMessageType.Block"/>.</exception>
    public PccrrBlockResponse Block => Get(PccrrMessageType.Block, _block);

    /// <summary>The <c>MSG_GETSEGLIST</c>.</summary>
    /// <exception cref="InvalidOperationException"><see cref="MessageType"/> is not <see cref="PccrrMessageType.GetSegmentList"/>.</exception>
    public PccrrGetSegmentListRequest GetSegmentList => Get(PccrrMessageType.GetSegmentList, _getSegmentList);

    /// <summary>The <c>MSG_SEGLIST</c>.</summary>
    /// <exception cref="InvalidOperationException"><see cref="MessageType"/> is not <see cref="PccrrMessageType.SegmentList"/>.</exception>
    public PccrrSegmentListResponse SegmentList => Get(PccrrMessageType.SegmentList, _segmentList);

    private T Get<T>(PccrrMessageType type, T value)
    {
        if (Header.MessageType != type || Header.MessageSize == 0)
        {
            ThrowHelper.ThrowInvalidOperation("The message is of another type.");
        }

        return value;
    }
}
