using System.Buffers;
using System.Security.Cryptography;
using PeerDist.Cryptography;

namespace PeerDist.Retrieval.Server;

/// <summary>
/// The MS-PCCRR server role (3.2): turns one request body into one response body, with no sockets, timers or threads of
/// its own. The transport passes the HTTP request body and sends what was written when the result is
/// <see cref="PccrrServerAction.Respond"/>; on <see cref="PccrrServerAction.Drop"/> nothing was written and the request
/// must not be answered with a PCCRR message (wire.md §1.1).
/// </summary>
/// <remarks>
/// <para>Order of the checks for a request (MS-PCCRR 3.2.5):</para>
/// <list type="number">
/// <item>Decode; malformed, truncated or followed by extra bytes: drop.</item>
/// <item><c>MSG_NEGO_REQ</c>: a supported header major version gets <c>MSG_NEGO_RESP</c> with this server's min/max;
/// an unsupported one is dropped (WPTS <c>PccrrServer_MessageHeader_VersionIncompatible</c> expects silence, and
/// answering a negotiation with a negotiation gains nothing).</item>
/// <item>Any other request whose major version is not supported: <c>MSG_NEGO_RESP</c>.</item>
/// <item>Policy drops: <c>MSG_GETSEGLIST</c> under a 1.x header (it does not exist before 2.0) or with no segment IDs.</item>
/// <item>Busy (active client count at the threshold): the empty answer of MS-PCCRR 3.2.1.</item>
/// <item>Otherwise the count is raised while the reply is built and lowered afterwards (clamped at 0).</item>
/// </list>
/// <para>
/// The reply's <c>ProtVer</c> is the one MS-PCCRR 2.2.3 dictates for its type: 1.0 for <c>MSG_NEGO_RESP</c>,
/// <c>MSG_BLKLIST</c> and <c>MSG_BLK</c> (also for V2 content, wire.md §1.9), 2.0 for <c>MSG_SEGLIST</c>. Replies other
/// than an encrypted <c>MSG_BLK</c> carry <c>CryptoAlgoId</c> 0.
/// </para>
/// <para>
/// <c>MSG_GETBLKS</c> MUST name exactly one block; when it names more the server SHOULD serve the smallest index
/// (MS-PCCRR 2.2.4.3, 3.2.5), which is what happens here. <c>NextBlockIndex</c> of <c>MSG_BLK</c> is the first held block after
/// the one carried (0 when none), also when that block is not held. <c>NextBlockIndex</c> of <c>MSG_BLKLIST</c>
/// ("the first available block after the block sent", where no block is sent) is read as the first held block at or
/// after the end of the highest requested range, i.e. the first held block past everything the client asked about, so
/// it can continue from there; 0 when none.
/// </para>
/// <para>
/// The hot path (<c>MSG_GETBLKS</c> for a plaintext block) allocates nothing of its own: the block is read into a pooled
/// buffer (wiped afterwards), Kp into a wiped stack buffer, the IV is drawn into the stack, and the ciphertext is written
/// straight into the response writer's span. A stored encrypted block is copied by the source straight into the response.
/// </para>
/// </remarks>
public sealed class PccrrServer
{
    private const int MaxSegmentSecretLength = PeerDistConstants.MaxDigestLength;
    private const int MaxBlockRangesInReply = PeerDistConstants.MaxBlocksPerSegment / 2;

    private readonly IBlockSource _source;
    private readonly PccrrServerOptions _options;
    private int _activeClients;

    /// <summary>Creates a server over <paramref name="source"/>.</summary>
    /// <exception cref="ArgumentException">The options are inconsistent (min version above max, threshold below 1, unknown algorithm).</exception>
    public PccrrServer(IBlockSource source, PccrrServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= PccrrServerOptions.Default;
        if (options.MinVersion > options.MaxVersion)
        {
            ThrowHelper.ThrowArgument("The minimum version is above the maximum version.", nameof(options));
        }

        if ((uint)options.CryptoAlgorithm > (uint)PccrrCryptoAlgorithm.Aes256)
        {
            ThrowHelper.ThrowArgument("The crypto algorithm is not one of MS-PCCRR 2.2.3.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxActiveClients, 1, nameof(options));
        ArgumentNullException.ThrowIfNull(options.RandomFill, nameof(options));
        ArgumentNullException.ThrowIfNull(options.ReaderOptions, nameof(options));
        _source = source;
        _options = options;
    }

    /// <summary>The options the server runs with.</summary>
    public PccrrServerOptions Options => _options;

    /// <summary>MS-PCCRR 3.2.1 Active Client Count: requests being answered plus scopes taken with <see cref="EnterClient"/>.</summary>
    public int ActiveClientCount => Volatile.Read(ref _activeClients);

    /// <summary>
    /// Counts one more active client until the scope is disposed. <see cref="Handle(in ReadOnlySequence{byte}, IBufferWriter{byte})"/>
    /// counts each request itself while it builds the reply; a transport that keeps uploading afterwards (MS-PCCRR 3.2
    /// Upload Timer) takes a scope after the call and disposes it when the response is sent or the timer fires.
    /// </summary>
    public ActiveClientScope EnterClient()
    {
        Interlocked.Increment(ref _activeClients);
        return new ActiveClientScope(this);
    }

    /// <summary>Handles one request body held in one buffer.</summary>
    public PccrrServerResult Handle(ReadOnlyMemory<byte> request, IBufferWriter<byte> response) =>
        Handle(new ReadOnlySequence<byte>(request), response);

    /// <summary>
    /// Handles one request body (exactly one request message) and writes the response body (TRANSPORT_RESPONSE_HEADER +
    /// message) to <paramref name="response"/> when the result is <see cref="PccrrServerAction.Respond"/>. Never throws
    /// for bad request bytes; exceptions come only from the block source or the writer.
    /// </summary>
    public PccrrServerResult Handle(in ReadOnlySequence<byte> request, IBufferWriter<byte> response)
    {
        ArgumentNullException.ThrowIfNull(response);
        OperationStatus status = PccrrFrameDecoder.TryReadRequest(
            request, _options.ReaderOptions, out PccrrMessage message, out SequencePosition consumed, out _, out PeerDistFormatError error, out long errorOffset);
        switch (status)
        {
            case OperationStatus.Done:
                break;
            case OperationStatus.NeedMoreData:
                // The transport hands over a whole body: a message shorter than it declares is truncated, not pending.
                return new PccrrServerResult(PccrrServerAction.Drop, PccrrServerReason.Malformed, null, PeerDistFormatError.Truncated, request.Length);
            default:
                return new PccrrServerResult(PccrrServerAction.Drop, PccrrServerReason.Malformed, null, error, errorOffset);
        }

        PccrrMessageType type = message.MessageType;
        long used = request.Slice(0, consumed).Length;
        if (used != request.Length)
        {
            // MS-PCCRR 2.1: the body is exactly one request message.
            return new PccrrServerResult(PccrrServerAction.Drop, PccrrServerReason.TrailingData, type, PeerDistFormatError.TrailingData, used);
        }

        PccrrVersion version = message.Header.Version;
        bool supported = version.Major >= _options.MinVersion.Major && version.Major <= _options.MaxVersion.Major;
        if (type == PccrrMessageType.NegotiateRequest)
        {
            if (!supported)
            {
                return Drop(PccrrServerReason.NegotiateVersionNotSupported, type);
            }

            WriteNegotiateResponse(response);
            return Respond(PccrrServerReason.Negotiated, type);
        }

        if (!supported)
        {
            // MS-PCCRR 3.2.5 step 1: an unsupported major version is answered with the versions this server supports.
            WriteNegotiateResponse(response);
            return Respond(PccrrServerReason.VersionNotSupported, type);
        }

        if (type == PccrrMessageType.GetSegmentList)
        {
            PccrrGetSegmentListRequest getSegments = message.GetSegmentList;
            if (version.Major < PccrrVersion.V2.Major)
            {
                return Drop(PccrrServerReason.MessageNotInVersion, type);
            }

            if (getSegments.SegmentIds.IsEmpty)
            {
                return Drop(PccrrServerReason.NoSegmentIds, type);
            }
        }

        // MS-PCCRR 3.2.5 steps 3-5: busy check, count++ while the reply is built, count-- (clamped at 0).
        bool busy = !TryEnterForRequest();
        try
        {
            return type switch
            {
                PccrrMessageType.GetBlockList => HandleGetBlockList(message.GetBlockList, busy, response),
                PccrrMessageType.GetBlocks => HandleGetBlocks(message.GetBlocks, busy, response),
                _ => HandleGetSegmentList(message.GetSegmentList, busy, response),
            };
        }
        finally
        {
            if (!busy)
            {
                ExitClient();
            }
        }
    }

    internal void ExitClient()
    {
        int current = Volatile.Read(ref _activeClients);
        while (current > 0)
        {
            int seen = Interlocked.CompareExchange(ref _activeClients, current - 1, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private static PccrrServerResult Respond(PccrrServerReason reason, PccrrMessageType type) => new(PccrrServerAction.Respond, reason, type);

    private static PccrrServerResult Drop(PccrrServerReason reason, PccrrMessageType type) => new(PccrrServerAction.Drop, reason, type);

    private bool TryEnterForRequest()
    {
        int current = Volatile.Read(ref _activeClients);
        while (current < _options.MaxActiveClients)
        {
            int seen = Interlocked.CompareExchange(ref _activeClients, current + 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    private void WriteNegotiateResponse(IBufferWriter<byte> response) =>
        new PccrrNegotiateResponse(_options.MinVersion, _options.MaxVersion).Write(response);

    private PccrrServerResult HandleGetBlockList(in PccrrGetBlockListRequest request, bool busy, IBufferWriter<byte> response)
    {
        const PccrrMessageType Type = PccrrMessageType.GetBlockList;
        PccrrBlockRangeList requested = request.BlockRanges;
        if (busy || requested.IsEmpty)
        {
            new PccrrBlockListResponse(request.SegmentId, PccrrBlockRangeList.Empty, 0).Write(response);
            return Respond(busy ? PccrrServerReason.Busy : PccrrServerReason.BlockListSent, Type);
        }

        // Normalise the request into a 512-bit map (ranges are valid: the decoder checked Index + Count <= 512), so
        // overlapping, unsorted or adjacent ranges cost the source one lookup per distinct block.
        Span<ulong> wanted = stackalloc ulong[PeerDistConstants.MaxBlocksPerSegment / 64];
        wanted.Clear();
        uint end = 0;
        foreach (PccrrBlockRange range in requested)
        {
            for (uint i = range.Index; i < range.Index + range.Count; i++)
            {
                wanted[(int)(i >> 6)] |= 1UL << (int)(i & 63);
            }

            end = Math.Max(end, range.Index + range.Count);
        }

        ReadOnlySpan<byte> segmentId = request.SegmentId.Span;
        PccrrBlockRange[] ranges = ArrayPool<PccrrBlockRange>.Shared.Rent(MaxBlockRangesInReply);
        try
        {
            int count = 0;
            uint runStart = 0;
            bool inRun = false;
            for (uint i = 0; i <= end; i++)
            {
                bool held = i < end && (wanted[(int)(i >> 6)] & (1UL << (int)(i & 63))) != 0 && _source.ContainsBlock(segmentId, i);
                if (held && !inRun)
                {
                    runStart = i;
                    inRun = true;
                }
                else if (!held && inRun)
                {
                    // Runs are separated by at least one block, so there are at most 256 of them in 512 blocks.
                    ranges[count++] = new PccrrBlockRange(runStart, i - runStart);
                    inRun = false;
                }
            }

            uint next = FindHeldBlock(segmentId, end);
            new PccrrBlockListResponse(request.SegmentId, new ReadOnlyMemory<PccrrBlockRange>(ranges, 0, count), next).Write(response);
            return Respond(PccrrServerReason.BlockListSent, Type);
        }
        finally
        {
            ArrayPool<PccrrBlockRange>.Shared.Return(ranges);
        }
    }

    private PccrrServerResult HandleGetBlocks(in PccrrGetBlocksRequest request, bool busy, IBufferWriter<byte> response)
    {
        const PccrrMessageType Type = PccrrMessageType.GetBlocks;
        PccrrBlockRangeList requested = request.BlockRanges;
        if (requested.IsEmpty)
        {
            WriteMissingBlock(response, request.SegmentId, 0, 0);
            return Respond(busy ? PccrrServerReason.Busy : PccrrServerReason.NoBlockRequested, Type);
        }

        // MS-PCCRR 2.2.4.3, 3.2.5: one block per exchange; of several, the smallest index.
        uint index = requested[0].Index;
        foreach (PccrrBlockRange range in requested)
        {
            index = Math.Min(index, range.Index);
        }

        if (busy)
        {
            WriteMissingBlock(response, request.SegmentId, index, 0);
            return Respond(PccrrServerReason.Busy, Type);
        }

        ReadOnlySpan<byte> segmentId = request.SegmentId.Span;
        uint next = FindHeldBlock(segmentId, index + 1);
        if (_source.TryGetBlock(segmentId, index, out BlockSourceBlock block))
        {
            bool written = block.Format == BlockSourceFormat.Encrypted
                ? TryWriteStoredBlock(response, segmentId, index, next, block)
                : TryWriteEncryptedBlock(response, segmentId, index, next, block);
            if (written)
            {
                return Respond(block.Format == BlockSourceFormat.Encrypted ? PccrrServerReason.BlockReplayed : PccrrServerReason.BlockSent, Type);
            }
        }

        WriteMissingBlock(response, request.SegmentId, index, next);
        return Respond(PccrrServerReason.BlockNotHeld, Type);
    }

    private bool TryWriteEncryptedBlock(IBufferWriter<byte> response, ReadOnlySpan<byte> segmentId, uint index, uint next, in BlockSourceBlock block)
    {
        // A V1 block is at most 64 KiB and a V2 segment-as-block at most 128 KiB (MS-PCCRC 2.4.1.2).
        if ((uint)block.Length > PeerDistConstants.MaxSegmentLengthV2)
        {
            return false;
        }

        PccrrCryptoAlgorithm algorithm = _options.CryptoAlgorithm;
        Span<byte> secret = stackalloc byte[MaxSegmentSecretLength];
        Span<byte> iv = stackalloc byte[PeerDistBlockCipher.IVLength];
        byte[] plaintext = ArrayPool<byte>.Shared.Rent(block.Length);
        try
        {
            int secretLength = 0;
            if (algorithm != PccrrCryptoAlgorithm.None &&
                (!_source.TryReadSegmentSecret(segmentId, secret, out secretLength) ||
                 (uint)secretLength > (uint)secret.Length ||
                 secretLength < PeerDistBlockCipher.GetKeyLength(algorithm)))
            {
                return false;
            }

            Span<byte> data = plaintext.AsSpan(0, block.Length);
            if (!_source.TryReadPlaintext(segmentId, index, data))
            {
                return false;
            }

            int ivLength = PeerDistBlockCipher.GetIVLength(algorithm);
            iv = iv[..ivLength];
            _options.RandomFill(iv); // MS-PCCRR 5.1: a fresh IV per block
            PccrrBlockResponse.WriteEncrypted(response, segmentId, index, next, data, secret[..secretLength], algorithm, iv);
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
            CryptographicOperations.ZeroMemory(plaintext.AsSpan(0, block.Length));
            ArrayPool<byte>.Shared.Return(plaintext);
        }
    }

    private bool TryWriteStoredBlock(IBufferWriter<byte> response, ReadOnlySpan<byte> segmentId, uint index, uint next, in BlockSourceBlock block)
    {
        PccrrCryptoAlgorithm algorithm = block.CryptoAlgorithm;
        if ((uint)algorithm > (uint)PccrrCryptoAlgorithm.Aes256 || block.Length < 0)
        {
            return false;
        }

        int ivLength = PeerDistBlockCipher.GetIVLength(algorithm);
        int size = GetBlockMessageSize(segmentId.Length, block.Length, ivLength);
        if ((uint)size > PccrrReaderOptions.DefaultMaxResponseMessageSize)
        {
            return false;
        }

        int length = PccrrTransportResponseHeader.Size + size;
        Span<byte> destination = response.GetSpan(length)[..length];
        new PccrrTransportResponseHeader((uint)size).Write(destination);
        var writer = new PccrrFieldWriter(destination[PccrrTransportResponseHeader.Size..]);
        writer.WriteHeader(PccrrVersion.V1, PccrrMessageType.Block, size, algorithm);
        writer.WriteSegmentId(segmentId); // MS-PCCRR 2.2.5.3: SizeOfSegmentId, SegmentId, ZeroPad
        writer.WriteUInt32(index); // BlockIndex
        writer.WriteUInt32(next); // NextBlockIndex
        writer.WriteUInt32((uint)block.Length); // SizeOfBlock
        Span<byte> ciphertext = writer.Reserve(block.Length); // Block: the stored ciphertext, copied once by the source
        writer.WritePadding(); // ZeroPad_2
        writer.WriteUInt32(0); // SizeOfVrfBlock
        writer.WritePadding(); // ZeroPad_3
        writer.WriteUInt32((uint)ivLength); // SizeOfIVBlock
        Span<byte> iv = writer.Reserve(ivLength); // IVBlock (last field: no padding)
        writer.AssertComplete(size);
        if (!_source.TryReadEncrypted(segmentId, index, ciphertext, iv))
        {
            // Nothing was advanced: the span is simply overwritten by the miss answer.
            return false;
        }

        response.Advance(length);
        return true;
    }

    private static int GetBlockMessageSize(int segmentIdLength, int blockLength, int ivLength) =>
        PccrrMessageHeader.Size + PccrrFieldWriter.SegmentIdLength(segmentIdLength) + 12 +
        blockLength + PccrrFieldWriter.Padding(blockLength) + 4 + 4 + ivLength;

    private static void WriteMissingBlock(IBufferWriter<byte> response, ReadOnlyMemory<byte> segmentId, uint index, uint next) =>
        new PccrrBlockResponse(segmentId, index, next, ReadOnlySequence<byte>.Empty, ReadOnlyMemory<byte>.Empty, PccrrCryptoAlgorithm.None).Write(response);

    /// <summary>The first held block with index >= <paramref name="from"/>, or 0 when none (MS-PCCRR 2.2.5.2/2.2.5.3).</summary>
    private uint FindHeldBlock(ReadOnlySpan<byte> segmentId, uint from) =>
        from < PeerDistConstants.MaxBlocksPerSegment && _source.TryFindHeldBlock(segmentId, from, out uint index) ? index : 0;

    private PccrrServerResult HandleGetSegmentList(in PccrrGetSegmentListRequest request, bool busy, IBufferWriter<byte> response)
    {
        const PccrrMessageType Type = PccrrMessageType.GetSegmentList;
        if (busy)
        {
            new PccrrSegmentListResponse(request.RequestId, ReadOnlyMemory<PccrrSegmentRange>.Empty).Write(response);
            return Respond(PccrrServerReason.Busy, Type);
        }

        ReadOnlySpan<ReadOnlyMemory<byte>> ids = request.SegmentIds.Span;
        PccrrSegmentRange[] ranges = ArrayPool<PccrrSegmentRange>.Shared.Rent((ids.Length + 1) / 2);
        PccrrSegmentAge[] ages = ArrayPool<PccrrSegmentAge>.Shared.Rent(byte.MaxValue);
        byte[]? blob = null;
        try
        {
            int rangeCount = 0;
            int ageCount = 0;
            uint runStart = 0;
            bool inRun = false;
            for (int i = 0; i <= ids.Length; i++)
            {
                bool held = i < ids.Length && _source.ContainsSegment(ids[i].Span);
                if (held && !inRun)
                {
                    runStart = (uint)i;
                    inRun = true;
                }
                else if (!held && inRun)
                {
                    ranges[rangeCount++] = new PccrrSegmentRange(runStart, (uint)i - runStart);
                    inRun = false;
                }

                // MS-PCCRR 2.2.1.5: SegmentIndex is a byte, relative to the first segment of the message.
                if (held && i <= byte.MaxValue && ageCount < byte.MaxValue && _source.TryGetSegmentAge(ids[i].Span, out TimeSpan age))
                {
                    ages[ageCount++] = new PccrrSegmentAge((byte)i, ToHundredths(age));
                }
            }

            ReadOnlyMemory<byte> blobBytes = ReadOnlyMemory<byte>.Empty;
            if (ageCount > 0)
            {
                // MS-PCCRR 2.2.6.1: a sender SHOULD use hundredths of a second.
                var ageBlob = new PccrrSegmentAgeBlob(PccrrSegmentAgeUnit.Hundredths, new ReadOnlyMemory<PccrrSegmentAge>(ages, 0, ageCount));
                blob = ArrayPool<byte>.Shared.Rent(ageBlob.GetEncodedLength());
                ageBlob.TryWrite(blob, out int blobLength);
                blobBytes = new ReadOnlyMemory<byte>(blob, 0, blobLength);
            }

            new PccrrSegmentListResponse(request.RequestId, new ReadOnlyMemory<PccrrSegmentRange>(ranges, 0, rangeCount), blobBytes).Write(response);
            return Respond(PccrrServerReason.SegmentListSent, Type);
        }
        finally
        {
            ArrayPool<PccrrSegmentRange>.Shared.Return(ranges);
            ArrayPool<PccrrSegmentAge>.Shared.Return(ages);
            if (blob is not null)
            {
                ArrayPool<byte>.Shared.Return(blob);
            }
        }
    }

    private static uint ToHundredths(TimeSpan age)
    {
        if (age <= TimeSpan.Zero)
        {
            return 0;
        }

        long hundredths = age.Ticks / (TimeSpan.TicksPerMillisecond * 10);
        return hundredths >= PccrrSegmentAge.MaxAge ? PccrrSegmentAge.MaxAge : (uint)hundredths;
    }
}
