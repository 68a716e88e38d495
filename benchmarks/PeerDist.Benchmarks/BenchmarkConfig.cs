using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Validators;

namespace PeerDist.Benchmarks;

/// <summary>Every benchmark reports allocations and throughput, and refuses to run unoptimised code.</summary>
public sealed class BenchmarkConfig : ManualConfig
{
    public BenchmarkConfig()
    {
        Add(DefaultConfig.Instance);
        AddDiagnoser(MemoryDiagnoser.Default);
        AddValidator(JitOptimizationsValidator.FailOnError);
        AddColumn(StatisticColumn.Min, StatisticColumn.Median);
        AddColumn(StatisticColumn.OperationsPerSecond);
        AddColumn(RankColumn.Arabic);
    }
}
