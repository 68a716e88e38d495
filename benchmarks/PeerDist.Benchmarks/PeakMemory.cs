using System.Diagnostics;
using PeerDist.Content;
using PeerDist.Cryptography;

namespace PeerDist.Benchmarks;

/// <summary>
/// `peak-memory [GiB] [v1|v2]`: generates content information for a synthetic stream (default 4 GiB, V1) and reports
/// the peak managed heap, total allocations and peak resident set, to back the bounded-memory claim.
/// </summary>
internal static class PeakMemory
{
    public static async Task<int> RunAsync(string[] args)
    {
        double gib = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 4;
        var version = args.Length > 1 && args[1] == "v2" ? ContentInformationVersion.V2 : ContentInformationVersion.V1;
        long length = (long)(gib * 1024 * 1024 * 1024);
        using var secret = ServerSecret.FromPassphrase("peak-memory");
        var options = new ContentInformationBuilderOptions { Version = version };
        long peakHeap = 0;
        var progress = new SynchronousProgress(_ => peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(false)));
        long allocatedBefore = GC.GetTotalAllocatedBytes(true);
        var clock = Stopwatch.StartNew();
        ContentInformation info = await ContentInformationBuilder.CreateAsync(new SyntheticStream(length), secret, options, progress).ConfigureAwait(false);
        clock.Stop();
        long allocated = GC.GetTotalAllocatedBytes(true) - allocatedBefore;
        using Process self = Process.GetCurrentProcess();
        Console.WriteLine($"{version} {length} bytes: {info.Segments.Count} segments, {clock.Elapsed.TotalSeconds:F1} s ({length / clock.Elapsed.TotalSeconds / 1e6:F0} MB/s)");
        Console.WriteLine($"peak managed heap (sampled per read): {peakHeap / 1048576.0:F1} MiB");
        Console.WriteLine($"total allocated: {allocated / 1048576.0:F1} MiB");
        Console.WriteLine($"peak working set: {self.PeakWorkingSet64 / 1048576.0:F1} MiB");
        return 0;
    }

    private sealed class SynchronousProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }

    /// <summary>Cheap pseudo-random bytes (xorshift) produced on demand, never stored.</summary>
    private sealed class SyntheticStream(long length) : Stream
    {
        private long _position;
        private ulong _state = 0x9E3779B97F4A7C15;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int total = (int)Math.Min(buffer.Length, length - _position) & ~7;
            if (total == 0 && _position < length)
            {
                total = (int)Math.Min(buffer.Length, length - _position);
            }

            for (int i = 0; i + 8 <= total; i += 8)
            {
                _state ^= _state << 13;
                _state ^= _state >> 7;
                _state ^= _state << 17;
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(buffer[i..], _state);
            }

            for (int i = total & ~7; i < total; i++)
            {
                buffer[i] = (byte)i;
            }

            _position += total;
            return total;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
