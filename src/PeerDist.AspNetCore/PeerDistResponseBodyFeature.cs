using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace PeerDist.AspNetCore;

/// <summary>
/// Wraps the response body of a request that asked for peerdist: a file sent with <c>SendFileAsync</c> (the static file
/// middleware, PhysicalFile results) is offered to <see cref="PeerDistExchange"/> first, which may answer with content
/// information instead; for a HEAD request (run as GET inside, see <see cref="PeerDistMiddleware"/>) every body byte is
/// dropped. Everything else passes through to the server's feature unchanged.
/// </summary>
internal sealed class PeerDistResponseBodyFeature(IHttpResponseBodyFeature inner, PeerDistExchange exchange, bool discardBody) : IHttpResponseBodyFeature
{
    private PipeWriter? _discardWriter;

    public Stream Stream => discardBody ? Stream.Null : inner.Stream;

    public PipeWriter Writer => discardBody ? _discardWriter ??= PipeWriter.Create(Stream.Null) : inner.Writer;

    public Task CompleteAsync() => inner.CompleteAsync();

    public void DisableBuffering() => inner.DisableBuffering();

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        if (await exchange.TryAnswerAsync(path, offset, count, cancellationToken).ConfigureAwait(false) || discardBody)
        {
            return;
        }

        await inner.SendFileAsync(path, offset, count, cancellationToken).ConfigureAwait(false);
    }

    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);
}
