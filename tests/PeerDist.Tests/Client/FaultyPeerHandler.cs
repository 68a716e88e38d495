using System.Buffers;
using System.Net;
using PeerDist.Retrieval;
using PeerDist.Transport.Http;

namespace PeerDist.Tests.Client;

/// <summary>
/// A test peer's request handler around the real <c>PccrrRequestHandler</c>: counts requests (and how many are being
/// handled at once), and can be told to lie, to hold its answers until several requests have arrived, to answer late, or
/// to stall until released.
/// </summary>
internal sealed class FaultyPeerHandler(IPeerDistRequestHandler inner) : IPeerDistRequestHandler
{
    /// <summary>The longest a request waits for <see cref="HoldUntilRequests"/> before it is answered anyway.</summary>
    private static readonly TimeSpan s_holdLimit = TimeSpan.FromSeconds(3);

    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _firstRequest = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _requests;
    private int _lieCandidates;
    private int _liesTold;
    private int _active;
    private int _maxActive;

    /// <summary>Requests received so far (stalled ones included).</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Answers that were lies.</summary>
    public int LiesTold => Volatile.Read(ref _liesTold);

    /// <summary>The most requests handled at the same moment.</summary>
    public int MaxActive => Volatile.Read(ref _maxActive);

    /// <summary>Completes when the first request arrives.</summary>
    public Task FirstRequest => _firstRequest.Task;

    public PeerLie Lie { get; set; }

    /// <summary>How many block answers are lies (the first ones); the rest are honest.</summary>
    public int MaxLies { get; set; } = int.MaxValue;

    /// <summary>No request is answered before this many have arrived (bounded by a few seconds), so that a client sends them all before it hears any answer.</summary>
    public int HoldUntilRequests { get; set; }

    /// <summary>Each answer is sent this late.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>While set and not completed, requests get no answer (the connection closes when the server shuts down).</summary>
    public TaskCompletionSource? Stall { get; set; }

    public async ValueTask<PeerDistHandlerResult> HandleAsync(
        ReadOnlySequence<byte> requestBody,
        EndPoint remoteEndPoint,
        IBufferWriter<byte> responseBody,
        CancellationToken cancellationToken)
    {
        int number = Interlocked.Increment(ref _requests);
        int active = Interlocked.Increment(ref _active);
        try
        {
            InterlockedMax(ref _maxActive, active);
            _firstRequest.TrySetResult();
            if (Stall is { } stall)
            {
                try
                {
                    await stall.Task.WaitAsync(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return PeerDistHandlerResult.Close;
                }
            }

            if (number >= HoldUntilRequests)
            {
                _held.TrySetResult();
            }
            else
            {
                try
                {
                    await _held.Task.WaitAsync(s_holdLimit, cancellationToken);
                }
                catch (TimeoutException)
                {
                    // Answer anyway: the test then fails on its counts rather than hanging.
                }
            }

            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay, cancellationToken);
            }

            var answer = new ArrayBufferWriter<byte>();
            PeerDistHandlerResult result = await inner.HandleAsync(requestBody, remoteEndPoint, answer, cancellationToken);
            if (result == PeerDistHandlerResult.Respond &&
                Lie != PeerLie.None &&
                PccrrBlockResponse.TryParse(answer.WrittenMemory, out PccrrBlockResponse block, out _, out _) &&
                !block.Block.IsEmpty &&
                Interlocked.Increment(ref _lieCandidates) <= MaxLies)
            {
                Interlocked.Increment(ref _liesTold);
                WriteLie(block, Lie, responseBody);
                return result;
            }

            responseBody.Write(answer.WrittenSpan);
            return result;
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }

    private static void WriteLie(PccrrBlockResponse block, PeerLie lie, IBufferWriter<byte> responseBody)
    {
        byte[] cipher = block.Block.ToArray();
        uint index = block.BlockIndex;
        switch (lie)
        {
            case PeerLie.FlipBit:
                cipher[cipher.Length / 2] ^= 0x10;
                break;
            case PeerLie.WrongBlockIndex:
                index ^= 1;
                break;
            default:
                cipher = [.. cipher, .. new byte[32]];
                break;
        }

        new PccrrBlockResponse(block.SegmentId, index, block.NextBlockIndex, new ReadOnlySequence<byte>(cipher), block.IV, block.CryptoAlgorithm, block.VrfBlock, block.Version)
            .Write(responseBody);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current = Volatile.Read(ref target);
        while (value > current)
        {
            int seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
