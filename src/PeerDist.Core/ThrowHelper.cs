using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace PeerDist;

/// <summary>Every throw of the library goes through here, so messages are built in one place and never carry secrets.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    [StackTraceHidden]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowFormat(PeerDistFormatError error, long offset) =>
        throw new PeerDistFormatException(error, offset);

    [DoesNotReturn]
    [StackTraceHidden]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowInvalidOperation(string message) => throw new InvalidOperationException(message);

    [DoesNotReturn]
    [StackTraceHidden]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowArgument(string message, string paramName) => throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    [StackTraceHidden]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowArgumentOutOfRange(string paramName, string message) =>
        throw new ArgumentOutOfRangeException(paramName, message);

    public static string GetFormatMessage(PeerDistFormatError error, long offset)
    {
        string what = error switch
        {
            PeerDistFormatError.Truncated => "the input ends before the data its lengths and counts declare",
            PeerDistFormatError.UnsupportedVersion => "the version is not supported",
            PeerDistFormatError.UnsupportedHashAlgorithm => "the hash algorithm is not one the specification defines",
            PeerDistFormatError.InvalidBlockSize => "the block size is not 65536 (MS-PCCRC 2.3.1.1)",
            PeerDistFormatError.InvalidSegmentLength => "a segment length is out of range",
            PeerDistFormatError.InvalidSegmentOffset => "a segment offset is not where the previous segment ends",
            PeerDistFormatError.InvalidOffsetInFirstSegment => "the offset in the first segment is outside that segment",
            PeerDistFormatError.InvalidReadBytesInLastSegment => "the bytes read in the last segment reach past its end",
            PeerDistFormatError.InvalidLengthOfRange => "the range length does not end inside the last listed segment",
            PeerDistFormatError.TooManyBlocks => "a segment lists more block hashes than it has blocks in the range",
            PeerDistFormatError.InvalidBlockCount => "a segment lists too few block hashes to cover the range",
            PeerDistFormatError.InvalidChunkType => "a chunk type is not 0 (MS-PCCRC 2.4.1.1)",
            PeerDistFormatError.InvalidChunkLength => "a chunk length is 0 or not a multiple of 68 (MS-PCCRC 2.4.1.1)",
            PeerDistFormatError.TrailingData => "bytes follow the end of the structure",
            PeerDistFormatError.Overflow => "an offset or length overflows 64 bits",
            PeerDistFormatError.InvalidKeyFile => "the key file is malformed or the password is wrong",
            PeerDistFormatError.MessageTooLarge => "the PCCRR message is larger than the configured limit (MS-PCCRR 2.2.3)",
            PeerDistFormatError.MessageSizeMismatch => "the PCCRR message size disagrees with its fields or its framing (MS-PCCRR 2.2.3)",
            PeerDistFormatError.UnknownMessageType => "the PCCRR message type is not defined (MS-PCCRR 2.2.3)",
            PeerDistFormatError.UnexpectedMessageType => "the PCCRR message type is not the one expected here",
            PeerDistFormatError.InvalidCryptoAlgorithm => "the PCCRR CryptoAlgoId is not 0 to 3 (MS-PCCRR 2.2.3)",
            PeerDistFormatError.InvalidBlockRange => "a PCCRR block range or block index is outside blocks 0 to 511 (MS-PCCRR 2.2.1.1)",
            PeerDistFormatError.InvalidSegmentRange => "a PCCRR segment range is empty or overflows (MS-PCCRR 2.2.1.2)",
            PeerDistFormatError.InvalidSegmentIdLength => "a PCCRR segment identifier is not 32, 48 or 64 bytes",
            PeerDistFormatError.NonZeroPadding => "a PCCRR padding byte is not zero (MS-PCCRR 2.2)",
            PeerDistFormatError.InvalidExtensibleBlob => "the PCCRR extensible blob is malformed (MS-PCCRR 2.2.6)",
            PeerDistFormatError.InvalidCiphertextLength => "the encrypted block length is not a whole number of cipher blocks covering the plaintext",
            PeerDistFormatError.PccrdInvalidXml => "the PCCRD datagram is not well-formed UTF-8 XML without a DTD (MS-PCCRD 2.1)",
            PeerDistFormatError.PccrdDatagramTooLarge => "the PCCRD datagram is larger than the limit",
            PeerDistFormatError.PccrdTooManyElements => "the PCCRD datagram holds more elements than the limit",
            PeerDistFormatError.PccrdInvalidEnvelope => "the PCCRD SOAP envelope or a WS-Discovery element is missing or misplaced (MS-PCCRD 2.2.2)",
            PeerDistFormatError.PccrdInvalidAddressing => "a PCCRD WS-Addressing header is missing, repeated or wrong (MS-PCCRD 2.2.1)",
            PeerDistFormatError.PccrdUnexpectedMessage => "the WS-Discovery message is not the Probe or ProbeMatch expected here",
            PeerDistFormatError.PccrdNotPeerDist => "the WS-Discovery message is not for PeerDist (MS-PCCRD 2.2.3.1)",
            PeerDistFormatError.PccrdUnsupportedMatchingRule => "the PCCRD Scopes MatchBy rule is not the one of the message version",
            PeerDistFormatError.PccrdInvalidScopes => "a PCCRD scope is empty, not hex or base64, or not a 32, 48 or 64-byte segment identifier (MS-PCCRD 2.2.3.2)",
            PeerDistFormatError.PccrdTooManySegmentIds => "the PCCRD probe lists more than 255 segment identifiers",
            PeerDistFormatError.PccrdInvalidBlockCount => "the PCCRD BlockCount is not one hex count per scope (MS-PCCRD 2.2.3.9)",
            PeerDistFormatError.PccrdInvalidXAddrs => "a PCCRD XAddrs item is not an IP address with a port (MS-PCCRD 2.2.3.8)",
            PeerDistFormatError.PccrdInvalidAppSequence => "the PCCRD AppSequence is missing or not unsigned 32-bit numbers (MS-PCCRD 2.2.3.6)",
            PeerDistFormatError.PccrdInvalidMetadataVersion => "the PCCRD MetadataVersion is not 1 or 2 (MS-PCCRD 2.2.3.5)",
            PeerDistFormatError.PccrdInvalidSegmentAges => "the PCCRD SegmentAges is missing or not base64 (MS-PCCRD 2.2.3.9)",
            PeerDistFormatError.PchcUnsupportedVersion => "the PCHC MajorVersion is not the version this endpoint speaks (MS-PCHC 1.7)",
            PeerDistFormatError.PchcUnknownMessageType => "the PCHC Type is not a message of this version (MS-PCHC 2.2.1.1)",
            PeerDistFormatError.PchcInvalidSegmentHash => "the INITIAL_OFFER hash is not 32, 48 or 64 bytes (MS-PCHC 2.2.1.3)",
            PeerDistFormatError.PchcInvalidContentTag => "the PCHC content tag is not 16 bytes (MS-PCHC 2.2.1.5)",
            PeerDistFormatError.PchcInvalidDescriptorCount => "the BATCHED_OFFER holds no descriptor or more than 128 (MS-PCHC 2.2.1.5)",
            PeerDistFormatError.PchcMessageTooLarge => "the PCHC message is larger than the configured limit",
            PeerDistFormatError.PchcInvalidResponse => "the PCHC response is not 5 bytes with code 0 or 1 (MS-PCHC 2.2.2)",
            _ => "the data is malformed",
        };
        return $"Invalid peer distribution data at byte {offset}: {what} ({error}).";
    }
}
