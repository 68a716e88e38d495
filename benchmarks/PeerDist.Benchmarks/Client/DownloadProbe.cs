using System.Diagnostics;
using System.Globalization;

namespace PeerDist.Benchmarks.Client;

/// <summary>
/// <c>download [runs]</c>: the two-peer 256 MiB read of <see cref="PeerDownloadBenchmarks"/> outside BenchmarkDotNet, with
/// wall time, CPU time and GC counts per run; "ready" is printed after setup so a profiler can attach.
/// </summary>
internal static class DownloadProbe
{
    public static async Task<int> RunAsync(string[] args)
    {
        int runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        var benchmark = new PeerDownloadBenchmarks();
        benchmark.Setup();
        Console.WriteLine($"ready (pid {Environment.ProcessId})");
        try
        {
            using Process self = Process.GetCurrentProcess();
            for (int i = 0; i < runs; i++)
            {
                benchmark.NewCache();
                self.Refresh();
                TimeSpan cpuBefore = self.TotalProcessorTime;
                int gen0 = GC.CollectionCount(0), gen2 = GC.CollectionCount(2);
                var clock = Stopwatch.StartNew();
                long bytes = await benchmark.TwoPeers();
                clock.Stop();
                self.Refresh();
                double cpu = (self.TotalProcessorTime - cpuBefore).TotalSeconds;
                Console.WriteLine($"two peers: {clock.Elapsed.TotalSeconds:F2} s, {bytes / clock.Elapsed.TotalSeconds / 1e6:F0} MB/s, CPU {cpu:F2} s ({cpu / clock.Elapsed.TotalSeconds:F2} cores), GCs {GC.CollectionCount(0) - gen0}/{GC.CollectionCount(2) - gen2}");
            }
        }
        finally
        {
            await benchmark.Cleanup();
        }

        return 0;
    }
}
