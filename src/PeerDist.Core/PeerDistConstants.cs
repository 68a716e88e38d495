namespace PeerDist;

/// <summary>Sizes fixed by the Peer Distribution specifications.</summary>
public static class PeerDistConstants
{
    /// <summary>MS-PCCRC 2.1: a V1 block is 64 KiB; only the last block of the content may be shorter.</summary>
    public const int BlockSize = 64 * 1024;

    /// <summary>MS-PCCRC 2.1: a V1 segment is 32 MiB; only the last segment of the content may be shorter.</summary>
    public const int SegmentSize = 32 * 1024 * 1024;

    /// <summary>MS-PCCRC 2.1: a full V1 segment holds 512 blocks (PCCRR BLOCK_RANGE indices 0..511).</summary>
    public const int MaxBlocksPerSegment = SegmentSize / BlockSize;

    /// <summary>MS-PCCRC 2.4.1.2: a V2 segment (<c>cbSegment</c>) is 1 to 128 KiB.</summary>
    public const int MaxSegmentLengthV2 = 128 * 1024;

    /// <summary>MS-PCCRC 2.2: every V2 hash, key and identifier is 32 bytes (truncated SHA-512).</summary>
    public const int DigestLengthV2 = 32;

    /// <summary>The largest digest of any supported hash algorithm (SHA-512).</summary>
    public const int MaxDigestLength = 64;
}
