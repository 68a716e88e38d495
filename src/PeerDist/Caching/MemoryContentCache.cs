namespace PeerDist.Caching;

/// <summary>
/// A <see cref="ContentCache"/> that keeps blocks in memory: for tests and short-lived tools. Nothing survives the
/// instance. Without <see cref="ContentCacheOptions.MaxSizeBytes"/> it has no size cap
/// (<see cref="ContentCacheOptions.MaxSizePercentOfVolume"/> and <see cref="ContentCacheOptions.RootPath"/> are ignored).
/// Blocks were verified when put and cannot change afterwards, so reads do not hash them again.
/// </summary>
public sealed class MemoryContentCache : ContentCache
{
    /// <summary>Creates an empty in-memory cache.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public MemoryContentCache(ContentCacheOptions? options = null)
        : base(options ?? new ContentCacheOptions(), options?.MaxSizeBytes ?? long.MaxValue, requireRootPath: false)
    {
    }

    private protected override bool VerifiesOnRead => false;

    private protected override void StoreMetadata(SegmentEntry entry) =>
        entry.Blocks = new byte[]?[entry.Metadata.BlockCount];

    private protected override void StoreBlock(SegmentEntry entry, int blockIndex, ReadOnlySpan<byte> block)
    {
        byte[]?[]? blocks = entry.Blocks;
        if (blocks is not null)
        {
            // Blocks live as long as the cache: allocated on the pinned object heap they are never copied by gen0/gen1
            // promotion (a cache filled at hundreds of MB/s otherwise spends more time in the GC than in the copy).
            byte[] copy = GC.AllocateUninitializedArray<byte>(block.Length, pinned: true);
            block.CopyTo(copy);
            Volatile.Write(ref blocks[blockIndex], copy);
        }
    }

    private protected override StoredBlockStatus LoadBlock(SegmentEntry entry, int blockIndex, Span<byte> destination)
    {
        byte[]?[]? blocks = entry.Blocks;
        byte[]? block = blocks is null ? null : Volatile.Read(ref blocks[blockIndex]);
        if (block is null)
        {
            return StoredBlockStatus.Missing;
        }

        block.CopyTo(destination);
        return StoredBlockStatus.Loaded;
    }

    private protected override void DeleteBlockStorage(SegmentEntry entry, int blockIndex)
    {
        byte[]?[]? blocks = entry.Blocks;
        if (blocks is not null)
        {
            Volatile.Write(ref blocks[blockIndex], null);
        }
    }

    private protected override void StoreEncryptedBlock(SegmentEntry entry, int blockIndex, EncryptedBlock block)
    {
        EncryptedBlock?[] blocks = entry.EncryptedBlocks ??= new EncryptedBlock?[entry.Metadata.BlockCount];
        Volatile.Write(ref blocks[blockIndex], block);
    }

    private protected override StoredBlockStatus LoadEncryptedBlock(SegmentEntry entry, int blockIndex, out EncryptedBlock? block)
    {
        EncryptedBlock?[]? blocks = entry.EncryptedBlocks;
        block = blocks is null ? null : Volatile.Read(ref blocks[blockIndex]);
        return block is null ? StoredBlockStatus.Missing : StoredBlockStatus.Loaded;
    }

    private protected override void DeleteEncryptedBlockStorage(SegmentEntry entry, int blockIndex)
    {
        EncryptedBlock?[]? blocks = entry.EncryptedBlocks;
        if (blocks is not null)
        {
            Volatile.Write(ref blocks[blockIndex], null);
        }
    }

    private protected override void DeleteSegmentStorage(SegmentEntry entry)
    {
        entry.Blocks = null;
        entry.EncryptedBlocks = null;
    }
}
