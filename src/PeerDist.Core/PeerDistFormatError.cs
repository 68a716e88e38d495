namespace PeerDist;

/// <summary>Why bytes from a file or a peer were rejected. Each value names one rule of the specifications.</summary>
public enum PeerDistFormatError
{
    /// <summary>No reason recorded.</summary>
    Unknown = 0,

    /// <summary>The input ends before a field or an element that a length or count declares.</summary>
    Truncated,

    /// <summary>The version bytes are not a supported version.</summary>
    UnsupportedVersion,

    /// <summary>The hash algorithm code is not one the specification defines (MS-PCCRC 2.3 <c>dwHashAlgo</c>, 2.4 <c>bHashAlgo</c>).</summary>
    UnsupportedHashAlgorithm,

    /// <summary>A V1 <c>cbBlockSize</c> is not 65536 (MS-PCCRC 2.3.1.1).</summary>
    InvalidBlockSize,

    /// <summary>A segment length is 0, too large, or a non-final V1 segment is shorter than 32 MiB.</summary>
    InvalidSegmentLength,

    /// <summary>A V1 <c>ullOffsetInContent</c> is not on a 32 MiB boundary or does not follow the previous segment.</summary>
    InvalidSegmentOffset,

    /// <summary><c>dwOffsetInFirstSegment</c> does not fall inside the first segment.</summary>
    InvalidOffsetInFirstSegment,

    /// <summary><c>dwReadBytesInLastSegment</c> reaches past the end of the last segment.</summary>
    InvalidReadBytesInLastSegment,

    /// <summary>V2 <c>ullLengthOfRange</c> does not end inside the last listed segment.</summary>
    InvalidLengthOfRange,

    /// <summary>A V1 <c>cBlocks</c> lists more block hashes than the segment has blocks up to the end of the range.</summary>
    TooManyBlocks,

    /// <summary>A V1 <c>cBlocks</c> lists too few block hashes to cover every block that intersects the range.</summary>
    InvalidBlockCount,

    /// <summary>A V2 <c>bChunkType</c> is not 0 (MS-PCCRC 2.4.1.1).</summary>
    InvalidChunkType,

    /// <summary>A V2 <c>dwChunkDataLength</c> is 0 or not a multiple of 68 (MS-PCCRC 2.4.1.1).</summary>
    InvalidChunkLength,

    /// <summary>Bytes follow the last element of the structure.</summary>
    TrailingData,

    /// <summary>An offset, length or index would overflow a 64-bit sum.</summary>
    Overflow,

    /// <summary>A Windows exported key file is malformed or its password is wrong (MS-PCCRC 2.5).</summary>
    InvalidKeyFile,
}
