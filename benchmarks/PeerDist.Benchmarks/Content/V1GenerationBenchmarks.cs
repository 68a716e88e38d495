using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using PeerDist.Content;
using PeerDist.Cryptography;

namespace PeerDist.Benchmarks.Content;

/// <summary>
/// V1 content information generation over 64 MiB in memory, against the floor: one raw <see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/>
/// over the same bytes on one core. Issue goals: single-threaded >= 0.9 x the baseline; all cores (2 here) >= 1.7 x.
/// </summary>
public class V1GenerationBenchmarks
{
    private const int Length = 64 * 1024 * 1024;
    private readonly byte[] _hash = new byte[64];
    private byte[] _data = [];
    private ServerSecret _secret = null!;
    private ContentInformationBuilderOptions _single = null!;
    private ContentInformationBuilderOptions _all = null!;

    [GlobalSetup]
    public void Setup()
    {
        _data = BenchmarkData.Random(Length);
        _secret = ServerSecret.FromPassphrase("benchmark");
        _single = new ContentInformationBuilderOptions { MaxDegreeOfParallelism = 1 };
        _all = new ContentInformationBuilderOptions { MaxDegreeOfParallelism = -1 };
    }

    [GlobalCleanup]
    public void Cleanup() => _secret.Dispose();

    [Benchmark(Baseline = true, Description = "raw SHA-256, 1 core")]
    public byte[] RawSha256()
    {
        SHA256.HashData(_data, _hash.AsSpan(0, 32));
        return _hash;
    }

    [Benchmark(Description = "V1 SHA-256, 1 thread")]
    public ContentInformation V1SingleThread() => ContentInformationBuilder.Create((ReadOnlyMemory<byte>)_data, _secret, _single);

    [Benchmark(Description = "V1 SHA-256, all cores")]
    public ContentInformation V1AllCores() => ContentInformationBuilder.Create((ReadOnlyMemory<byte>)_data, _secret, _all);

    [Benchmark(Description = "V1 SHA-256, all cores, from a Stream")]
    public Task<ContentInformation> V1AllCoresStream() =>
        ContentInformationBuilder.CreateAsync(new MemoryStream(_data, writable: false), _secret, _all);
}
