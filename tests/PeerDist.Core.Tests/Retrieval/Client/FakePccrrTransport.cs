using System.Buffers;
using System.Net;
using PeerDist.Retrieval;
using PeerDist.Retrieval.Client;

namespace PeerDist.Tests.Retrieval.Client;

/// <summary>One request as the fake peer decoded it.</summary>
internal sealed record FakeRequest(PccrrMessageHeader Header, byte[] SegmentId, PccrrBlockRange[] Ranges)
{
    public PccrrMessageType Type => Header.MessageType;

    public uint BlockIndex => Ranges.Length == 0 ? uint.MaxValue : Ranges[0].Index;
}

/// <summary>
/// An in-memory peer: decodes each request with the real frame decoder, records it, and answers with whatever the test's
/// handler returns. Counts response buffers so a test can assert the client disposed every one.
/// </summary>
internal sealed class FakePccrrTransport : IPccrrTransport
{
    private readonly Func<FakeRequest, CancellationToken, ValueTask<PccrrTransportResponse>>? _asyncHandler;
    private readonly Func<FakeRequest, byte[]>? _handler;
    private int _outstanding;

    public FakePccrrTransport(Func<FakeRequest, byte[]> handler) => _handler = handler;

    public FakePccrrTransport(Func<FakeRequest, CancellationToken, ValueTask<PccrrTransportResponse>> handler) => _asyncHandler = handler;

    public static EndPoint Peer { get; } = new IPEndPoint(IPAddress.Loopback, 8282);

    public List<FakeRequest> Requests { get; } = [];

    public PccrrMessageType[] RequestTypes => [.. Requests.Select(r => r.Type)];

    /// <summary>Response buffers handed out and not yet disposed.</summary>
    public int Outstanding => Volatile.Read(ref _outstanding);

    public PccrrTransportResponse Respond(byte[] body)
    {
        Interlocked.Increment(ref _outstanding);
        return PccrrTransportResponse.FromBody(new CountingOwner(body, this), body.Length);
    }

    public ValueTask<PccrrTransportResponse> SendAsync(EndPoint peer, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        var input = new ReadOnlySequence<byte>(request);
        OperationStatus status = PccrrFrameDecoder.TryReadRequest(input, null, out PccrrMessage message, out SequencePosition consumed, out _, out PeerDistFormatError error, out _);
        Assert.That(status, Is.EqualTo(OperationStatus.Done), $"the client sent a malformed request ({error})");
        Assert.That(input.Slice(consumed).Length, Is.Zero);
        FakeRequest decoded = message.MessageType switch
        {
            PccrrMessageType.GetBlocks => new FakeRequest(message.Header, message.GetBlocks.SegmentId.ToArray(), message.GetBlocks.BlockRanges.ToArray()),
            PccrrMessageType.GetBlockList => new FakeRequest(message.Header, message.GetBlockList.SegmentId.ToArray(), message.GetBlockList.BlockRanges.ToArray()),
            _ => new FakeRequest(message.Header, [], []),
        };
        lock (Requests)
        {
            Requests.Add(decoded);
        }

        return _handler is not null ? ValueTask.FromResult(Respond(_handler(decoded))) : _asyncHandler!(decoded, cancellationToken);
    }

    private sealed class CountingOwner(byte[] body, FakePccrrTransport owner) : IMemoryOwner<byte>
    {
        private bool _disposed;

        public Memory<byte> Memory => _disposed ? throw new ObjectDisposedException(nameof(CountingOwner)) : body;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                Interlocked.Decrement(ref owner._outstanding);
            }
        }
    }
}
