using BenchmarkDotNet.Attributes;
using PeerDist.Content;

namespace PeerDist.Benchmarks.Content;

/// <summary>
/// Parsing the V1 content information of 10 GiB of content (320 segments, 163 840 block hashes, about 5.3 MB).
/// The zero-copy reader must allocate nothing (Allocated column "-"); the materialised parse copies the input once and
/// allocates one object per segment. Baseline: copying the bytes once, the floor for touching them.
/// </summary>
public class ContentInformationV1ParseBenchmarks
{
    private byte[] _ci = [];
    private byte[] _copy = [];

    [GlobalSetup]
    public void Setup()
    {
        _ci = BenchmarkData.SyntheticV1(10L * 1024 * 1024 * 1024);
        _copy = new byte[_ci.Length];
    }

    [Benchmark(Baseline = true, Description = "copy the bytes")]
    public byte[] CopyBytes()
    {
        _ci.AsSpan().CopyTo(_copy);
        return _copy;
    }

    [Benchmark(Description = "zero-copy reader: validate + walk all segments")]
    public long ReaderView()
    {
        var reader = new ContentInformationV1Reader(_ci);
        long blocks = 0;
        while (reader.TryReadSegment(out SegmentDescriptionV1 segment))
        {
            blocks += segment.BlockCount;
        }

        return blocks;
    }

    [Benchmark(Description = "zero-copy reader: validate + skip to the last segment")]
    public int ReaderSkipToLast()
    {
        var reader = new ContentInformationV1Reader(_ci);
        reader.TrySkipTo(reader.SegmentCount - 1, out SegmentDescriptionV1 last);
        return last.BlockCount;
    }

    [Benchmark(Description = "materialised Parse")]
    public ContentInformation Parse() => ContentInformation.Parse(_ci);
}
