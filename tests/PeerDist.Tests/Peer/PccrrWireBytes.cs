using System.Buffers.Binary;

namespace PeerDist.Tests.Peer;

/// <summary>
/// MS-PCCRR request messages built byte by byte from the layouts in wire.md §1.3–§1.4 (every DWORD big-endian,
/// variable fields zero-padded to 4 bytes), without the library's encoders, so the over-sockets tests do not take the
/// codec's word for what is on the wire. Malformed variants are made by declaring counts that do not match the body
/// or by <see cref="Patch"/>ing one DWORD.
/// </summary>
internal static class PccrrWireBytes
{
    /// <summary>ProtVer 1.0: bytes MinorMSB MinorLSB MajorMSB MajorLSB = 00 00 00 01 (MS-PCCRR 2.2.3).</summary>
    public const uint Version1 = 0x0000_0001;

    /// <summary>ProtVer 2.0.</summary>
    public const uint Version2 = 0x0000_0002;

    public const uint MsgNegoReq = 0;
    public const uint MsgNegoResp = 1;
    public const uint MsgGetBlkList = 2;
    public const uint MsgGetBlks = 3;
    public const uint MsgBlkList = 4;
    public const uint MsgBlk = 5;
    public const uint MsgGetSegList = 6;
    public const uint MsgSegList = 7;

    /// <summary>CryptoAlgoId AES_128, what a client SHOULD put in its requests.</summary>
    public const uint Aes128 = 1;

    /// <summary>Offset of MsgType in MESSAGE_HEADER.</summary>
    public const int MsgTypeOffset = 4;

    /// <summary>Offset of CryptoAlgoId in MESSAGE_HEADER.</summary>
    public const int CryptoAlgoIdOffset = 12;

    /// <summary>Offset of CountOfSegmentIDs in MSG_GETSEGLIST: header 16 + RequestID 16.</summary>
    public const int SegmentIdCountOffset = 32;

    /// <summary>MSG_NEGO_REQ (2.2.4.1).</summary>
    public static byte[] Negotiate(uint minVersion = Version1, uint maxVersion = Version2, uint protVer = Version1)
    {
        var message = new Builder(protVer, MsgNegoReq);
        message.UInt32(minVersion); // MinSupportedProtocolVersion
        message.UInt32(maxVersion); // MaxSupportedProtocolVersion
        return message.ToArray();
    }

    /// <summary>
    /// MSG_GETBLKS (2.2.4.3) for <paramref name="ranges"/> (Index, Count). <paramref name="declaredRangeCount"/> replaces
    /// ReqBlockRangeCount when given; the ranges written stay as given.
    /// </summary>
    public static byte[] GetBlocks(ReadOnlySpan<byte> segmentId, uint? declaredRangeCount = null, uint protVer = Version1, params (uint Index, uint Count)[] ranges)
    {
        var message = new Builder(protVer, MsgGetBlks);
        message.SizedPadded(segmentId); // SizeOfSegmentID, SegmentID, ZeroPad
        message.Ranges(declaredRangeCount, ranges); // ReqBlockRangeCount, ReqBlockRanges
        message.UInt32(0); // SizeOfDataForVrfBlock (DataForVrfBlock empty)
        return message.ToArray();
    }

    /// <summary>MSG_GETBLKS asking for the single block <paramref name="index"/>.</summary>
    public static byte[] GetBlock(ReadOnlySpan<byte> segmentId, uint index) => GetBlocks(segmentId, null, Version1, (index, 1u));

    /// <summary>MSG_GETBLKLIST (2.2.4.2); <paramref name="declaredRangeCount"/> replaces NeededBlocksRangeCount when given.</summary>
    public static byte[] GetBlockList(ReadOnlySpan<byte> segmentId, uint? declaredRangeCount = null, params (uint Index, uint Count)[] ranges)
    {
        var message = new Builder(Version1, MsgGetBlkList);
        message.SizedPadded(segmentId); // SizeOfSegmentID, SegmentID, ZeroPad
        message.Ranges(declaredRangeCount, ranges); // NeededBlocksRangeCount, NeededBlockRanges
        return message.ToArray();
    }

    /// <summary>
    /// MSG_GETSEGLIST (2.2.4.4, ProtVer 2.0) for <paramref name="segmentIds"/>, with an optional extensible blob;
    /// <paramref name="declaredIdCount"/> replaces CountOfSegmentIDs when given.
    /// </summary>
    public static byte[] GetSegmentList(ReadOnlySpan<byte> requestId, ReadOnlySpan<byte> extensibleBlob, uint? declaredIdCount = null, params byte[][] segmentIds)
    {
        Assert.That(requestId.Length, Is.EqualTo(16));
        var message = new Builder(Version2, MsgGetSegList);
        message.Bytes(requestId); // RequestID
        message.UInt32(declaredIdCount ?? (uint)segmentIds.Length); // CountOfSegmentIDs
        foreach (byte[] id in segmentIds)
        {
            message.SizedPadded(id); // SizeOfSegmentID, SegmentID, ZeroPad
        }

        message.UInt32((uint)extensibleBlob.Length); // SizeOfExtensibleBlob
        message.Bytes(extensibleBlob); // ExtensibleBlob: the last field, no padding
        return message.ToArray();
    }

    /// <summary>
    /// An extensible blob version 1 (2.2.6.1) with one ENCODED_SEGMENT_AGE: version 00 01, units, count 1, then the
    /// segment index and the age as a 24-bit little-endian number.
    /// </summary>
    public static byte[] SegmentAgeBlob(byte units, byte segmentIndex, uint age) =>
        [0x00, 0x01, units, 0x01, segmentIndex, (byte)age, (byte)(age >> 8), (byte)(age >> 16)];

    /// <summary>A copy of <paramref name="message"/> with the big-endian DWORD at <paramref name="offset"/> replaced.</summary>
    public static byte[] Patch(byte[] message, int offset, uint value)
    {
        byte[] copy = (byte[])message.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(offset), value);
        return copy;
    }

    /// <summary>Offset of the range-count DWORD of MSG_GETBLKS / MSG_GETBLKLIST: header 16 + size 4 + padded ID.</summary>
    public static int RangeCountOffset(int segmentIdLength) => 16 + 4 + segmentIdLength + ((-segmentIdLength) & 3);

    private sealed class Builder
    {
        private readonly List<byte> _bytes = [];

        public Builder(uint protVer, uint msgType)
        {
            UInt32(protVer); // ProtVer
            UInt32(msgType); // MsgType
            UInt32(0); // MsgSize, set in ToArray
            UInt32(Aes128); // CryptoAlgoId: the client's preference
        }

        public void UInt32(uint value)
        {
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
            _bytes.AddRange(bytes);
        }

        public void Bytes(ReadOnlySpan<byte> value) => _bytes.AddRange(value);

        public void SizedPadded(ReadOnlySpan<byte> value)
        {
            UInt32((uint)value.Length);
            _bytes.AddRange(value);
            for (int i = 0; i < ((-value.Length) & 3); i++)
            {
                _bytes.Add(0);
            }
        }

        public void Ranges(uint? declaredCount, (uint Index, uint Count)[] ranges)
        {
            UInt32(declaredCount ?? (uint)ranges.Length);
            foreach ((uint index, uint count) in ranges)
            {
                UInt32(index); // BLOCK_RANGE Index
                UInt32(count); // BLOCK_RANGE Count
            }
        }

        public byte[] ToArray()
        {
            byte[] message = [.. _bytes];
            BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(8), (uint)message.Length); // MsgSize: the whole message
            return message;
        }
    }
}
