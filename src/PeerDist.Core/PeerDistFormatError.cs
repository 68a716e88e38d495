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

    /// <summary>A PCCRD datagram is not well-formed UTF-8 XML, declares a DTD or an entity, or ends early (MS-PCCRD 2.1, 2.2).</summary>
    PccrdInvalidXml,

    /// <summary>A PCCRD datagram is larger than the configured limit (64 KiB by default).</summary>
    PccrdDatagramTooLarge,

    /// <summary>A PCCRD datagram holds more elements than the configured limit.</summary>
    PccrdTooManyElements,

    /// <summary>A PCCRD message lacks, repeats or misplaces a SOAP envelope part or a required WS-Discovery element (MS-PCCRD 2.2.2).</summary>
    PccrdInvalidEnvelope,

    /// <summary>A PCCRD WS-Addressing header (<c>To</c>, <c>Action</c>, <c>MessageID</c>, <c>RelatesTo</c>) is missing, repeated, empty or not the fixed value (MS-PCCRD 2.2.1).</summary>
    PccrdInvalidAddressing,

    /// <summary>A well-formed WS-Discovery message that is not the one expected here (a Hello, a Bye, a Resolve, or a Probe where a ProbeMatch belongs); not for PeerDist.</summary>
    PccrdUnexpectedMessage,

    /// <summary>The <c>Types</c> element does not name exactly one PeerDist type (MS-PCCRD 2.2.3.1); a Probe for something else.</summary>
    PccrdNotPeerDist,

    /// <summary>A Probe <c>Scopes/@MatchBy</c> is not the rule of its version (<c>strcmp0</c> for 1.0, <c>PeerDistV2MatchingRule</c> for 2.0).</summary>
    PccrdUnsupportedMatchingRule,

    /// <summary>A PCCRD <c>Scopes</c> value is empty, not hex or base64, or a segment identifier is not 32, 48 or 64 bytes (MS-PCCRD 2.2.3.2, 2.2.3.3).</summary>
    PccrdInvalidScopes,

    /// <summary>A Probe lists more than 255 segment identifiers (MS-PCCRD 2.2.3.3: the version 2.0 count is one byte).</summary>
    PccrdTooManySegmentIds,

    /// <summary>A version 1.0 <c>BlockCount</c> is not hex, or does not hold one 4- or 8-digit count per scope (MS-PCCRD 2.2.3.9).</summary>
    PccrdInvalidBlockCount,

    /// <summary>A ProbeMatch <c>XAddrs</c> is empty or an item is not an IP address with a port (MS-PCCRD 2.2.3.8).</summary>
    PccrdInvalidXAddrs,

    /// <summary>A ProbeMatch <c>AppSequence</c> is missing or its <c>InstanceId</c> or <c>MessageNumber</c> is not an unsigned 32-bit integer (MS-PCCRD 2.2.3.6, 2.2.3.7).</summary>
    PccrdInvalidAppSequence,

    /// <summary>A ProbeMatch <c>MetadataVersion</c> is not 1 or 2 (MS-PCCRD 2.2.3.5).</summary>
    PccrdInvalidMetadataVersion,

    /// <summary>A version 2.0 ProbeMatch has no <c>SegmentAges</c> or its value is not base64 (MS-PCCRD 2.2.3.9); a bad blob inside is <see cref="InvalidExtensibleBlob"/>.</summary>
    PccrdInvalidSegmentAges,

    /// <summary>A PCHC <c>MajorVersion</c> is not 1 or 2, or is not the version the endpoint speaks (MS-PCHC 1.7, 2.2.1.1).</summary>
    PchcUnsupportedVersion,

    /// <summary>A PCHC <c>Type</c> is not 1, 2 or 3, or does not belong to the message's version (MS-PCHC 2.2.1.1).</summary>
    PchcUnknownMessageType,

    /// <summary>An INITIAL_OFFER <c>Hash</c> is not 32, 48 or 64 bytes long (MS-PCHC 2.2.1.3).</summary>
    PchcInvalidSegmentHash,

    /// <summary>A PCHC content tag is not 16 bytes (MS-PCHC 2.2.1.4, 2.2.1.5: <c>SizeOfContentTag</c> MUST be 16).</summary>
    PchcInvalidContentTag,

    /// <summary>A BATCHED_OFFER holds no segment descriptor or more than 128 (MS-PCHC 2.2.1.5).</summary>
    PchcInvalidDescriptorCount,

    /// <summary>A PCHC message is larger than the configured limit.</summary>
    PchcMessageTooLarge,

    /// <summary>A PCHC response's <c>Size</c> is not 1 or its <c>ResponseCode</c> is not 0 or 1 (MS-PCHC 2.2.2).</summary>
    PchcInvalidResponse,
}
