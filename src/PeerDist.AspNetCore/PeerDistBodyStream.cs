namespace PeerDist.AspNetCore;

/// <summary>
/// The response body stream of a request that asked for peerdist, for bodies an endpoint writes itself (not
/// <c>SendFileAsync</c>): the first write asks <see cref="PeerDistExchange"/> what to do (see <see cref="BodyDecision"/>).
/// </summary>
internal sealed class PeerDistBodyStream(Stream inner, PeerDistExchange exchange, bool discardBody) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        BodyDecision decision = await exchange.DecideForBodyAsync(cancellationToken).ConfigureAwait(false);
        if (decision == BodyDecision.ContentInformationSent)
        {
            return;
        }

        if (decision == BodyDecision.Spool)
        {
            await exchange.SpoolAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        if (!discardBody)
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Synchronous writes reach here only when the application enabled AllowSynchronousIO, which accepts blocking.
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (!discardBody && exchange.BodyDecision != BodyDecision.ContentInformationSent)
        {
            await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
