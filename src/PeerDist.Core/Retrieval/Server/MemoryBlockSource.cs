using PeerDist.Content;

namespace PeerDist.Retrieval.Server;

/// <summary>
/// An in-memory <see cref="IBlockSource"/> for tests and small tools: segments from a content information and its bytes
/// (<see cref="ContentSegment"/>: segment ID = HoHoDk, Kp = segment secret, blocks by index; a V2 segment is block 0 of
/// the segment's length), plus stored encrypted blocks for the hosted-cache replay case.
/// </summary>
/// <remarks>
/// Lookups by segment ID go through a span-keyed alternate lookup and allocate nothing. Build the source first, then serve:
/// concurrent reads are safe, mutation during reads is not.
/// </remarks>
public sealed class MemoryBlockSource : IBlockSource
{
    private readonly Dictionary<byte[], Entry> _segments;
    private readonly Dictionary<byte[], Entry>.AlternateLookup<ReadOnlySpan<byte>> _lookup;

    /// <summary>Creates an empty source.</summary>
    public MemoryBlockSource()
    {
        _segments = new Dictionary<byte[], Entry>(SegmentIdComparer.Instance);
        _lookup = _segments.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>The number of segments held.</summary>
    public int SegmentCount => _segments.Count;

    /// <summary>
    /// A source holding every block of every segment of <paramref name="information"/> whose bytes lie inside
    /// <paramref name="content"/> (the whole content, offset 0 = content offset 0).
    /// </summary>
    public static MemoryBlockSource FromContent(ContentInformation information, ReadOnlyMemory<byte> content)
    {
        ArgumentNullException.ThrowIfNull(information);
        var source = new MemoryBlockSource();
        foreach (ContentSegment segment in information.Segments)
        {
            if (segment.Offset + segment.Length <= content.Length)
            {
                source.AddSegment(segment, content.Slice((int)segment.Offset, segment.Length));
            }
        }

        return source;
    }

    /// <summary>Adds every block of <paramref name="segment"/>, whose bytes are <paramref name="segmentBytes"/>.</summary>
    /// <exception cref="ArgumentException">The bytes are not the segment's length.</exception>
    public void AddSegment(ContentSegment segment, ReadOnlyMemory<byte> segmentBytes)
    {
        ArgumentNullException.ThrowIfNull(segment);
        if (segmentBytes.Length != segment.Length)
        {
            ThrowHelper.ThrowArgument("The bytes must be the whole segment.", nameof(segmentBytes));
        }

        Entry entry = GetOrAdd(segment.SegmentId.Span);
        entry.Secret = segment.SegmentSecret.ToArray();
        for (int i = 0; i < segment.BlockCount; i++)
        {
            ContentRange range = segment.GetBlockRange(i);
            entry.Blocks[i] = new StoredBlock(segmentBytes.Slice((int)(range.Start - segment.Offset), (int)range.Length));
        }
    }

    /// <summary>
    /// Adds one stored encrypted block (a <c>MSG_BLK</c>'s algorithm, IV and ciphertext), replayed verbatim. The segment
    /// needs no Kp for this block.
    /// </summary>
    public void AddEncryptedBlock(ReadOnlySpan<byte> segmentId, uint blockIndex, PccrrCryptoAlgorithm algorithm, ReadOnlyMemory<byte> iv, ReadOnlyMemory<byte> ciphertext)
    {
        PccrrMessageValidation.ValidateBlockIndex(blockIndex, nameof(blockIndex));
        GetOrAdd(segmentId).Blocks[blockIndex] = new StoredBlock(ciphertext, algorithm, iv);
    }

    /// <summary>Forgets one block (to model partial availability).</summary>
    public bool RemoveBlock(ReadOnlySpan<byte> segmentId, uint blockIndex)
    {
        if (blockIndex >= PeerDistConstants.MaxBlocksPerSegment || !_lookup.TryGetValue(segmentId, out Entry? entry) || !entry.Blocks[blockIndex].IsHeld)
        {
            return false;
        }

        entry.Blocks[blockIndex] = default;
        return true;
    }

    /// <summary>Sets the age reported for the segment in <c>MSG_SEGLIST</c>.</summary>
    /// <exception cref="KeyNotFoundException">The segment is not held.</exception>
    public void SetSegmentAge(ReadOnlySpan<byte> segmentId, TimeSpan age)
    {
        if (!_lookup.TryGetValue(segmentId, out Entry? entry))
        {
            throw new KeyNotFoundException("The segment is not held.");
        }

        entry.Age = age;
    }

    /// <inheritdoc/>
    public bool ContainsSegment(ReadOnlySpan<byte> segmentId)
    {
        if (!_lookup.TryGetValue(segmentId, out Entry? entry))
        {
            return false;
        }

        foreach (StoredBlock block in entry.Blocks)
        {
            if (block.IsHeld)
            {
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc/>
    public bool ContainsBlock(ReadOnlySpan<byte> segmentId, uint blockIndex) => TryGetStored(segmentId, blockIndex, out _, out _);

    /// <inheritdoc/>
    public bool TryGetBlock(ReadOnlySpan<byte> segmentId, uint blockIndex, out BlockSourceBlock block)
    {
        if (!TryGetStored(segmentId, blockIndex, out StoredBlock stored, out _))
        {
            block = default;
            return false;
        }

        block = stored.IsEncrypted
            ? new BlockSourceBlock(BlockSourceFormat.Encrypted, stored.Data.Length, stored.Algorithm)
            : new BlockSourceBlock(BlockSourceFormat.Plaintext, stored.Data.Length);
        return true;
    }

    /// <inheritdoc/>
    public bool TryReadPlaintext(ReadOnlySpan<byte> segmentId, uint blockIndex, Span<byte> destination)
    {
        if (!TryGetStored(segmentId, blockIndex, out StoredBlock stored, out _) || stored.IsEncrypted || destination.Length != stored.Data.Length)
        {
            return false;
        }

        stored.Data.Span.CopyTo(destination);
        return true;
    }

    /// <inheritdoc/>
    public bool TryReadSegmentSecret(ReadOnlySpan<byte> segmentId, Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        if (!_lookup.TryGetValue(segmentId, out Entry? entry) || entry.Secret is null || entry.Secret.Length > destination.Length)
        {
            return false;
        }

        entry.Secret.CopyTo(destination);
        bytesWritten = entry.Secret.Length;
        return true;
    }

    /// <inheritdoc/>
    public bool TryReadEncrypted(ReadOnlySpan<byte> segmentId, uint blockIndex, Span<byte> ciphertext, Span<byte> iv)
    {
        if (!TryGetStored(segmentId, blockIndex, out StoredBlock stored, out _) || !stored.IsEncrypted ||
            ciphertext.Length != stored.Data.Length || iv.Length != stored.IV.Length)
        {
            return false;
        }

        stored.Data.Span.CopyTo(ciphertext);
        stored.IV.Span.CopyTo(iv);
        return true;
    }

    /// <inheritdoc/>
    public bool TryGetSegmentAge(ReadOnlySpan<byte> segmentId, out TimeSpan age)
    {
        if (_lookup.TryGetValue(segmentId, out Entry? entry) && entry.Age is TimeSpan known)
        {
            age = known;
            return true;
        }

        age = default;
        return false;
    }

    private bool TryGetStored(ReadOnlySpan<byte> segmentId, uint blockIndex, out StoredBlock block, out Entry? entry)
    {
        block = default;
        if (blockIndex >= PeerDistConstants.MaxBlocksPerSegment || !_lookup.TryGetValue(segmentId, out entry))
        {
            entry = null;
            return false;
        }

        block = entry.Blocks[blockIndex];
        return block.IsHeld;
    }

    private Entry GetOrAdd(ReadOnlySpan<byte> segmentId)
    {
        PccrrFieldWriter.ValidateSegmentId(segmentId, nameof(segmentId));
        if (!_lookup.TryGetValue(segmentId, out Entry? entry))
        {
            entry = new Entry();
            _segments.Add(segmentId.ToArray(), entry);
        }

        return entry;
    }

    private sealed class Entry
    {
        public StoredBlock[] Blocks { get; } = new StoredBlock[PeerDistConstants.MaxBlocksPerSegment];

        public byte[]? Secret { get; set; }

        public TimeSpan? Age { get; set; }
    }

    private readonly record struct StoredBlock(ReadOnlyMemory<byte> Data, PccrrCryptoAlgorithm Algorithm, ReadOnlyMemory<byte> IV, bool IsEncrypted, bool IsHeld)
    {
        public StoredBlock(ReadOnlyMemory<byte> plaintext)
            : this(plaintext, PccrrCryptoAlgorithm.None, ReadOnlyMemory<byte>.Empty, IsEncrypted: false, IsHeld: true)
        {
        }

        public StoredBlock(ReadOnlyMemory<byte> ciphertext, PccrrCryptoAlgorithm algorithm, ReadOnlyMemory<byte> iv)
            : this(ciphertext, algorithm, iv, IsEncrypted: true, IsHeld: true)
        {
        }
    }

    private sealed class SegmentIdComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static SegmentIdComparer Instance { get; } = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode(obj.AsSpan());

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
