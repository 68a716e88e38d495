using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace PeerDist.Content.Segmentation;

/// <summary>
/// Cuts content into V2 segments at content-defined boundaries (algorithm "pdm-gear-v1", documented in
/// <c>docs/v2-segmentation.md</c>). MS-PCCRC 2.4.1.2 only bounds a segment to 1..128 KiB; Windows' own chunker is
/// undocumented (pccrc.md §2.2), so ours is a format decision: changing anything here changes every V2 segment ID.
/// </summary>
/// <remarks>
/// A gear rolling hash h = (h &lt;&lt; 1) + G[byte] forgets a byte after 64 steps, so a decision depends only on the
/// 64 bytes before it. Hashing starts 64 bytes before the minimum length, which makes every boundary a function of
/// nearby content only: after an insertion the cut points fall back into step within a segment or two.
/// Normalised chunking (FastCDC): a harder test before the normal length and an easier one after it keeps most
/// segments between 32 and 128 KiB, about 70 KiB on average.
/// </remarks>
internal static class ContentDefinedSegmenter
{
    /// <summary>The name recorded in documentation and tests; bump it with any change below.</summary>
    public const string AlgorithmName = "pdm-gear-v1";

    /// <summary>No boundary is considered before this many bytes.</summary>
    public const int MinLength = 32 * 1024;

    /// <summary>Below this length the harder boundary test applies; above it the easier one.</summary>
    public const int NormalLength = 64 * 1024;

    /// <summary>A segment is cut here when no boundary was found (MS-PCCRC 2.4.1.2 limit).</summary>
    public const int MaxLength = PeerDistConstants.MaxSegmentLengthV2;

    /// <summary>The bytes of history a gear hash holds.</summary>
    public const int WindowLength = 64;

    /// <summary>A boundary before the normal length needs the top 17 bits of the hash clear (probability 2^-17).</summary>
    public const ulong HardThreshold = 1UL << (64 - 17);

    /// <summary>A boundary after the normal length needs the top 14 bits clear (probability 2^-14).</summary>
    public const ulong EasyThreshold = 1UL << (64 - 14);

    /// <summary>The seed of the gear table: G[i] = the first 8 bytes, little-endian, of SHA-256(seed ‖ i).</summary>
    public const string GearSeed = "PeerDist.Managed pdm-gear-v1";

    private static readonly GearTable s_gearTable = CreateGear();

    /// <summary>The gear table (for tests and documentation).</summary>
    public static ReadOnlySpan<ulong> Gear => s_gearTable;

    /// <summary>
    /// The length of the segment that starts at <paramref name="data"/>[0], or 0 when more data is needed to decide
    /// (only when <paramref name="isFinal"/> is false). With <paramref name="isFinal"/>, the rest of the data is
    /// always cut into segments; the last one may be shorter than <see cref="MinLength"/>.
    /// </summary>
    public static int NextSegmentLength(ReadOnlySpan<byte> data, bool isFinal)
    {
        if (data.Length <= MinLength)
        {
            return isFinal ? data.Length : 0;
        }

        // Hot loop: the spans are sliced to exactly the bytes each loop reads and the table is a 256-entry inline
        // array indexed by a byte, so the JIT drops every bounds check (measured: about 30 % faster than indexing
        // the whole span and a ulong[]).
        ref readonly GearTable gear = ref s_gearTable;
        int limit = Math.Min(data.Length, MaxLength);
        int normal = Math.Min(limit, NormalLength);
        ulong hash = 0;
        foreach (byte value in data.Slice(MinLength - WindowLength, WindowLength))
        {
            hash = (hash << 1) + gear[value];
        }

        ReadOnlySpan<byte> hard = data[MinLength..normal];
        for (int i = 0; i < hard.Length; i++)
        {
            hash = (hash << 1) + gear[hard[i]];
            if (hash < HardThreshold)
            {
                return MinLength + i + 1;
            }
        }

        ReadOnlySpan<byte> easy = data[normal..limit];
        for (int i = 0; i < easy.Length; i++)
        {
            hash = (hash << 1) + gear[easy[i]];
            if (hash < EasyThreshold)
            {
                return normal + i + 1;
            }
        }

        if (limit == MaxLength)
        {
            return MaxLength;
        }

        return isFinal ? data.Length : 0;
    }

    private static GearTable CreateGear()
    {
        GearTable table = default;
        byte[] seed = Encoding.ASCII.GetBytes(GearSeed);
        byte[] message = new byte[seed.Length + 1];
        seed.CopyTo(message, 0);
        Span<byte> digest = stackalloc byte[32];
        for (int i = 0; i < GearTable.Length; i++)
        {
            message[^1] = (byte)i;
            SHA256.HashData(message, digest);
            table[i] = BinaryPrimitives.ReadUInt64LittleEndian(digest);
        }

        return table;
    }

    /// <summary>256 gear values inline, so that indexing by a byte needs no bounds check.</summary>
    [InlineArray(Length)]
    private struct GearTable
    {
        public const int Length = 256;

        private ulong _element;
    }
}
