using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using PeerDist.Content;
using PeerDist.Content.Segmentation;
using PeerDist.Cryptography;

namespace PeerDist.Benchmarks.Content;

/// <summary>
/// V2 content information generation (content-defined segmentation included) over 64 MiB of random bytes, against the
/// floor: one raw <see cref="SHA512.HashData(ReadOnlySpan{byte}, Span{byte})"/> over the same bytes on one core.
/// Issue goal: single-threaded >= 0.75 x the baseline.
/// </summary>
public class V2GenerationBenchmarks
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
        _single = new ContentInformationBuilderOptions { Version = ContentInformationVersion.V2, MaxDegreeOfParallelism = 1 };
        _all = new ContentInformationBuilderOptions { Version = ContentInformationVersion.V2, MaxDegreeOfParallelism = -1 };
    }

    [GlobalCleanup]
    public void Cleanup() => _secret.Dispose();

    [Benchmark(Baseline = true, Description = "raw SHA-512, 1 core")]
    public byte[] RawSha512()
    {
        SHA512.HashData(_data, _hash);
        return _hash;
    }

    [Benchmark(Description = "segmentation only (pdm-gear-v1)")]
    public int SegmentationOnly()
    {
        ReadOnlySpan<byte> rest = _data;
        int segments = 0;
        while (!rest.IsEmpty)
        {
            rest = rest[ContentDefinedSegmenter.NextSegmentLength(rest, isFinal: true)..];
            segments++;
        }

        return segments;
    }

    [Benchmark(Description = "V2, 1 thread")]
    public ContentInformation V2SingleThread() => ContentInformationBuilder.Create((ReadOnlyMemory<byte>)_data, _secret, _single);

    [Benchmark(Description = "V2, all cores")]
    public ContentInformation V2AllCores() => ContentInformationBuilder.Create((ReadOnlyMemory<byte>)_data, _secret, _all);
}
