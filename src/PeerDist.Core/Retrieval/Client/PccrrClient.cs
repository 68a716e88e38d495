using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using PeerDist.Content;
using PeerDist.Cryptography;

namespace PeerDist.Retrieval.Client;

/// <summary>
/// The requesting side of MS-PCCRR (3.1): fetches blocks of a segment from one peer, decrypts them and verifies them against
/// the content information before a single byte reaches the caller. Pure: all I/O goes through <see cref="IPccrrTransport"/>.
/// </summary>
/// <remarks>
/// <para>
/// <b>Outcomes.</b> Every block ends in exactly one <see cref="BlockOutcome"/>; bad data from a peer never throws.
/// Exceptions are reserved for caller misuse (<see cref="ArgumentException"/>) and for the caller's own cancellation
/// (<see cref="OperationCanceledException"/>). Expiry of the Request Timer (<see cref="PccrrClientOptions.RequestTimeout"/>,
/// measured on <see cref="PccrrClientOptions.TimeProvider"/>) is <see cref="BlockOutcome.Timeout"/>.
/// </para>
/// <para>
/// <b>Busy versus missing.</b> A busy server (MS-PCCRR 3.2, Active Client Count threshold) and a server without the block
/// both send <c>SizeOfBlock</c> = 0 (or an empty <c>MSG_BLKLIST</c>); the wire cannot tell them apart. This client calls an
/// empty <c>MSG_BLK</c> <see cref="BlockOutcome.Busy"/> only when the same peer listed that block in the
/// <c>MSG_BLKLIST</c> of the same <see cref="GetBlocksAsync"/> call (it said it had the block a moment ago), and
/// <see cref="BlockOutcome.Missing"/> otherwise, including every empty <c>MSG_BLKLIST</c>.
/// </para>
/// <para>
/// <b>Decryption (wire.md §1.8).</b> The whole <c>Block</c> is decrypted with the algorithm the <c>MSG_BLK</c> names, the
/// first N bytes are kept (N from <see cref="ContentSegment.GetBlockRange"/>), and PKCS#7 padding is never checked. The
/// plaintext goes to a pooled scratch buffer, is hashed (V1: the listed block hash; V2: the segment's HoD, the segment
/// being block 0), and is copied to the destination only when the hash matches; the scratch buffer is zeroed before it is
/// returned. The ciphertext must be a multiple of 16 bytes between N and N + 16 (any CBC padding of at most one block)
/// for AES, and exactly N bytes without encryption; <c>SizeOfIVBlock</c> must be 16 for AES and 0 without.
/// </para>
/// <para>
/// <b>Checks on answers (MS-PCCRR 3.1, wire.md §1.7).</b> The response must decode completely with
/// <see cref="PccrrClientOptions.ReaderOptions"/>, be of the expected type, carry the requested segment ID (checked on
/// <c>MSG_BLKLIST</c> too, although Windows does not, note &lt;11&gt;) and block index, and a <c>MSG_BLKLIST</c> may only
/// list blocks inside the requested ranges. A response whose <c>ProtVer</c> major lies outside this client's range makes
/// the peer <see cref="BlockOutcome.IncompatibleVersion"/>. Within the range the response's version need not equal the
/// request's: the current spec fixes <c>ProtVer</c> by message type (1.0 for <c>MSG_BLK</c>) while older text has the
/// server answer with its own highest minor, so both are accepted.
/// </para>
/// <para>
/// <b>Version negotiation (MS-PCCRR 3.1.5.1).</b> Requests carry <c>ProtVer</c> 1.0 (or the version negotiated with that
/// peer). When a <c>MSG_NEGO_RESP</c> answers a <c>MSG_GETBLKLIST</c> or <c>MSG_GETBLKS</c>, the highest major both ranges
/// share is picked, this client uses its own highest minor within it (its <see cref="PccrrClientOptions.MaxVersion"/>
/// minor for that major, else its <see cref="PccrrClientOptions.MinVersion"/> minor for that major, else 0), and the
/// request is sent once more. No common major, or a second <c>MSG_NEGO_RESP</c>, makes the peer incompatible for the
/// lifetime of the client: later requests to it end in <see cref="BlockOutcome.IncompatibleVersion"/> without being sent.
/// </para>
/// <para>
/// <b>A failing peer.</b> Within one <see cref="GetBlocksAsync"/> call, once an exchange ends in
/// <see cref="BlockOutcome.BadData"/>, <see cref="BlockOutcome.Timeout"/>, <see cref="BlockOutcome.TransportFailure"/> or
/// <see cref="BlockOutcome.IncompatibleVersion"/>, the remaining blocks are not requested from that peer and carry the same
/// outcome (MS-PCCRR 3.1, wire.md §1.7: discard and abort; WPTS expects no further <c>MSG_GETBLKS</c> after a bad answer).
/// </para>
/// <para>Thread-safe: calls may run concurrently; the only shared state is the per-peer version table.</para>
/// </remarks>
public sealed partial class PccrrClient
{
    private readonly IPccrrTransport _transport;
    private readonly PccrrClientOptions _options;
    private readonly ConcurrentDictionary<EndPoint, PeerVersion> _peers = new();

    /// <summary>Creates a client over <paramref name="transport"/>.</summary>
    public PccrrClient(IPccrrTransport transport, PccrrClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        _transport = transport;
        _options = options ?? PccrrClientOptions.Default;
        if (_options.MinVersion > _options.MaxVersion)
        {
            ThrowHelper.ThrowArgument("The minimum version is above the maximum version.", nameof(options));
        }
    }

    /// <summary>The options in use.</summary>
    public PccrrClientOptions Options => _options;

    /// <summary>The version this client sends to <paramref name="peer"/>: negotiated, 1.0 when never negotiated, null when the peer is incompatible.</summary>
    public PccrrVersion? GetPeerVersion(EndPoint peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (!_peers.TryGetValue(peer, out PeerVersion state))
        {
            return PccrrVersion.V1;
        }

        return state.Incompatible ? null : state.Version;
    }

    /// <summary>
    /// Fetches block <paramref name="blockIndex"/> of <paramref name="segment"/> with one <c>MSG_GETBLKS</c> (simple download)
    /// into the start of <paramref name="destination"/>. For V2 content the segment is block 0.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The segment has no such block, or its hash is not listed.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than the block.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<BlockOutcome> GetBlockAsync(
        EndPoint peer,
        ContentSegment segment,
        int blockIndex,
        Memory<byte> destination,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(segment);
        ValidateBlock(segment, blockIndex);
        if (destination.Length < segment.GetBlockRange(blockIndex).Length)
        {
            ThrowHelper.ThrowArgument("The destination is shorter than the block.", nameof(destination));
        }

        return FetchBlockAsync(peer, segment, blockIndex, listed: false, destination, cancellationToken);
    }

    /// <summary>
    /// Fetches blocks <paramref name="firstBlock"/> .. <paramref name="firstBlock"/> + <paramref name="count"/> − 1 into
    /// <paramref name="destination"/> (block k at offset (k − <paramref name="firstBlock"/>) × <see cref="ContentSegment.BlockSize"/>)
    /// and writes one outcome per block into <paramref name="outcomes"/>. Runs shorter than
    /// <see cref="PccrrClientOptions.SimpleDownloadThreshold"/> use one <c>MSG_GETBLKS</c> per block; longer runs ask for a
    /// <c>MSG_GETBLKLIST</c> first and then request only the listed blocks; a segment of one block (every V2 segment) always
    /// uses simple download. Returns the number of blocks delivered.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range leaves the segment, or a block hash is not listed.</exception>
    /// <exception cref="ArgumentException">A buffer is too short.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<int> GetBlocksAsync(
        EndPoint peer,
        ContentSegment segment,
        int firstBlock,
        int count,
        Memory<byte> destination,
        Memory<BlockOutcome> outcomes,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(firstBlock);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, segment.BlockCount - firstBlock);
        for (int i = firstBlock; i < firstBlock + count; i++)
        {
            ValidateBlock(segment, i);
        }

        long needed = segment.GetBlockRange(firstBlock + count - 1).End - segment.GetBlockRange(firstBlock).Start;
        if (destination.Length < needed)
        {
            ThrowHelper.ThrowArgument("The destination is shorter than the blocks.", nameof(destination));
        }

        if (outcomes.Length < count)
        {
            ThrowHelper.ThrowArgument("There must be one outcome per block.", nameof(outcomes));
        }

        return FetchBlocksAsync(peer, segment, firstBlock, count, destination, outcomes, cancellationToken);
    }

    /// <summary>
    /// Fetches block <paramref name="blockIndex"/> of the segment <paramref name="segmentId"/> with one <c>MSG_GETBLKS</c> and
    /// returns it as received, without decrypting it: what a version 2.0 hosted cache does, since a BATCHED_OFFER gives it
    /// neither Kp nor HoD (MS-PCHC 2.2.1.5, wire.md §3.2). The answer is checked as far as that is possible without the key
    /// (wire.md §3.4, the WPTS <c>PccrrClient_*</c> rows): the type, the segment ID and block index, an IV of the length the
    /// algorithm needs, and a ciphertext length that fits <paramref name="plaintextLength"/> (a whole number of AES blocks
    /// from N to N + 16, or exactly N without encryption). Anything else is <see cref="BlockOutcome.BadData"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The identifier or a length is invalid.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<PccrrEncryptedBlockResult> GetEncryptedBlockAsync(
        EndPoint peer,
        ReadOnlyMemory<byte> segmentId,
        int blockIndex,
        int plaintextLength,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (segmentId.Length is not (32 or 48 or 64))
        {
            ThrowHelper.ThrowArgument("A segment ID is 32, 48 or 64 bytes.", nameof(segmentId));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(blockIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blockIndex, PeerDistConstants.MaxBlocksPerSegment - 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(plaintextLength, 1);
        var ranges = new[] { new PccrrBlockRange((uint)blockIndex, 1) };
        (BlockOutcome outcome, PccrrTransportResponse? response, PccrrMessage message) = await ExchangeAsync(
            peer, segmentId, PccrrMessageType.GetBlocks, ranges, cancellationToken).ConfigureAwait(false);
        using (response)
        {
            if (outcome != BlockOutcome.Delivered)
            {
                return new PccrrEncryptedBlockResult(outcome);
            }

            PccrrBlockResponse block = message.Block;
            if (!block.SegmentId.Span.SequenceEqual(segmentId.Span) || block.BlockIndex != (uint)blockIndex)
            {
                return new PccrrEncryptedBlockResult(BlockOutcome.BadData);
            }

            if (block.Block.IsEmpty)
            {
                return new PccrrEncryptedBlockResult(BlockOutcome.Missing);
            }

            PccrrCryptoAlgorithm algorithm = block.CryptoAlgorithm;
            long cipherLength = block.Block.Length;
            bool sizeOk = algorithm == PccrrCryptoAlgorithm.None
                ? cipherLength == plaintextLength
                : cipherLength % PeerDistBlockCipher.IVLength == 0 && cipherLength >= plaintextLength && cipherLength <= (long)plaintextLength + PeerDistBlockCipher.IVLength;
            if (block.IV.Length != PeerDistBlockCipher.GetIVLength(algorithm) || !sizeOk)
            {
                return new PccrrEncryptedBlockResult(BlockOutcome.BadData);
            }

            // Copies: the message is a view of the response buffer, which goes back to its pool here.
            return new PccrrEncryptedBlockResult(BlockOutcome.Delivered, algorithm, block.IV.ToArray(), block.Block.ToArray());
        }
    }

    /// <summary>Asks <paramref name="peer"/> which blocks of <paramref name="ranges"/> it holds (<c>MSG_GETBLKLIST</c>).</summary>
    /// <exception cref="ArgumentException">A range is invalid or leaves the segment, or there is none.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<PccrrBlockListResult> GetBlockListAsync(
        EndPoint peer,
        ContentSegment segment,
        ReadOnlyMemory<PccrrBlockRange> ranges,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(segment);
        if (ranges.IsEmpty)
        {
            ThrowHelper.ThrowArgument("At least one range is needed.", nameof(ranges));
        }

        foreach (PccrrBlockRange range in ranges.Span)
        {
            if (!range.IsValid || range.Index + range.Count > (uint)segment.BlockCount)
            {
                ThrowHelper.ThrowArgument("A range is invalid or leaves the segment.", nameof(ranges));
            }
        }

        return FetchBlockListAsync(peer, segment, ranges, cancellationToken);
    }

    /// <summary>
    /// Sends <c>MSG_NEGO_REQ</c> with this client's version range and records the version to use with
    /// <paramref name="peer"/> (optional for a client, MS-PCCRR 3.1).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<PccrrNegotiationResult> NegotiateAsync(EndPoint peer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var request = new PccrrNegotiateRequest(_options.MinVersion, _options.MaxVersion, _options.CryptoAlgorithm);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(request.GetEncodedLength());
        PccrrTransportResponse? response = null;
        try
        {
            request.TryWrite(buffer, out int written);
            (BlockOutcome outcome, response) = await SendAsync(peer, buffer.AsMemory(0, written), cancellationToken).ConfigureAwait(false);
            if (outcome != BlockOutcome.Delivered)
            {
                return new PccrrNegotiationResult(outcome, default, default, default);
            }

            outcome = Decode(peer, response!, out PccrrMessage message);
            if (outcome != BlockOutcome.Delivered)
            {
                return new PccrrNegotiationResult(outcome, default, default, default);
            }

            if (message.MessageType != PccrrMessageType.NegotiateResponse)
            {
                return new PccrrNegotiationResult(BlockOutcome.BadData, default, default, default);
            }

            PccrrNegotiateResponse nego = message.NegotiateResponse;
            if (!TrySelectVersion(nego.MinSupportedVersion, nego.MaxSupportedVersion, out PccrrVersion chosen))
            {
                MarkIncompatible(peer);
                return new PccrrNegotiationResult(BlockOutcome.IncompatibleVersion, default, nego.MinSupportedVersion, nego.MaxSupportedVersion);
            }

            _peers[peer] = new PeerVersion(false, chosen);
            return new PccrrNegotiationResult(BlockOutcome.Delivered, chosen, nego.MinSupportedVersion, nego.MaxSupportedVersion);
        }
        finally
        {
            response?.Dispose();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async ValueTask<int> FetchBlocksAsync(
        EndPoint peer,
        ContentSegment segment,
        int firstBlock,
        int count,
        Memory<byte> destination,
        Memory<BlockOutcome> outcomes,
        CancellationToken cancellationToken)
    {
        PccrrBlockListResult list = default;
        // A V2 segment is a single block and never needs a block list (wire.md §1.9).
        bool useList = count >= _options.SimpleDownloadThreshold && segment.BlockCount > 1;
        if (useList)
        {
            list = await FetchBlockListAsync(peer, segment, new[] { new PccrrBlockRange((uint)firstBlock, (uint)count) }, cancellationToken).ConfigureAwait(false);
            if (list.Outcome != BlockOutcome.Delivered)
            {
                outcomes.Span[..count].Fill(list.Outcome);
                return 0;
            }
        }

        long start = segment.GetBlockRange(firstBlock).Start;
        int delivered = 0;
        BlockOutcome abort = BlockOutcome.Delivered;
        for (int i = 0; i < count; i++)
        {
            int block = firstBlock + i;
            BlockOutcome outcome;
            if (abort != BlockOutcome.Delivered)
            {
                outcome = abort;
            }
            else if (useList && !list.Contains(block))
            {
                outcome = BlockOutcome.Missing;
            }
            else
            {
                ContentRange range = segment.GetBlockRange(block);
                Memory<byte> target = destination.Slice((int)(range.Start - start), (int)range.Length);
                outcome = await FetchBlockAsync(peer, segment, block, useList, target, cancellationToken).ConfigureAwait(false);
                if (outcome is BlockOutcome.BadData or BlockOutcome.Timeout or BlockOutcome.TransportFailure or BlockOutcome.IncompatibleVersion)
                {
                    abort = outcome;
                }
            }

            outcomes.Span[i] = outcome;
            if (outcome == BlockOutcome.Delivered)
            {
                delivered++;
            }
        }

        return delivered;
    }

    private async ValueTask<BlockOutcome> FetchBlockAsync(
        EndPoint peer,
        ContentSegment segment,
        int blockIndex,
        bool listed,
        Memory<byte> destination,
        CancellationToken cancellationToken)
    {
        var ranges = new[] { new PccrrBlockRange((uint)blockIndex, 1) };
        (BlockOutcome outcome, PccrrTransportResponse? response, PccrrMessage message) = await ExchangeAsync(
            peer, segment.SegmentId, PccrrMessageType.GetBlocks, ranges, cancellationToken).ConfigureAwait(false);
        using (response)
        {
            if (outcome != BlockOutcome.Delivered)
            {
                return outcome;
            }

            return ProcessBlock(message.Block, segment, blockIndex, listed, destination.Span);
        }
    }

    private async ValueTask<PccrrBlockListResult> FetchBlockListAsync(
        EndPoint peer,
        ContentSegment segment,
        ReadOnlyMemory<PccrrBlockRange> ranges,
        CancellationToken cancellationToken)
    {
        (BlockOutcome outcome, PccrrTransportResponse? response, PccrrMessage message) = await ExchangeAsync(
            peer, segment.SegmentId, PccrrMessageType.GetBlockList, ranges, cancellationToken).ConfigureAwait(false);
        using (response)
        {
            if (outcome != BlockOutcome.Delivered)
            {
                return new PccrrBlockListResult(outcome, ReadOnlyMemory<PccrrBlockRange>.Empty, 0);
            }

            PccrrBlockListResponse list = message.BlockList;
            if (!list.SegmentId.Span.SequenceEqual(segment.SegmentId.Span) || !AllInside(list.BlockRanges, ranges.Span))
            {
                return new PccrrBlockListResult(BlockOutcome.BadData, ReadOnlyMemory<PccrrBlockRange>.Empty, 0);
            }

            // The decoder materialises the ranges into their own array, so they outlive the response buffer.
            return new PccrrBlockListResult(BlockOutcome.Delivered, list.BlockRanges.ToArray(), list.NextBlockIndex);
        }
    }

    /// <summary>MS-PCCRR 3.1 (wire.md §1.7, §1.8): validates one <c>MSG_BLK</c>, decrypts it into scratch, verifies it, and only then copies it out.</summary>
    private static BlockOutcome ProcessBlock(PccrrBlockResponse block, ContentSegment segment, int blockIndex, bool listed, Span<byte> destination)
    {
        if (!block.SegmentId.Span.SequenceEqual(segment.SegmentId.Span) || block.BlockIndex != (uint)blockIndex)
        {
            return BlockOutcome.BadData;
        }

        // MS-PCCRR 2.2.5.3: SizeOfBlock = 0 means "not here" or "too busy".
        if (block.Block.IsEmpty)
        {
            return listed ? BlockOutcome.Busy : BlockOutcome.Missing;
        }

        int plaintextLength = (int)segment.GetBlockRange(blockIndex).Length;
        long cipherLength = block.Block.Length;
        PccrrCryptoAlgorithm algorithm = block.CryptoAlgorithm;
        bool encrypted = algorithm != PccrrCryptoAlgorithm.None;
        if (block.IV.Length != PeerDistBlockCipher.GetIVLength(algorithm) || !block.Block.IsSingleSegment)
        {
            return BlockOutcome.BadData;
        }

        bool sizeOk = encrypted
            ? cipherLength % PeerDistBlockCipher.IVLength == 0 && cipherLength >= plaintextLength && cipherLength <= (long)plaintextLength + PeerDistBlockCipher.IVLength
            : cipherLength == plaintextLength;
        if (!sizeOk)
        {
            return BlockOutcome.BadData;
        }

        byte[] scratch = ArrayPool<byte>.Shared.Rent(plaintextLength);
        try
        {
            Span<byte> plaintext = scratch.AsSpan(0, plaintextLength);
            PeerDistBlockCipher.Decrypt(block.Block.FirstSpan, segment.SegmentSecret.Span, algorithm, block.IV.Span, plaintextLength, plaintext);

            // V1: the block hash; V2: the HoD, which the segment lists as the hash of its single block 0.
            ReadOnlySpan<byte> expected = segment.GetBlockHash(blockIndex);
            Span<byte> actual = stackalloc byte[64];
            actual = actual[..expected.Length];
            PeerDistKeyDerivation.ComputeHash(segment.HashAlgorithm, plaintext, actual);
            if (!CryptographicOperations.FixedTimeEquals(actual, expected))
            {
                return BlockOutcome.BadData;
            }

            plaintext.CopyTo(destination);
            return BlockOutcome.Delivered;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(scratch.AsSpan(0, plaintextLength));
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private static bool AllInside(PccrrBlockRangeList returned, ReadOnlySpan<PccrrBlockRange> requested)
    {
        foreach (PccrrBlockRange r in returned)
        {
            bool inside = false;
            foreach (PccrrBlockRange q in requested)
            {
                if (r.Index >= q.Index && (ulong)r.Index + r.Count <= (ulong)q.Index + q.Count)
                {
                    inside = true;
                    break;
                }
            }

            if (!inside)
            {
                return false;
            }
        }

        return true;
    }

    private static void ValidateBlock(ContentSegment segment, int blockIndex)
    {
        if ((uint)blockIndex >= (uint)segment.BlockCount || (uint)blockIndex >= PeerDistConstants.MaxBlocksPerSegment)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(blockIndex), "The segment has no block with that index.");
        }

        if (!segment.HasBlockHash(blockIndex))
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(blockIndex), "The content information does not list the hash of that block, so it cannot be verified.");
        }
    }
}
