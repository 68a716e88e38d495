using BenchmarkDotNet.Running;
using PeerDist.Benchmarks;
using PeerDist.Benchmarks.Retrieval;

return args.Length > 0 ? args[0] switch
{
    "peak-memory" => await PeakMemory.RunAsync(args[1..]).ConfigureAwait(false),
    "server-memory" => await ServerMemory.RunServerAsync(args[1..]).ConfigureAwait(false),
    "load-clients" => await ServerMemory.RunClientsAsync(args[1..]).ConfigureAwait(false),
    "transfer" => await TransferProbe.RunAsync(args[1..]).ConfigureAwait(false),
    "download" => await PeerDist.Benchmarks.Client.DownloadProbe.RunAsync(args[1..]).ConfigureAwait(false),
    _ => RunBenchmarks(args),
} : RunBenchmarks(args);

static int RunBenchmarks(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(BenchmarkConfig).Assembly).Run(args, new BenchmarkConfig());
    return 0;
}
