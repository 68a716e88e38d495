namespace PeerDist.HostedCache;

/// <summary>Fixed values of MS-PCHC.</summary>
public static class PchcConstants
{
    /// <summary>MESSAGE_HEADER (4 bytes of fields, 4 of padding) plus CONNECTION_INFORMATION (2 + 6).</summary>
    public const int HeaderLength = 16;

    /// <summary>The length of a content tag (MS-PCHC 2.2.1.4; <c>SizeOfContentTag</c> MUST be 16).</summary>
    public const int ContentTagLength = 16;

    /// <summary>The most segment descriptors in one BATCHED_OFFER (MS-PCHC 2.2.1.5).</summary>
    public const int MaxBatchedSegments = 128;

    /// <summary>The encoded length of a BATCHED_OFFER segment descriptor with a 16-byte tag and a 32-byte hash.</summary>
    public const int SegmentDescriptorLength = 4 + 4 + 2 + ContentTagLength + 1 + 32;

    /// <summary>The length of a response: the 4-byte transport <c>Size</c> and the 1-byte code (MS-PCHC 2.2.2).</summary>
    public const int ResponseLength = 5;

    /// <summary>
    /// The default limit on a request body: a SEGMENT_INFO for one 32 MiB segment with SHA-512 block hashes is about
    /// 33 KB, a full BATCHED_OFFER 7,568 bytes.
    /// </summary>
    public const int DefaultMaxMessageLength = 64 * 1024;
}
