using PeerDist.Caching;
using PeerDist.Retrieval;
using PeerDist.Retrieval.Server;

namespace PeerDist.Peer;

/// <summary>
/// Serves a <see cref="ContentCache"/> through <see cref="PccrrServer"/> (MS-PCCRR 3.2.1 "Content Cache"): a segment whose
/// metadata carries the segment secret (Kp) is served as plaintext for the server to encrypt; a segment without Kp (a
/// hosted cache that stored blocks as received) is served by replaying its stored encrypted records verbatim.
/// </summary>
/// <remarks>
/// <para>
/// The cache's block indices are the PCCRR ones: 0..511 for a V1 segment, and block 0 covering the whole segment for V2.
/// </para>
/// <para>
/// A segment with Kp is assumed to hold its blocks as verified plaintext. Should it hold a block only as an encrypted
/// record, the plaintext read fails and the server answers that block as not held (the cache's public surface cannot
/// tell the two forms apart without reading the block).
/// </para>
/// <para>
/// The replay path reads the record once in <see cref="TryGetBlock"/> (the cache returns a copy) and keeps it in a
/// per-thread slot for the <see cref="TryReadEncrypted"/> call the server makes next on the same thread, so the record is
/// read and counted as a hit once.
/// </para>
/// <para>
/// The segment age of <c>MSG_SEGLIST</c> is the time since the cache first registered the segment.
/// </para>
/// </remarks>
public sealed class ContentCacheBlockSource : IBlockSource
{
    [ThreadStatic]
    private static PendingRecord? t_pending;

    private readonly ContentCache _cache;

    /// <summary>Creates a source over <paramref name="cache"/>; the cache stays owned by the caller.</summary>
    public ContentCacheBlockSource(ContentCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        _cache = cache;
    }

    /// <summary>The cache served.</summary>
    public ContentCache Cache => _cache;

    /// <inheritdoc/>
    public bool ContainsSegment(ReadOnlySpan<byte> segmentId) =>
        IsValidId(segmentId) && _cache.GetHeldBlockRanges(segmentId).Count != 0;

    /// <inheritdoc/>
    public bool ContainsBlock(ReadOnlySpan<byte> segmentId, uint blockIndex) =>
        IsValidId(segmentId) && blockIndex < PeerDistConstants.MaxBlocksPerSegment && _cache.ContainsBlock(segmentId, (int)blockIndex);

    /// <inheritdoc/>
    public bool TryGetBlock(ReadOnlySpan<byte> segmentId, uint blockIndex, out BlockSourceBlock block)
    {
        block = default;
        t_pending = null;
        if (!ContainsBlock(segmentId, blockIndex) || !_cache.TryGetSegment(segmentId, out SegmentMetadata? metadata))
        {
            return false;
        }

        int index = (int)blockIndex;
        if (metadata.HasSegmentSecret)
        {
            block = new BlockSourceBlock(BlockSourceFormat.Plaintext, metadata.GetBlockLength(index));
            return true;
        }

        if (!_cache.TryReadEncryptedBlock(segmentId, index, out EncryptedBlock? record) ||
            (uint)record.CryptoAlgorithmId > (uint)PccrrCryptoAlgorithm.Aes256)
        {
            return false;
        }

        t_pending = new PendingRecord(segmentId.ToArray(), blockIndex, record);
        block = new BlockSourceBlock(BlockSourceFormat.Encrypted, record.Ciphertext.Length, (PccrrCryptoAlgorithm)record.CryptoAlgorithmId);
        return true;
    }

    /// <inheritdoc/>
    public bool TryReadPlaintext(ReadOnlySpan<byte> segmentId, uint blockIndex, Span<byte> destination)
    {
        if (!IsValidId(segmentId) || blockIndex >= PeerDistConstants.MaxBlocksPerSegment)
        {
            return false;
        }

        BlockReadResult result = _cache.ReadBlock(segmentId, (int)blockIndex, destination);
        return result.IsSuccess && result.BytesWritten == destination.Length;
    }

    /// <inheritdoc/>
    public bool TryReadSegmentSecret(ReadOnlySpan<byte> segmentId, Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        if (!IsValidId(segmentId) || !_cache.TryGetSegment(segmentId, out SegmentMetadata? metadata) || !metadata.HasSegmentSecret)
        {
            return false;
        }

        ReadOnlySpan<byte> secret = metadata.SegmentSecret.Span;
        if (secret.Length > destination.Length)
        {
            return false;
        }

        secret.CopyTo(destination);
        bytesWritten = secret.Length;
        return true;
    }

    /// <inheritdoc/>
    public bool TryReadEncrypted(ReadOnlySpan<byte> segmentId, uint blockIndex, Span<byte> ciphertext, Span<byte> iv)
    {
        EncryptedBlock? record = null;
        PendingRecord? pending = t_pending;
        t_pending = null;
        if (pending is not null && pending.BlockIndex == blockIndex && segmentId.SequenceEqual(pending.SegmentId))
        {
            record = pending.Record;
        }
        else if (!IsValidId(segmentId) || blockIndex >= PeerDistConstants.MaxBlocksPerSegment ||
                 !_cache.TryReadEncryptedBlock(segmentId, (int)blockIndex, out record))
        {
            return false;
        }

        if (record.Ciphertext.Length != ciphertext.Length || record.InitializationVector.Length != iv.Length)
        {
            return false;
        }

        record.Ciphertext.Span.CopyTo(ciphertext);
        record.InitializationVector.Span.CopyTo(iv);
        return true;
    }

    /// <inheritdoc/>
    public bool TryGetSegmentAge(ReadOnlySpan<byte> segmentId, out TimeSpan age)
    {
        age = default;
        return IsValidId(segmentId) && _cache.TryGetSegmentAge(segmentId, out age);
    }

    /// <inheritdoc/>
    public bool TryFindHeldBlock(ReadOnlySpan<byte> segmentId, uint startIndex, out uint blockIndex)
    {
        blockIndex = 0;
        if (!IsValidId(segmentId) || startIndex >= PeerDistConstants.MaxBlocksPerSegment)
        {
            return false;
        }

        int found = _cache.FindHeldBlock(segmentId, (int)startIndex);
        blockIndex = found < 0 ? 0 : (uint)found;
        return found >= 0;
    }

    private static bool IsValidId(ReadOnlySpan<byte> segmentId) => SegmentMetadata.IsValidSegmentIdLength(segmentId.Length);

    private sealed record PendingRecord(byte[] SegmentId, uint BlockIndex, EncryptedBlock Record);
}
