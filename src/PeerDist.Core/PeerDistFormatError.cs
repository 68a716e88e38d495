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

    /// <summary>A PCCRR <c>MsgSize</c> or <c>TRANSPORT_RESPONSE_HEADER.Size</c> exceeds the configured limit (MS-PCCRR 2.2.3: 98,304 bytes for requests, 393,216 for responses).</summary>
    MessageTooLarge,

    /// <summary>A PCCRR <c>MsgSize</c> is below 16, disagrees with the transport header or the bytes received, or a field runs past the end of the message (MS-PCCRR 2.2.3).</summary>
    MessageSizeMismatch,

    /// <summary>A PCCRR <c>MsgType</c> is not one of the values of MS-PCCRR 2.2.3.</summary>
    UnknownMessageType,

    /// <summary>A PCCRR <c>MsgType</c> is valid but not expected here (a response where a request belongs, or another message than the one asked for).</summary>
    UnexpectedMessageType,

    /// <summary>A PCCRR <c>CryptoAlgoId</c> is not 0 to 3 (MS-PCCRR 2.2.3).</summary>
    InvalidCryptoAlgorithm,

    /// <summary>A PCCRR <c>BLOCK_RANGE</c> has Count 0 or reaches past block 511, or a block index is above 511 (MS-PCCRR 2.2.1.1).</summary>
    InvalidBlockRange,

    /// <summary>A PCCRR <c>SEGMENT_RANGE</c> has Count 0 or its end overflows 32 bits (MS-PCCRR 2.2.1.2).</summary>
    InvalidSegmentRange,

    /// <summary>A PCCRR <c>SizeOfSegmentID</c> is not 32, 48 or 64 (MS-PCCRR 2.2.4.2).</summary>
    InvalidSegmentIdLength,

    /// <summary>A PCCRR <c>ZeroPad</c> byte is not zero (MS-PCCRR 2.2; checked only when the reader options ask for it).</summary>
    NonZeroPadding,

    /// <summary>A PCCRR extensible blob is shorter than its version needs, has bad units, or its ages do not fit (MS-PCCRR 2.2.6).</summary>
    InvalidExtensibleBlob,

    /// <summary>An encrypted PCCRR block is not a whole number of AES blocks or is shorter than the plaintext it should hold (MS-PCCRR 5.1).</summary>
    InvalidCiphertextLength,
}
