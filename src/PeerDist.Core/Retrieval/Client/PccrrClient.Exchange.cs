using System.Buffers;
using System.Net;

namespace PeerDist.Retrieval.Client;

/// <summary>The exchange machinery of <see cref="PccrrClient"/>: request timer, transport failures, decoding, version negotiation.</summary>
public sealed partial class PccrrClient
{
    /// <summary>
    /// Sends a <c>MSG_GETBLKS</c> or <c>MSG_GETBLKLIST</c> and returns the matching response, renegotiating once when a
    /// <c>MSG_NEGO_RESP</c> answers it (MS-PCCRR 3.1.5.1). On <see cref="BlockOutcome.Delivered"/> the caller owns the
    /// response, and <c>Message</c> is a view of its body valid until it is disposed.
    /// </summary>
    private async ValueTask<(BlockOutcome Outcome, PccrrTransportResponse? Response, PccrrMessage Message)> ExchangeAsync(
        EndPoint peer,
        ReadOnlyMemory<byte> segmentId,
        PccrrMessageType type,
        ReadOnlyMemory<PccrrBlockRange> ranges,
        CancellationToken cancellationToken)
    {
        PccrrMessageType expected = type == PccrrMessageType.GetBlocks ? PccrrMessageType.Block : PccrrMessageType.BlockList;
        for (int attempt = 0; ; attempt++)
        {
            if (!_peers.TryGetValue(peer, out PeerVersion state))
            {
                state = new PeerVersion(false, PccrrVersion.V1);
            }

            if (state.Incompatible)
            {
                return (BlockOutcome.IncompatibleVersion, null, default);
            }

            byte[] buffer;
            int written;
            if (type == PccrrMessageType.GetBlocks)
            {
                var request = new PccrrGetBlocksRequest(segmentId, ranges, default, _options.CryptoAlgorithm, state.Version);
                buffer = ArrayPool<byte>.Shared.Rent(request.GetEncodedLength());
                request.TryWrite(buffer, out written);
            }
            else
            {
                var request = new PccrrGetBlockListRequest(segmentId, ranges, _options.CryptoAlgorithm, state.Version);
                buffer = ArrayPool<byte>.Shared.Rent(request.GetEncodedLength());
                request.TryWrite(buffer, out written);
            }

            BlockOutcome outcome;
            PccrrTransportResponse? response;
            try
            {
                (outcome, response) = await SendAsync(peer, buffer.AsMemory(0, written), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            if (outcome != BlockOutcome.Delivered || response is null)
            {
                return (outcome, null, default);
            }

            outcome = Decode(peer, response, out PccrrMessage message);
            if (outcome == BlockOutcome.Delivered && message.MessageType == PccrrMessageType.NegotiateResponse)
            {
                PccrrNegotiateResponse nego = message.NegotiateResponse;
                response.Dispose();

                // Resend once; a peer that still refuses the version it was offered is treated as incompatible.
                if (attempt > 0 || !TrySelectVersion(nego.MinSupportedVersion, nego.MaxSupportedVersion, out PccrrVersion chosen))
                {
                    MarkIncompatible(peer);
                    return (BlockOutcome.IncompatibleVersion, null, default);
                }

                _peers[peer] = new PeerVersion(false, chosen);
                continue;
            }

            if (outcome == BlockOutcome.Delivered && message.MessageType != expected)
            {
                outcome = BlockOutcome.BadData;
            }

            if (outcome != BlockOutcome.Delivered)
            {
                response.Dispose();
                return (outcome, null, default);
            }

            return (BlockOutcome.Delivered, response, message);
        }
    }

    /// <summary>
    /// One transport exchange under the Request Timer (MS-PCCRR 3.1, wire.md §1.7). The caller's cancellation throws; the timer's expiry,
    /// or the transport giving up on its own, is <see cref="BlockOutcome.Timeout"/>; any other transport failure, thrown or
    /// returned, is <see cref="BlockOutcome.TransportFailure"/>.
    /// </summary>
    private async ValueTask<(BlockOutcome Outcome, PccrrTransportResponse? Response)> SendAsync(
        EndPoint peer,
        ReadOnlyMemory<byte> request,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        PccrrTransportResponse? response;
        try
        {
            response = await _transport.SendAsync(peer, request, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (BlockOutcome.Timeout, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A transport that throws (socket, I/O) instead of returning a failure is still only a failed exchange.
            return (BlockOutcome.TransportFailure, null);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            response?.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
        }

        if (response is null)
        {
            return (BlockOutcome.TransportFailure, null);
        }

        if (response.Status == PccrrTransportStatus.Success)
        {
            return (BlockOutcome.Delivered, response);
        }

        PccrrTransportStatus status = response.Status;
        response.Dispose();
        return (status == PccrrTransportStatus.TimedOut ? BlockOutcome.Timeout : BlockOutcome.TransportFailure, null);
    }

    /// <summary>Decodes a whole response body: exactly one well-formed response message whose major version this client speaks.</summary>
    private BlockOutcome Decode(EndPoint peer, PccrrTransportResponse response, out PccrrMessage message)
    {
        var input = new ReadOnlySequence<byte>(response.Body);
        OperationStatus status = PccrrFrameDecoder.TryReadResponse(input, _options.ReaderOptions, out message, out SequencePosition consumed, out _, out _, out _);
        if (status != OperationStatus.Done || input.Slice(consumed).Length != 0)
        {
            message = default;
            return BlockOutcome.BadData;
        }

        // MS-PCCRR 3.1.5.1: a major version outside this client's range cannot be talked to at all.
        ushort major = message.Header.Version.Major;
        if (major < _options.MinVersion.Major || major > _options.MaxVersion.Major)
        {
            message = default;
            MarkIncompatible(peer);
            return BlockOutcome.IncompatibleVersion;
        }

        return BlockOutcome.Delivered;
    }

    /// <summary>
    /// MS-PCCRR 3.1.5.1: the highest major version both inclusive ranges share; minors never decide compatibility, and this
    /// client uses its own highest minor within that major.
    /// </summary>
    private bool TrySelectVersion(PccrrVersion peerMin, PccrrVersion peerMax, out PccrrVersion chosen)
    {
        int low = Math.Max(_options.MinVersion.Major, peerMin.Major);
        int high = Math.Min(_options.MaxVersion.Major, peerMax.Major);
        if (low > high || peerMin.Major > peerMax.Major)
        {
            chosen = default;
            return false;
        }

        ushort major = (ushort)high;
        ushort minor = major == _options.MaxVersion.Major ? _options.MaxVersion.Minor
            : major == _options.MinVersion.Major ? _options.MinVersion.Minor
            : (ushort)0;
        chosen = new PccrrVersion(major, minor);
        return true;
    }

    private void MarkIncompatible(EndPoint peer) => _peers[peer] = new PeerVersion(true, default);

    /// <summary>What this client knows of one peer's version: incompatible, or the version to send.</summary>
    private readonly record struct PeerVersion(bool Incompatible, PccrrVersion Version);
}
