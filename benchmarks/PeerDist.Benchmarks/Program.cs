using BenchmarkDotNet.Running;
using PeerDist.Benchmarks;

if (args.Length > 0 && args[0] == "peak-memory")
{
    return await PeakMemory.RunAsync(args[1..]).ConfigureAwait(false);
}

BenchmarkSwitcher.FromAssembly(typeof(BenchmarkConfig).Assembly).Run(args, new BenchmarkConfig());
return 0;
