namespace PeerDist.Cli;

/// <summary>The shared state of the demo's WAN link: its rate and the bytes that crossed it.</summary>
internal sealed class DemoWanLink(long bytesPerSecond, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly long _start = time.GetTimestamp();
    private long _bytes;

    public long BytesPerSecond => bytesPerSecond;

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Counts <paramref name="count"/> bytes and returns how long to wait so the link stays at its rate.</summary>
    public TimeSpan Take(int count)
    {
        lock (_gate)
        {
            _bytes += count;
            if (bytesPerSecond <= 0)
            {
                return TimeSpan.Zero;
            }

            TimeSpan due = TimeSpan.FromSeconds((double)_bytes / bytesPerSecond);
            TimeSpan elapsed = time.GetElapsedTime(_start);
            return due > elapsed ? due - elapsed : TimeSpan.Zero;
        }
    }
}
