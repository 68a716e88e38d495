using System.Security.Cryptography;

namespace PeerDist.Benchmarks;

/// <summary>Inputs shared by the benchmarks, built once per process.</summary>
internal static class BenchmarkData
{
    /// <summary>Deterministic pseudo-random bytes (incompressible, no period, so V2 segmentation behaves as on real data).</summary>
    public static byte[] Random(int length, int seed = 20261125)
    {
        byte[] data = GC.AllocateUninitializedArray<byte>(length);
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>A structurally valid V1 content information for <paramref name="contentLength"/> bytes, with random hash values.</summary>
    public static byte[] SyntheticV1(long contentLength)
    {
        const int digest = 32;
        int segments = (int)((contentLength + PeerDistConstants.SegmentSize - 1) / PeerDistConstants.SegmentSize);
        long lastLength = contentLength - ((long)(segments - 1) * PeerDistConstants.SegmentSize);
        int lastBlocks = (int)((lastLength + PeerDistConstants.BlockSize - 1) / PeerDistConstants.BlockSize);
        int total = 18 + (segments * (16 + (2 * digest))) + (segments * 4) + ((((segments - 1) * PeerDistConstants.MaxBlocksPerSegment) + lastBlocks) * digest);
        byte[] ci = new byte[total];
        RandomNumberGenerator.Fill(ci);
        var w = new BinaryWriter(new MemoryStream(ci));
        w.Write((byte)0);
        w.Write((byte)1);
        w.Write(0x800Cu);
        w.Write(0u);
        w.Write(0u);
        w.Write((uint)segments);
        for (int s = 0; s < segments; s++)
        {
            w.Write((ulong)s * PeerDistConstants.SegmentSize);
            w.Write((uint)(s == segments - 1 ? lastLength : PeerDistConstants.SegmentSize));
            w.Write((uint)PeerDistConstants.BlockSize);
            w.Seek(2 * digest, SeekOrigin.Current);
        }

        for (int s = 0; s < segments; s++)
        {
            int blocks = s == segments - 1 ? lastBlocks : PeerDistConstants.MaxBlocksPerSegment;
            w.Write((uint)blocks);
            w.Seek(blocks * digest, SeekOrigin.Current);
        }

        w.Flush();
        return ci;
    }
}
