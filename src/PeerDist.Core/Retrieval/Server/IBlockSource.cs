namespace PeerDist.Retrieval.Server;

/// <summary>
/// The seam between <see cref="PccrrServer"/> and a content cache: MS-PCCRR 3.2.1 "Content Cache" (segment IDs, the block
/// ranges held, and the blocks). Every method takes the segment identifier (HoHoDk) as a span and writes into caller
/// buffers, so a cache can answer without allocating per call.
/// </summary>
/// <remarks>
/// <para>
/// A V1 segment has blocks 0..511 of 64 KiB. A V2 segment (MS-PCCRC 2.4) is served as one block, index 0, covering the
/// whole segment (wire.md §1.9).
/// </para>
/// <para>
/// The server calls <see cref="TryGetBlock"/> and then one of <see cref="TryReadPlaintext"/> /
/// <see cref="TryReadEncrypted"/>. A cache that evicts concurrently returns false from the read, and the block is answered
/// as not held. Implementations must be safe for concurrent calls if the server is shared by several connections.
/// </para>
/// </remarks>
public interface IBlockSource
{
    /// <summary>Whether any block of the segment is held (full or partial availability; <c>MSG_SEGLIST</c>).</summary>
    bool ContainsSegment(ReadOnlySpan<byte> segmentId);

    /// <summary>Whether block <paramref name="blockIndex"/> (0..511) of the segment is held (<c>MSG_BLKLIST</c>, <c>NextBlockIndex</c>).</summary>
    bool ContainsBlock(ReadOnlySpan<byte> segmentId, uint blockIndex);

    /// <summary>Describes a held block; false when it is not held.</summary>
    bool TryGetBlock(ReadOnlySpan<byte> segmentId, uint blockIndex, out BlockSourceBlock block);

    /// <summary>
    /// Writes the plaintext of a <see cref="BlockSourceFormat.Plaintext"/> block into <paramref name="destination"/>
    /// (exactly <see cref="BlockSourceBlock.Length"/> bytes). False when the block is no longer held.
    /// </summary>
    bool TryReadPlaintext(ReadOnlySpan<byte> segmentId, uint blockIndex, Span<byte> destination);

    /// <summary>
    /// Writes the segment secret Kp (MS-PCCRC 2.2; 32 to 64 bytes) into <paramref name="destination"/> (64 bytes long).
    /// False when the source has no Kp for the segment. The server wipes its copy after use.
    /// </summary>
    bool TryReadSegmentSecret(ReadOnlySpan<byte> segmentId, Span<byte> destination, out int bytesWritten);

    /// <summary>
    /// Writes a stored <see cref="BlockSourceFormat.Encrypted"/> block: the ciphertext into <paramref name="ciphertext"/>
    /// (exactly <see cref="BlockSourceBlock.Length"/> bytes) and its IV into <paramref name="iv"/> (16 bytes for AES, empty
    /// for no encryption). False when the block is no longer held.
    /// </summary>
    bool TryReadEncrypted(ReadOnlySpan<byte> segmentId, uint blockIndex, Span<byte> ciphertext, Span<byte> iv);

    /// <summary>How long ago the segment was cached, for the <c>MSG_SEGLIST</c> segment-age blob; false when unknown.</summary>
    bool TryGetSegmentAge(ReadOnlySpan<byte> segmentId, out TimeSpan age);

    /// <summary>
    /// The first held block at or after <paramref name="startIndex"/> (for <c>NextBlockIndex</c>, MS-PCCRR 2.2.5.2 and
    /// 2.2.5.3); false when none. The default asks <see cref="ContainsBlock"/> block by block; a source with a bitmap of
    /// held blocks should answer in one scan.
    /// </summary>
    bool TryFindHeldBlock(ReadOnlySpan<byte> segmentId, uint startIndex, out uint blockIndex)
    {
        for (uint i = startIndex; i < PeerDistConstants.MaxBlocksPerSegment; i++)
        {
            if (ContainsBlock(segmentId, i))
            {
                blockIndex = i;
                return true;
            }
        }

        blockIndex = 0;
        return false;
    }
}
