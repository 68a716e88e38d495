using System.Security.Cryptography;
using PeerDist.Content;
using PeerDist.Cryptography;

namespace PeerDist.Caching;

/// <summary>
/// What a <see cref="ContentCache"/> keeps about one segment: hash algorithm, content information version, segment
/// identifier (HoHoDk), hash of data (HoD), segment secret (Kp) when known, lengths and the listed block hashes.
/// Immutable; every array is a private copy.
/// </summary>
/// <remarks>
/// A V2 segment (MS-PCCRC 2.4.1.2) is one block covering the whole segment whose hash is the HoD (PCCRR block index 0).
/// The segment secret is key material: it is never shown by <see cref="ToString"/>, but it is written to the cache
/// directory, which must be protected as the cached data is.
/// </remarks>
public sealed class SegmentMetadata
{
    private readonly byte[] _segmentId;
    private readonly byte[] _hashOfData;
    private readonly byte[] _segmentSecret;
    private readonly byte[] _blockHashes;

    private SegmentMetadata(
        ContentHashAlgorithm hashAlgorithm,
        byte[] segmentId,
        byte[] hashOfData,
        byte[] segmentSecret,
        int segmentLength,
        int blockSize,
        int firstListedBlockIndex,
        byte[] blockHashes)
    {
        HashAlgorithm = hashAlgorithm;
        _segmentId = segmentId;
        _hashOfData = hashOfData;
        _segmentSecret = segmentSecret;
        SegmentLength = segmentLength;
        BlockSize = blockSize;
        FirstListedBlockIndex = firstListedBlockIndex;
        _blockHashes = blockHashes;
    }

    /// <summary>The hash algorithm of every hash, key and identifier of the segment.</summary>
    public ContentHashAlgorithm HashAlgorithm { get; }

    /// <summary>The content information version the segment comes from (follows from the algorithm).</summary>
    public ContentInformationVersion Version => HashAlgorithm.GetVersion();

    /// <summary>The segment identifier HoHoDk (MS-PCCRC 2.2): the cache key.</summary>
    public ReadOnlyMemory<byte> SegmentId => _segmentId;

    /// <summary>
    /// MS-PCCRC 2.3.1.1 <c>SegmentHashOfData</c> (HoD), or empty when not known: a version 2.0 hosted cache learns a
    /// segment from a BATCHED_OFFER, which carries neither HoD nor Kp (MS-PCHC 2.2.1.5), and can only replay it.
    /// </summary>
    public ReadOnlyMemory<byte> HashOfData => _hashOfData;

    /// <summary>Whether <see cref="HashOfData"/> is known.</summary>
    public bool HasHashOfData => _hashOfData.Length != 0;

    /// <summary>The segment secret (Kp), or empty when not known (a hosted cache may hold a segment without it).</summary>
    public ReadOnlyMemory<byte> SegmentSecret => _segmentSecret;

    /// <summary>Whether <see cref="SegmentSecret"/> is known.</summary>
    public bool HasSegmentSecret => _segmentSecret.Length != 0;

    /// <summary>The length of the whole segment in bytes (<c>cbSegment</c>).</summary>
    public int SegmentLength { get; }

    /// <summary>65536 for V1 (<c>cbBlockSize</c>); the segment length for V2.</summary>
    public int BlockSize { get; }

    /// <summary>The number of blocks of the whole segment.</summary>
    public int BlockCount => (int)(((long)SegmentLength + BlockSize - 1) / BlockSize);

    /// <summary>The index of the first block whose hash is listed.</summary>
    public int FirstListedBlockIndex { get; }

    /// <summary>How many consecutive block hashes are listed.</summary>
    public int ListedBlockCount => _blockHashes.Length / HashAlgorithm.GetDigestLength();

    /// <summary>The listed block hashes, concatenated, starting with block <see cref="FirstListedBlockIndex"/>.</summary>
    public ReadOnlyMemory<byte> BlockHashes => _blockHashes;

    /// <summary>Whether the hash of block <paramref name="blockIndex"/> is listed (only such blocks can be stored).</summary>
    public bool HasBlockHash(int blockIndex) => (uint)(blockIndex - FirstListedBlockIndex) < (uint)ListedBlockCount;

    /// <summary>The hash of block <paramref name="blockIndex"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The hash of that block is not listed.</exception>
    public ReadOnlySpan<byte> GetBlockHash(int blockIndex)
    {
        if (!HasBlockHash(blockIndex))
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(blockIndex), "The metadata does not list the hash of that block.");
        }

        int length = HashAlgorithm.GetDigestLength();
        return _blockHashes.AsSpan((blockIndex - FirstListedBlockIndex) * length, length);
    }

    /// <summary>The length of block <paramref name="blockIndex"/> (only the last block of a segment may be short).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The segment has no such block.</exception>
    public int GetBlockLength(int blockIndex)
    {
        if ((uint)blockIndex >= (uint)BlockCount)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(blockIndex), "The segment has no block with that index.");
        }

        return (int)Math.Min(BlockSize, SegmentLength - ((long)blockIndex * BlockSize));
    }

    /// <summary>
    /// The segment as a <see cref="ContentSegment"/> (at offset 0) for the PCCRR client, or null when the cache does not
    /// know its hash of data and secret (a replay-only segment).
    /// </summary>
    public ContentSegment? ToContentSegment() =>
        HasHashOfData && HasSegmentSecret
            ? ContentSegment.Create(HashAlgorithm, 0, SegmentLength, _hashOfData, _segmentSecret, FirstListedBlockIndex, _blockHashes)
            : null;

    /// <summary>The metadata of a segment of a parsed or generated content information (with its Kp).</summary>
    public static SegmentMetadata FromSegment(ContentSegment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        return Create(
            segment.HashAlgorithm,
            segment.SegmentId.Span,
            segment.HashOfData.Span,
            segment.SegmentSecret.Span,
            segment.Length,
            segment.BlockSize,
            segment.FirstListedBlockIndex,
            segment.BlockHashes.Span);
    }

    /// <summary>
    /// Validates and copies segment metadata. When <paramref name="segmentSecret"/> is given the identifier must equal
    /// HMAC(Kp, HoD ‖ label); when every V1 block hash is listed the HoD must equal their hash; a V2 block hash must be the HoD.
    /// </summary>
    /// <param name="hashAlgorithm">The content hash algorithm.</param>
    /// <param name="segmentId">HoHoDk, one digest long.</param>
    /// <param name="hashOfData">
    /// HoD, one digest long; or empty for a segment known only by its identifier (then the secret and the block hashes
    /// are empty too, and the cache can only hold encrypted records of it).
    /// </param>
    /// <param name="segmentSecret">Kp, one digest long, or empty when not known.</param>
    /// <param name="segmentLength">The segment length: 1 to 32 MiB for V1, 1 to 128 KiB for V2.</param>
    /// <param name="blockSize">65536 for V1; the segment length for V2.</param>
    /// <param name="firstListedBlockIndex">The index of the first listed block hash.</param>
    /// <param name="blockHashes">The listed block hashes, concatenated.</param>
    /// <exception cref="ArgumentException">A value is inconsistent; the message says which.</exception>
    public static SegmentMetadata Create(
        ContentHashAlgorithm hashAlgorithm,
        ReadOnlySpan<byte> segmentId,
        ReadOnlySpan<byte> hashOfData,
        ReadOnlySpan<byte> segmentSecret,
        int segmentLength,
        int blockSize,
        int firstListedBlockIndex,
        ReadOnlySpan<byte> blockHashes)
    {
        string? error = Check(hashAlgorithm, segmentId, hashOfData, segmentSecret, segmentLength, blockSize, firstListedBlockIndex, blockHashes);
        if (error is not null)
        {
            ThrowHelper.ThrowArgument(error, nameof(segmentId));
        }

        return new SegmentMetadata(
            hashAlgorithm,
            segmentId.ToArray(),
            hashOfData.ToArray(),
            segmentSecret.ToArray(),
            segmentLength,
            blockSize,
            firstListedBlockIndex,
            blockHashes.ToArray());
    }

    /// <summary>Create without throwing: null (with the reason) when a value is inconsistent. Used when loading from disk.</summary>
    internal static SegmentMetadata? TryCreate(
        ContentHashAlgorithm hashAlgorithm,
        ReadOnlySpan<byte> segmentId,
        ReadOnlySpan<byte> hashOfData,
        ReadOnlySpan<byte> segmentSecret,
        int segmentLength,
        int blockSize,
        int firstListedBlockIndex,
        ReadOnlySpan<byte> blockHashes,
        out string? error)
    {
        error = Check(hashAlgorithm, segmentId, hashOfData, segmentSecret, segmentLength, blockSize, firstListedBlockIndex, blockHashes);
        return error is not null
            ? null
            : new SegmentMetadata(
                hashAlgorithm,
                segmentId.ToArray(),
                hashOfData.ToArray(),
                segmentSecret.ToArray(),
                segmentLength,
                blockSize,
                firstListedBlockIndex,
                blockHashes.ToArray());
    }

    /// <summary>Shows the identifier and shape, never the segment secret.</summary>
    public override string ToString() =>
        $"Segment {Convert.ToHexStringLower(_segmentId)} {HashAlgorithm} {SegmentLength} bytes, {BlockCount} block(s), {ListedBlockCount} hash(es) listed";

    internal static bool IsValidSegmentIdLength(int length) => length is 32 or 48 or 64;

    private static string? Check(
        ContentHashAlgorithm hashAlgorithm,
        ReadOnlySpan<byte> segmentId,
        ReadOnlySpan<byte> hashOfData,
        ReadOnlySpan<byte> segmentSecret,
        int segmentLength,
        int blockSize,
        int firstListedBlockIndex,
        ReadOnlySpan<byte> blockHashes)
    {
        if (!hashAlgorithm.IsDefined())
        {
            return "The hash algorithm is not one MS-PCCRC defines.";
        }

        int digest = hashAlgorithm.GetDigestLength();
        if (segmentId.Length != digest || (hashOfData.Length != digest && hashOfData.Length != 0))
        {
            return "The segment identifier and the hash of data must each be one digest of the algorithm long.";
        }

        if (hashOfData.IsEmpty && (segmentSecret.Length != 0 || blockHashes.Length != 0))
        {
            return "Without the hash of data a segment can have neither a segment secret nor block hashes.";
        }

        if (segmentSecret.Length != 0 && segmentSecret.Length != digest)
        {
            return "The segment secret must be one digest long, or empty when not known.";
        }

        bool v2 = hashAlgorithm.GetVersion() == ContentInformationVersion.V2;
        if (v2)
        {
            if (segmentLength is <= 0 or > PeerDistConstants.MaxSegmentLengthV2 || blockSize != segmentLength)
            {
                return "A V2 segment is 1 to 128 KiB long and is its own single block.";
            }
        }
        else if (segmentLength is <= 0 or > PeerDistConstants.SegmentSize || blockSize != PeerDistConstants.BlockSize)
        {
            return "A V1 segment is 1 byte to 32 MiB long with 64 KiB blocks.";
        }

        int blockCount = (int)(((long)segmentLength + blockSize - 1) / blockSize);
        if (blockHashes.Length % digest != 0)
        {
            return "The block hashes must be a whole number of digests.";
        }

        int listed = blockHashes.Length / digest;
        if (firstListedBlockIndex < 0 || (listed != 0 && (long)firstListedBlockIndex + listed > blockCount))
        {
            return "The listed block hashes must lie inside the segment.";
        }

        if (hashOfData.IsEmpty)
        {
            return null;
        }

        if (v2 && listed == 1 && !blockHashes.SequenceEqual(hashOfData))
        {
            return "The hash of a V2 segment's single block is its hash of data.";
        }

        Span<byte> computed = stackalloc byte[PeerDistConstants.MaxDigestLength];
        computed = computed[..digest];
        if (!v2 && listed == blockCount)
        {
            PeerDistKeyDerivation.ComputeHashOfData(hashAlgorithm, blockHashes, computed);
            if (!computed.SequenceEqual(hashOfData))
            {
                return "The hash of data is not the hash of the listed block hashes.";
            }
        }

        if (segmentSecret.Length != 0)
        {
            PeerDistKeyDerivation.ComputeSegmentId(hashAlgorithm, segmentSecret, hashOfData, computed);
            bool matches = CryptographicOperations.FixedTimeEquals(computed, segmentId);
            if (!matches)
            {
                return "The segment identifier does not follow from the segment secret and the hash of data.";
            }
        }

        return null;
    }
}
