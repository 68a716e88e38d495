using System.Collections.Concurrent;
using PeerDist.Client;
using PeerDist.Content;

namespace PeerDist.Tests.Client;

/// <summary>An origin over bytes in memory that records every range asked of it and can be told to lie or stall.</summary>
internal sealed class MemoryOrigin(byte[] content) : IOriginSource
{
    public ConcurrentQueue<ContentRange> Requests { get; } = new();

    /// <summary>When set, the byte at this content offset is returned flipped.</summary>
    public long? CorruptOffset { get; set; }

    /// <summary>When set, every read waits on this until cancelled.</summary>
    public TaskCompletionSource? Stall { get; set; }

    public async ValueTask<int> ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        Requests.Enqueue(new ContentRange(offset, destination.Length));
        if (Stall is { } stall)
        {
            await stall.Task.WaitAsync(cancellationToken);
        }

        int length = (int)Math.Min(destination.Length, Math.Max(0, content.Length - offset));
        content.AsSpan((int)offset, length).CopyTo(destination.Span);
        if (CorruptOffset is long bad && bad >= offset && bad < offset + length)
        {
            destination.Span[(int)(bad - offset)] ^= 0x01;
        }

        return length;
    }
}
