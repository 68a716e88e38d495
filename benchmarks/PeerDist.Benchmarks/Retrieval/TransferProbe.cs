using System.Diagnostics;
using System.Globalization;

namespace PeerDist.Benchmarks.Retrieval;

/// <summary>
/// <c>transfer [runs] [workers]</c>: the 1 GiB transfer of <see cref="LoopbackTransferBenchmarks"/> outside BenchmarkDotNet,
/// printing wall time, MB/s and the process CPU time per run, to tell whether a slow run is bound by the CPU (about 2 cores
/// busy here) or by waiting. A third argument runs only the rows whose name contains it (e.g. <c>memory</c>); "ready" is
/// printed once setup is done, so a profiler can attach for the transfers alone.
/// </summary>
internal static class TransferProbe
{
    public static async Task<int> RunAsync(string[] args)
    {
        int runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        var benchmark = new LoopbackTransferBenchmarks { Workers = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 4 };
        string? only = args.Length > 2 ? args[2] : null;
        benchmark.Setup();
        Console.WriteLine($"ready (pid {Environment.ProcessId})");
        try
        {
            using Process self = Process.GetCurrentProcess();
            foreach ((string name, Func<Task<long>> run) in new (string, Func<Task<long>>)[]
            {
                ("memory cache, own client", benchmark.TransferFromMemoryCache),
                ("file cache, own client", benchmark.TransferFromFileCache),
                ("memory cache, SocketsHttpHandler", benchmark.TransferWithSocketsHttpHandler),
            })
            {
                if (only is not null && !name.Contains(only, StringComparison.Ordinal))
                {
                    continue;
                }

                for (int i = 0; i < runs; i++)
                {
                    self.Refresh();
                    TimeSpan cpuBefore = self.TotalProcessorTime;
                    long allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
                    int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
                    var clock = Stopwatch.StartNew();
                    long bytes = await run();
                    clock.Stop();
                    self.Refresh();
                    double cpu = (self.TotalProcessorTime - cpuBefore).TotalSeconds;
                    Console.WriteLine(
                        $"{name}: {clock.Elapsed.TotalSeconds:F2} s, {bytes / clock.Elapsed.TotalSeconds / 1e6:F0} MB/s, CPU {cpu:F2} s ({cpu / clock.Elapsed.TotalSeconds:F2} cores), " +
                        $"allocated {(GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore) / 1048576.0:F0} MiB, GCs {GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2}");
                }
            }
        }
        finally
        {
            await benchmark.Cleanup();
        }

        return 0;
    }
}
