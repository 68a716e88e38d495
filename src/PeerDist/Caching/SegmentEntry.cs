namespace PeerDist.Caching;

/// <summary>
/// The in-memory record of one registered segment: its metadata, which blocks are held, and its place in the LRU list.
/// Held bits, counts and <see cref="Removed"/> change only under the cache's index lock; the storage fields belong to
/// the concrete cache and change only under the segment's stripe lock.
/// </summary>
internal sealed class SegmentEntry
{
    private readonly ulong[] _held;
    private readonly ulong[] _encrypted;

    public SegmentEntry(SegmentMetadata metadata, DateTimeOffset lastAccess)
    {
        Metadata = metadata;
        Key = metadata.SegmentId.ToArray();
        _held = new ulong[(metadata.BlockCount + 63) / 64];
        _encrypted = new ulong[_held.Length];
        LastAccess = lastAccess;
        PersistedAccess = lastAccess;
        Registered = lastAccess;
        Node = new LinkedListNode<SegmentEntry>(this);
    }

    public SegmentMetadata Metadata { get; }

    /// <summary>A private copy of the segment identifier, used as the dictionary key.</summary>
    public byte[] Key { get; }

    public LinkedListNode<SegmentEntry> Node { get; }

    public DateTimeOffset LastAccess { get; set; }

    /// <summary>When the segment was first cached (the MS-PCCRR segment age counts from here).</summary>
    public DateTimeOffset Registered { get; set; }

    /// <summary>The last-access time last written to storage (the file cache throttles those writes).</summary>
    public DateTimeOffset PersistedAccess { get; set; }

    public bool Removed { get; set; }

    /// <summary>Held blocks, counting plaintext and encrypted records.</summary>
    public int HeldCount { get; private set; }

    /// <summary>Stored bytes: plaintext lengths plus ciphertext lengths of encrypted records.</summary>
    public long HeldBytes { get; private set; }

    /// <summary>The ciphertext lengths of the held encrypted records by index (needed to undo the byte count).</summary>
    public int[]? EncryptedLengths { get; private set; }

    /// <summary>File cache: the segment's directory.</summary>
    public string? DirectoryPath { get; set; }

    /// <summary>Memory cache: the held blocks by index.</summary>
    public byte[]?[]? Blocks { get; set; }

    /// <summary>Memory cache: the held encrypted records by index.</summary>
    public EncryptedBlock?[]? EncryptedBlocks { get; set; }

    /// <summary>Whether the verified plaintext of the block is held.</summary>
    public bool IsHeld(int blockIndex) =>
        (uint)blockIndex < (uint)Metadata.BlockCount && (_held[blockIndex >> 6] & (1UL << (blockIndex & 63))) != 0;

    /// <summary>Whether an encrypted record of the block is held.</summary>
    public bool IsEncryptedHeld(int blockIndex) =>
        (uint)blockIndex < (uint)Metadata.BlockCount && (_encrypted[blockIndex >> 6] & (1UL << (blockIndex & 63))) != 0;

    /// <summary>Whether the block is held in either form.</summary>
    public bool IsAnyHeld(int blockIndex) => IsHeld(blockIndex) || IsEncryptedHeld(blockIndex);

    public void SetEncryptedHeld(int blockIndex, int length)
    {
        _encrypted[blockIndex >> 6] |= 1UL << (blockIndex & 63);
        (EncryptedLengths ??= new int[Metadata.BlockCount])[blockIndex] = length;
        HeldCount++;
        HeldBytes += length;
    }

    /// <summary>Clears an encrypted record and returns the ciphertext length it counted.</summary>
    public int ClearEncryptedHeld(int blockIndex)
    {
        _encrypted[blockIndex >> 6] &= ~(1UL << (blockIndex & 63));
        int length = EncryptedLengths![blockIndex];
        HeldCount--;
        HeldBytes -= length;
        return length;
    }

    public void SetHeld(int blockIndex, int length)
    {
        _held[blockIndex >> 6] |= 1UL << (blockIndex & 63);
        HeldCount++;
        HeldBytes += length;
    }

    public void ClearHeld(int blockIndex, int length)
    {
        _held[blockIndex >> 6] &= ~(1UL << (blockIndex & 63));
        HeldCount--;
        HeldBytes -= length;
    }

    /// <summary>The first block at or after <paramref name="startIndex"/> held in either form; -1 when none.</summary>
    public int FindAnyHeld(int startIndex)
    {
        int count = Metadata.BlockCount;
        for (int word = Math.Max(startIndex, 0) >> 6; word < _held.Length; word++)
        {
            ulong bits = _held[word] | _encrypted[word];
            if (word == startIndex >> 6)
            {
                bits &= ulong.MaxValue << (startIndex & 63);
            }

            if (bits != 0)
            {
                int index = (word << 6) + System.Numerics.BitOperations.TrailingZeroCount(bits);
                return index < count ? index : -1;
            }
        }

        return -1;
    }

    public List<BlockIndexRange> GetHeldRanges()
    {
        List<BlockIndexRange> ranges = [];
        int count = Metadata.BlockCount;
        int start = -1;
        for (int i = 0; i <= count; i++)
        {
            bool held = i < count && IsAnyHeld(i);
            if (held && start < 0)
            {
                start = i;
            }
            else if (!held && start >= 0)
            {
                ranges.Add(new BlockIndexRange(start, i - start));
                start = -1;
            }
        }

        return ranges;
    }
}
