namespace PeerDist.HostedCache;

/// <summary>
/// One segment of a BATCHED_OFFER (MS-PCHC 2.2.1.5): <c>BlockSize</c>, <c>SegmentSize</c>, the content tag, the hash
/// algorithm and the segment's HoHoDk. No Kp and no HoD travel: a version 2.0 hosted cache stores what it pulls as
/// received ciphertext.
/// </summary>
public sealed class PchcSegmentDescriptor
{
    /// <summary>The hash algorithm code of SHA-256 (MS-PCHC 2.2.1.5).</summary>
    public const byte Sha256 = 0x01;

    /// <summary>The hash algorithm code of SHA-512 truncated to 256 bits, content information V2 (MS-PCHC 2.2.1.5).</summary>
    public const byte TruncatedSha512 = 0x04;

    /// <summary>The length of the segment hash for the known algorithms (and the only length the layout allows).</summary>
    public const int SegmentIdLength = 32;

    /// <summary>Creates a descriptor; <paramref name="contentTag"/> is 16 bytes and <paramref name="segmentId"/> 32.</summary>
    public PchcSegmentDescriptor(uint blockSize, uint segmentSize, ReadOnlyMemory<byte> contentTag, byte hashAlgorithm, ReadOnlyMemory<byte> segmentId)
    {
        if (contentTag.Length != PchcConstants.ContentTagLength)
        {
            ThrowHelper.ThrowArgument("A content tag is 16 bytes.", nameof(contentTag));
        }

        if (segmentId.Length != SegmentIdLength)
        {
            ThrowHelper.ThrowArgument("A BATCHED_OFFER segment hash is 32 bytes.", nameof(segmentId));
        }

        BlockSize = blockSize;
        SegmentSize = segmentSize;
        ContentTag = contentTag;
        HashAlgorithm = hashAlgorithm;
        SegmentId = segmentId;
    }

    /// <summary>The size of each block of the segment (Windows and WPTS send the segment size for V2 content).</summary>
    public uint BlockSize { get; }

    /// <summary>The bytes of content in the segment.</summary>
    public uint SegmentSize { get; }

    /// <summary>The 16-byte content tag.</summary>
    public ReadOnlyMemory<byte> ContentTag { get; }

    /// <summary>The hash algorithm code as received; see <see cref="IsKnownHashAlgorithm"/>.</summary>
    public byte HashAlgorithm { get; }

    /// <summary>Whether <see cref="HashAlgorithm"/> is SHA-256 or truncated SHA-512; another code is answered OK but not pulled (wire.md §3.4).</summary>
    public bool IsKnownHashAlgorithm => HashAlgorithm is Sha256 or TruncatedSha512;

    /// <summary>The segment's HoHoDk: the segment ID a PCCRR request names.</summary>
    public ReadOnlyMemory<byte> SegmentId { get; }
}
