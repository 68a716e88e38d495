using System.Collections.Concurrent;
using PeerDist.Client;
using PeerDist.Content;

namespace PeerDist.Tests.Client;

/// <summary>
/// An origin over bytes in memory behind one shared slow link (a WAN): requests are served one at a time, each taking
/// its length over the rate. Counts every byte it sends, which is the figure a cooperative download must keep low.
/// </summary>
internal sealed class ThrottledOrigin(byte[] content, long bytesPerSecond) : IOriginSource, IDisposable
{
    private readonly SemaphoreSlim _link = new(1, 1);
    private long _bytesSent;

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public ConcurrentQueue<ContentRange> Requests { get; } = new();

    public async ValueTask<int> ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        int length = (int)Math.Min(destination.Length, Math.Max(0, content.Length - offset));
        await _link.WaitAsync(cancellationToken);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(length / (double)bytesPerSecond), cancellationToken);
        }
        finally
        {
            _link.Release();
        }

        Requests.Enqueue(new ContentRange(offset, length));
        content.AsSpan((int)offset, length).CopyTo(destination.Span);
        Interlocked.Add(ref _bytesSent, length);
        return length;
    }

    public void Dispose() => _link.Dispose();
}
