namespace PeerDist.Cli;

/// <summary>
/// The cache package format of <c>peerdist cache export</c> / <c>import</c> (as Windows' Export/Import-BCCachePackage):
/// segments with their metadata and verified blocks in one file, to pre-load another cache. Version 1, all integers
/// little-endian; specified in docs/cli.md.
/// </summary>
/// <remarks>
/// <code>
/// magic        8   "PDCPKG" CR LF (the CR LF shows text-mode transfer damage at once)
/// version      u16 1
/// flags        u16 0 (reserved; a reader refuses other values)
/// segments     u32 count, then each segment:
///   hash algorithm u32 (ContentHashAlgorithm: 0x800C/0x800D/0x800E V1, 0x04 V2)
///   segment length u32, block size u32, first listed block index u32, listed block count u32
///   digest length  u8 (32, 48 or 64: the algorithm's), segment id (HoHoDk), hash of data (HoD)
///   secret length  u8 (0 or the digest length), segment secret (Kp)
///   block hashes   listed block count x digest length
///   blocks         u32 count, then each: index u32, length u32, the block's bytes (ascending indices)
/// checksum     32  SHA-256 of every byte before it
/// </code>
/// <para>
/// The package holds each segment's Kp, which lets anyone holding it decrypt what peers send for that segment: protect it
/// as the cache directory is protected. Import checks the checksum first (nothing is stored from a damaged file), then
/// validates every segment's metadata (the identifier against Kp and the HoD against the block hashes) and every block
/// against its hash before storing anything.
/// </para>
/// </remarks>
internal static class CachePackage
{
    /// <summary>The package format version written and read.</summary>
    public const ushort Version = 1;

    /// <summary>The length of the trailing SHA-256.</summary>
    public const int ChecksumLength = 32;

    /// <summary>The magic: "PDCPKG" CR LF.</summary>
    public static ReadOnlySpan<byte> Magic => "PDCPKG\r\n"u8;

    /// <summary>The header: magic, version, flags, segment count.</summary>
    public const int HeaderLength = 8 + 2 + 2 + 4;
}
