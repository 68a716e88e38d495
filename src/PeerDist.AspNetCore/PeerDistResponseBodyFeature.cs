using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace PeerDist.AspNetCore;

/// <summary>
/// Wraps the response body of a request that asked for peerdist. A file sent with <c>SendFileAsync</c> (the static
/// file middleware, PhysicalFile results) is offered to <see cref="PeerDistExchange"/> first, which may answer with
/// content information instead; bytes an endpoint writes itself go through <see cref="PeerDistBodyStream"/>. For a
/// HEAD request (run as GET inside, see <see cref="PeerDistMiddleware"/>) every body byte is dropped.
/// </summary>
internal sealed class PeerDistResponseBodyFeature(IHttpResponseBodyFeature inner, PeerDistExchange exchange, bool discardBody) : IHttpResponseBodyFeature
{
    private PeerDistBodyStream? _stream;
    private PipeWriter? _writer;

    public Stream Stream => _stream ??= new PeerDistBodyStream(inner.Stream, exchange, discardBody);

    public PipeWriter Writer => _writer ??= PipeWriter.Create(Stream, new StreamPipeWriterOptions(leaveOpen: true));

    public async Task CompleteAsync()
    {
        await FlushWriterAsync().ConfigureAwait(false);
        await exchange.DecideForBodyAsync(CancellationToken.None).ConfigureAwait(false);
        await inner.CompleteAsync().ConfigureAwait(false);
    }

    public void DisableBuffering() => inner.DisableBuffering();

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        if (await exchange.TryAnswerAsync(path, offset, count, cancellationToken).ConfigureAwait(false) || discardBody)
        {
            return;
        }

        await inner.SendFileAsync(path, offset, count, cancellationToken).ConfigureAwait(false);
    }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        // The headers are about to go: decide now, while they can still change.
        await exchange.DecideForBodyAsync(cancellationToken).ConfigureAwait(false);
        await inner.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Pushes whatever the application left in <see cref="Writer"/> through the stream (called when the pipeline returns).</summary>
    public async Task FlushWriterAsync()
    {
        if (_writer is { } writer)
        {
            _writer = null;
            await writer.CompleteAsync().ConfigureAwait(false);
        }
    }
}
