using System.Buffers;
using PeerDist.Cryptography;

namespace PeerDist.Retrieval;

/// <summary>
/// MS-PCCRR 2.2.5.3 <c>MSG_BLK</c>: one block of a segment, encrypted as the header's <c>CryptoAlgoId</c> says, with the
/// IV after it. Encoded with its TRANSPORT_RESPONSE_HEADER. <c>SizeOfBlock</c> = 0 means the server does not have the
/// block (or is busy).
/// </summary>
/// <remarks>
/// When read, <see cref="Block"/>, <see cref="VrfBlock"/>, <see cref="IV"/> and <see cref="SegmentId"/> are slices of the
/// input: valid until the next read or <c>Advance</c>; copy them to keep them. The codec does not check the IV length
/// against the algorithm; <see cref="PeerDistBlockCipher"/> does when decrypting.
/// </remarks>
public readonly struct PccrrBlockResponse
{
    /// <summary>Creates the message around an already encrypted <paramref name="block"/>.</summary>
    /// <exception cref="ArgumentException">The segment identifier is not 32, 48 or 64 bytes, or an index is above 511.</exception>
    public PccrrBlockResponse(
        ReadOnlyMemory<byte> segmentId,
        uint blockIndex,
        uint nextBlockIndex,
        ReadOnlySequence<byte> block,
        ReadOnlyMemory<byte> iv,
        PccrrCryptoAlgorithm cryptoAlgorithm,
        ReadOnlyMemory<byte> vrfBlock = default,
        PccrrVersion? version = null)
    {
        PccrrFieldWriter.ValidateSegmentId(segmentId.Span, nameof(segmentId));
        PccrrMessageValidation.ValidateBlockIndex(blockIndex, nameof(blockIndex));
        PccrrMessageValidation.ValidateBlockIndex(nextBlockIndex, nameof(nextBlockIndex));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(block.Length, int.MaxValue / 2, nameof(block));
        SegmentId = segmentId;
        BlockIndex = blockIndex;
        NextBlockIndex = nextBlockIndex;
        Block = block;
        IV = iv;
        VrfBlock = vrfBlock;
        CryptoAlgorithm = cryptoAlgorithm;
        Version = version ?? PccrrVersion.V1;
    }

    /// <summary>MESSAGE_HEADER <c>ProtVer</c> (1.0 per MS-PCCRR 2.2.3).</summary>
    public PccrrVersion Version { get; }

    /// <summary>MESSAGE_HEADER <c>CryptoAlgoId</c>: the algorithm the server used for <see cref="Block"/>.</summary>
    public PccrrCryptoAlgorithm CryptoAlgorithm { get; }

    /// <summary><c>SegmentId</c>.</summary>
    public ReadOnlyMemory<byte> SegmentId { get; }

    /// <summary><c>BlockIndex</c>: the block carried.</summary>
    public uint BlockIndex { get; }

    /// <summary><c>NextBlockIndex</c>: the next available block, 0 when none (always 0 for V2 content).</summary>
    public uint NextBlockIndex { get; }

    /// <summary><c>Block</c> (length <c>SizeOfBlock</c>): the ciphertext, IV not included. Valid until the next read or <c>Advance</c>.</summary>
    public ReadOnlySequence<byte> Block { get; }

    /// <summary><c>VrfBlock</c> (length <c>SizeOfVrfBlock</c>): unused, SHOULD be empty.</summary>
    public ReadOnlyMemory<byte> VrfBlock { get; }

    /// <summary><c>IVBlock</c> (length <c>SizeOfIVBlock</c>): 16 bytes for AES, empty for plaintext or a missing block.</summary>
    public ReadOnlyMemory<byte> IV { get; }

    /// <summary>Decodes one complete response body (TRANSPORT_RESPONSE_HEADER + message); the input must hold exactly that.</summary>
    /// <exception cref="PeerDistFormatException">The bytes are not a valid <c>MSG_BLK</c>.</exception>
    public static PccrrBlockResponse Parse(ReadOnlyMemory<byte> response, PccrrReaderOptions? options = null)
    {
        PccrrMessageDecoder.Parse(response, response: true, PccrrMessageType.Block, options, out PccrrMessage decoded);
        return decoded.Block;
    }

    /// <summary>Decodes one complete response body without throwing for bad data.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> response, out PccrrBlockResponse value, out PeerDistFormatError error, out long errorOffset)
    {
        bool ok = PccrrMessageDecoder.TryParse(response, response: true, PccrrMessageType.Block, null, out PccrrMessage decoded, out error, out errorOffset);
        value = ok ? decoded.Block : default;
        return ok;
    }

    /// <summary>The number of bytes <see cref="TryWrite"/> writes, TRANSPORT_RESPONSE_HEADER included.</summary>
    public int GetEncodedLength() =>
        PccrrTransportResponseHeader.Size + GetMessageSize(SegmentId.Length, (int)Block.Length, VrfBlock.Length, IV.Length);

    /// <summary>
    /// The encoded length of the response <see cref="TryWriteEncrypted"/> writes for a plaintext of
    /// <paramref name="plaintextLength"/> bytes, TRANSPORT_RESPONSE_HEADER included.
    /// </summary>
    public static int GetEncryptedEncodedLength(int segmentIdLength, int plaintextLength, PccrrCryptoAlgorithm algorithm) =>
        PccrrTransportResponseHeader.Size + GetMessageSize(
            segmentIdLength,
            PeerDistBlockCipher.GetCiphertextLength(plaintextLength, algorithm),
            0,
            PeerDistBlockCipher.GetIVLength(algorithm));

    /// <summary>Encodes TRANSPORT_RESPONSE_HEADER + message; false (nothing written) when <paramref name="destination"/> is too small.</summary>
    public bool TryWrite(Span<byte> destination, out int bytesWritten)
    {
        int size = GetMessageSize(SegmentId.Length, (int)Block.Length, VrfBlock.Length, IV.Length);
        if (destination.Length < PccrrTransportResponseHeader.Size + size)
        {
            bytesWritten = 0;
            return false;
        }

        new PccrrTransportResponseHeader((uint)size).Write(destination);
        var writer = new PccrrFieldWriter(destination[PccrrTransportResponseHeader.Size..]);
        WriteFixedPart(ref writer, Version, CryptoAlgorithm, size, SegmentId.Span, BlockIndex, NextBlockIndex, (int)Block.Length);
        writer.WriteBytes(Block); // Block: one copy, sequence to destination
        WriteTail(ref writer, VrfBlock.Span, IV.Span);
        writer.AssertComplete(size);
        bytesWritten = PccrrTransportResponseHeader.Size + size;
        return true;
    }

    /// <summary>Encodes the response with one <c>GetSpan</c>/<c>Advance</c>.</summary>
    public void Write(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        TryWrite(writer.GetSpan(GetEncodedLength()), out int written);
        writer.Advance(written);
    }

    /// <summary>
    /// Encodes a <c>MSG_BLK</c> response carrying <paramref name="plaintext"/> encrypted with <paramref name="algorithm"/>
    /// (PKCS#7, see <see cref="PeerDistBlockCipher"/>). The ciphertext is produced straight into
    /// <paramref name="destination"/>, so the block is never copied twice. False (nothing written) when the destination is
    /// too small.
    /// </summary>
    /// <exception cref="ArgumentException">An identifier, index, key or IV has the wrong length or value.</exception>
    public static bool TryWriteEncrypted(
        Span<byte> destination,
        ReadOnlySpan<byte> segmentId,
        uint blockIndex,
        uint nextBlockIndex,
        ReadOnlySpan<byte> plaintext,
        ReadOnlySpan<byte> segmentSecret,
        PccrrCryptoAlgorithm algorithm,
        ReadOnlySpan<byte> iv,
        out int bytesWritten)
    {
        PccrrFieldWriter.ValidateSegmentId(segmentId, nameof(segmentId));
        PccrrMessageValidation.ValidateBlockIndex(blockIndex, nameof(blockIndex));
        PccrrMessageValidation.ValidateBlockIndex(nextBlockIndex, nameof(nextBlockIndex));
        if (iv.Length != PeerDistBlockCipher.GetIVLength(algorithm))
        {
            ThrowHelper.ThrowArgument("The IV must be 16 bytes for AES and empty without encryption.", nameof(iv));
        }

        int cipherLength = PeerDistBlockCipher.GetCiphertextLength(plaintext.Length, algorithm);
        int size = GetMessageSize(segmentId.Length, cipherLength, 0, iv.Length);
        if (destination.Length < PccrrTransportResponseHeader.Size + size)
        {
            bytesWritten = 0;
            return false;
        }

        new PccrrTransportResponseHeader((uint)size).Write(destination);
        var writer = new PccrrFieldWriter(destination[PccrrTransportResponseHeader.Size..]);
        WriteFixedPart(ref writer, PccrrVersion.V1, algorithm, size, segmentId, blockIndex, nextBlockIndex, cipherLength);
        PeerDistBlockCipher.Encrypt(plaintext, segmentSecret, algorithm, iv, writer.Reserve(cipherLength)); // Block, in place
        WriteTail(ref writer, [], iv);
        writer.AssertComplete(size);
        bytesWritten = PccrrTransportResponseHeader.Size + size;
        return true;
    }

    /// <summary>The <see cref="IBufferWriter{T}"/> form of <see cref="TryWriteEncrypted"/>: one <c>GetSpan</c>/<c>Advance</c>.</summary>
    public static void WriteEncrypted(
        IBufferWriter<byte> writer,
        ReadOnlySpan<byte> segmentId,
        uint blockIndex,
        uint nextBlockIndex,
        ReadOnlySpan<byte> plaintext,
        ReadOnlySpan<byte> segmentSecret,
        PccrrCryptoAlgorithm algorithm,
        ReadOnlySpan<byte> iv)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int length = GetEncryptedEncodedLength(segmentId.Length, plaintext.Length, algorithm);
        TryWriteEncrypted(writer.GetSpan(length), segmentId, blockIndex, nextBlockIndex, plaintext, segmentSecret, algorithm, iv, out int written);
        writer.Advance(written);
    }

    internal static bool TryReadBody(ref PccrrFieldReader reader, in PccrrMessageHeader header, out PccrrBlockResponse value)
    {
        value = default;
        if (!reader.TryReadSegmentId(out ReadOnlyMemory<byte> segmentId) ||
            !reader.TryReadBlockIndex(out uint blockIndex) ||
            !reader.TryReadBlockIndex(out uint nextBlockIndex) ||
            !reader.TryReadUInt32(out uint blockSize) ||
            !reader.TryReadSequence(blockSize, out ReadOnlySequence<byte> block) ||
            !reader.TrySkipPadding() ||
            !reader.TryReadUInt32(out uint vrfSize) ||
            !reader.TryReadMemory(vrfSize, out ReadOnlyMemory<byte> vrf) ||
            !reader.TrySkipPadding() ||
            !reader.TryReadSizedMemory(out ReadOnlyMemory<byte> iv))
        {
            return false;
        }

        value = new PccrrBlockResponse(segmentId, blockIndex, nextBlockIndex, block, iv, header.CryptoAlgorithm, vrf, header.Version);
        return true;
    }

    private static int GetMessageSize(int segmentIdLength, int blockLength, int vrfLength, int ivLength) =>
        PccrrMessageHeader.Size + PccrrFieldWriter.SegmentIdLength(segmentIdLength) + 12 +
        blockLength + PccrrFieldWriter.Padding(blockLength) + 4 + vrfLength + PccrrFieldWriter.Padding(vrfLength) + 4 + ivLength;

    private static void WriteFixedPart(
        ref PccrrFieldWriter writer,
        PccrrVersion version,
        PccrrCryptoAlgorithm algorithm,
        int size,
        ReadOnlySpan<byte> segmentId,
        uint blockIndex,
        uint nextBlockIndex,
        int blockLength)
    {
        writer.WriteHeader(version, PccrrMessageType.Block, size, algorithm);
        writer.WriteSegmentId(segmentId); // MS-PCCRR 2.2.5.3: SizeOfSegmentId, SegmentId, ZeroPad
        writer.WriteUInt32(blockIndex); // BlockIndex
        writer.WriteUInt32(nextBlockIndex); // NextBlockIndex
        writer.WriteUInt32((uint)blockLength); // SizeOfBlock
    }

    private static void WriteTail(ref PccrrFieldWriter writer, ReadOnlySpan<byte> vrf, ReadOnlySpan<byte> iv)
    {
        writer.WritePadding(); // ZeroPad_2
        writer.WriteUInt32((uint)vrf.Length); // SizeOfVrfBlock
        writer.WriteBytes(vrf); // VrfBlock
        writer.WritePadding(); // ZeroPad_3
        writer.WriteUInt32((uint)iv.Length); // SizeOfIVBlock
        writer.WriteBytes(iv); // IVBlock (last field: no padding)
    }
}
