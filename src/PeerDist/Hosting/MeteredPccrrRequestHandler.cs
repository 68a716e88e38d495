using System.Buffers;
using System.Net;
using Microsoft.Extensions.Logging;
using PeerDist.Diagnostics;
using PeerDist.Retrieval.Server;
using PeerDist.Transport.Http;

namespace PeerDist.Hosting;

/// <summary>
/// The node's MS-PCCRR handler: as <c>PccrrRequestHandler</c> (one POST body is one request; a dropped request gets a
/// plain 400, never a PCCRR message, wire.md §1.1), plus the served-block counters and logs.
/// </summary>
internal sealed class MeteredPccrrRequestHandler : IPeerDistRequestHandler
{
    [ThreadStatic]
    private static CountingBufferWriter? t_writer;

    private readonly PccrrServer _server;
    private readonly PeerDistMetrics _metrics;
    private readonly ILogger _logger;
    private long _blocksServed;
    private long _bytesServed;
    private long _requestsRejected;

    public MeteredPccrrRequestHandler(PccrrServer server, PeerDistMetrics metrics, ILogger logger)
    {
        _server = server;
        _metrics = metrics;
        _logger = logger;
    }

    public PccrrServer Server => _server;

    public long BlocksServed => Interlocked.Read(ref _blocksServed);

    public long BytesServed => Interlocked.Read(ref _bytesServed);

    public long RequestsRejected => Interlocked.Read(ref _requestsRejected);

    public ValueTask<PeerDistHandlerResult> HandleAsync(
        ReadOnlySequence<byte> requestBody,
        EndPoint remoteEndPoint,
        IBufferWriter<byte> responseBody,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(responseBody);
        CountingBufferWriter writer = t_writer ??= new CountingBufferWriter();
        writer.Reset(responseBody);
        PccrrServerResult result;
        long written;
        try
        {
            result = _server.Handle(requestBody, writer);
            written = writer.Written;
        }
        finally
        {
            writer.Reset(null);
        }

        if (result.Reason is PccrrServerReason.BlockSent or PccrrServerReason.BlockReplayed)
        {
            Interlocked.Increment(ref _blocksServed);
            Interlocked.Add(ref _bytesServed, written);
            _metrics.BlockServed(written);
            NodeLog.BlockServed(_logger, remoteEndPoint, written, result.Reason);
        }
        else if (!result.IsRespond)
        {
            Interlocked.Increment(ref _requestsRejected);
            NodeLog.RequestRejected(_logger, remoteEndPoint, result.Reason, result.Error, result.ErrorOffset);
        }

        return new ValueTask<PeerDistHandlerResult>(result.IsRespond ? PeerDistHandlerResult.Respond : PeerDistHandlerResult.Reject);
    }
}
