namespace PeerDist.Content;

/// <summary>What <see cref="ContentInformationVerifier"/> found wrong with a segment or a block.</summary>
public enum ContentMismatchKind
{
    /// <summary>A listed V1 block hash (MS-PCCRC 2.3.1.2 <c>BlockHashes</c>) differs from the hash of the block's bytes.</summary>
    BlockHash = 1,

    /// <summary>
    /// The segment's hash of data (HoD, MS-PCCRC 2.2) differs. V1: the hash over the block hashes (listed ones as
    /// listed, the others computed from the content) — an unlisted block differs, or the content information is not
    /// self-consistent. V2: the hash of the segment's bytes.
    /// </summary>
    HashOfData = 2,

    /// <summary>The segment secret (Kp) is not HMAC(Ks, HoD) for the given server secret: another key made it.</summary>
    SegmentSecret = 3,

    /// <summary>The content ends inside or before the segment; what it holds was checked, the rest could not be.</summary>
    ContentTooShort = 4,

    /// <summary>The content information describes the end of the content, but the content goes on after it.</summary>
    ContentTooLong = 5,
}
