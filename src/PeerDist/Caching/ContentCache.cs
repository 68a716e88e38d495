using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using PeerDist.Content;
using PeerDist.Cryptography;

namespace PeerDist.Caching;

/// <summary>
/// A store of verified blocks keyed by segment identifier (HoHoDk), with per-segment metadata. It is what a peer or
/// hosted cache serves blocks from and where a client puts the blocks it verified. <see cref="FileContentCache"/> keeps
/// them in a directory; <see cref="MemoryContentCache"/> keeps them in memory (tests, short-lived tools).
/// </summary>
/// <remarks>
/// <para>
/// A block enters only through <see cref="PutBlock"/>, which hashes it and compares with the block hash of the
/// registered metadata: a block that does not match is refused with <see cref="BlockPutResult.VerificationFailed"/>
/// and never stored. The size cap is enforced after every stored block by removing whole segments, least recently
/// accessed first (as Windows); segments not accessed for longer than <see cref="ContentCacheOptions.MaxAge"/> are
/// removed when next looked up and by <see cref="TrimAsync"/>.
/// </para>
/// <para>
/// All members are safe to call from many threads. The index (segments, held blocks, LRU order, counters) is guarded by
/// one short lock; storage changes for a segment (metadata, block files, removal) are serialised by a lock chosen by
/// the segment identifier, so a removal and a re-registration of the same identifier never interleave. Reads take
/// neither lock while they copy the block.
/// </para>
/// <para>
/// The asynchronous members complete synchronously: one block is at most 128 KiB of local I/O, less than the cost of
/// an asynchronous hand-off. They exist so callers can be written against a store that may become truly asynchronous.
/// </para>
/// </remarks>
public abstract class ContentCache : IDisposable, IAsyncDisposable
{
    private const int StripeCount = 64;

    /// <summary>PKCS#7 adds 1 to 16 bytes to an AES-CBC block (MS-PCCRR block encryption).</summary>
    private const int MaxPaddingLength = 16;

    private readonly Lock _sync = new();
    private readonly Lock[] _stripes;
    private readonly Dictionary<byte[], SegmentEntry> _segments;
    private readonly Dictionary<byte[], SegmentEntry>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    private readonly LinkedList<SegmentEntry> _lru = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _maxAge;
    private long _blockCount;
    private long _bytes;
    private long _hits;
    private long _misses;
    private long _evictions;
    private long _expirations;
    private long _rejected;
    private long _damaged;
    private int _disposed;

    private protected ContentCache(ContentCacheOptions options, long capacityBytes, bool requireRootPath)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(requireRootPath);
        _time = options.TimeProvider;
        _maxAge = options.MaxAge;
        CapacityBytes = capacityBytes;
        _segments = new Dictionary<byte[], SegmentEntry>(SegmentIdComparer.Instance);
        _lookup = _segments.GetAlternateLookup<ReadOnlySpan<byte>>();
        _stripes = new Lock[StripeCount];
        for (int i = 0; i < _stripes.Length; i++)
        {
            _stripes[i] = new Lock();
        }
    }

    private enum RemovalReason
    {
        Explicit,
        Evicted,
        Expired,
    }

    /// <summary>The size cap in bytes of the held blocks.</summary>
    public long CapacityBytes { get; }

    /// <summary>Whether a block read from storage is hashed again before it is served.</summary>
    private protected abstract bool VerifiesOnRead { get; }

    /// <summary>The current time of the cache's clock.</summary>
    private protected DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>
    /// Registers a segment so its blocks can be put. Registering an identifier that is already registered changes
    /// nothing (the first metadata stays) and returns false.
    /// </summary>
    /// <exception cref="IOException">The metadata could not be stored.</exception>
    public bool RegisterSegment(SegmentMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ThrowIfDisposed();
        byte[] key = metadata.SegmentId.ToArray();
        lock (StripeFor(key))
        {
            SegmentEntry? stale = null;
            SegmentEntry entry;
            lock (_sync)
            {
                if (_lookup.TryGetValue(key, out SegmentEntry? existing))
                {
                    if (!IsExpiredLocked(existing))
                    {
                        TouchLocked(existing);
                        return false;
                    }

                    RemoveLocked(existing);
                    _expirations++;
                    stale = existing;
                }

                entry = new SegmentEntry(metadata, Now);
                _segments.Add(entry.Key, entry);
                _lru.AddLast(entry.Node);
            }

            // Under the stripe lock: the stale entry's storage is gone before the new one is written at the same place.
            if (stale is not null)
            {
                DeleteSegmentStorage(stale);
            }

            try
            {
                StoreMetadata(entry);
            }
            catch
            {
                lock (_sync)
                {
                    RemoveLocked(entry);
                }

                DeleteSegmentStorage(entry);
                throw;
            }
        }

        return true;
    }

    /// <summary>Registers the segment of a content information (with its segment secret); see <see cref="RegisterSegment(SegmentMetadata)"/>.</summary>
    public bool RegisterSegment(ContentSegment segment) => RegisterSegment(SegmentMetadata.FromSegment(segment));

    /// <summary>Registers a segment; see <see cref="RegisterSegment(SegmentMetadata)"/>.</summary>
    public ValueTask<bool> RegisterSegmentAsync(SegmentMetadata metadata, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<bool>(RegisterSegment(metadata));
    }

    /// <summary>The metadata of a registered, unexpired segment. Does not count as an access.</summary>
    /// <exception cref="ArgumentException">The identifier is not 32, 48 or 64 bytes.</exception>
    public bool TryGetSegment(ReadOnlySpan<byte> segmentId, [NotNullWhen(true)] out SegmentMetadata? metadata)
    {
        SegmentEntry? entry = Find(segmentId, touch: false);
        metadata = entry?.Metadata;
        return entry is not null;
    }

    /// <summary>
    /// A snapshot of the metadata of every registered, unexpired segment, least recently accessed first (for cache status
    /// and export). Does not count as an access.
    /// </summary>
    public IReadOnlyList<SegmentMetadata> GetSegments()
    {
        ThrowIfDisposed();
        lock (_sync)
        {
            var result = new List<SegmentMetadata>(_segments.Count);
            foreach (SegmentEntry entry in _lru)
            {
                if (!IsExpiredLocked(entry))
                {
                    result.Add(entry.Metadata);
                }
            }

            return result;
        }
    }

    /// <summary>Whether block <paramref name="blockIndex"/> of the segment is held, as verified plaintext or as an encrypted record.</summary>
    /// <exception cref="ArgumentException">The identifier is not 32, 48 or 64 bytes.</exception>
    public bool ContainsBlock(ReadOnlySpan<byte> segmentId, int blockIndex)
    {
        SegmentEntry? entry = Find(segmentId, touch: false);
        if (entry is null)
        {
            return false;
        }

        lock (_sync)
        {
            return !entry.Removed && entry.IsAnyHeld(blockIndex);
        }
    }

    /// <summary>
    /// The first block at or after <paramref name="startIndex"/> held as plaintext or as an encrypted record; -1 when
    /// there is none or the segment is unknown. One bitmap scan, for MS-PCCRR <c>NextBlockIndex</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The identifier is not 32, 48 or 64 bytes.</exception>
    public int FindHeldBlock(ReadOnlySpan<byte> segmentId, int startIndex)
    {
        SegmentEntry? entry = Find(segmentId, touch: false);
        if (entry is null || startIndex < 0)
        {
            return -1;
        }

        lock (_sync)
        {
            return entry.Removed ? -1 : entry.FindAnyHeld(startIndex);
        }
    }

    /// <summary>
    /// How long ago the segment was first cached (MS-PCCRR 2.2.6 segment age); false when the segment is unknown. After a
    /// restart of a file cache the registration time is the segment directory's creation time as the file system
    /// reports it.
    /// </summary>
    /// <exception cref="ArgumentException">The identifier is not 32, 48 or 64 bytes.</exception>
    public bool TryGetSegmentAge(ReadOnlySpan<byte> segmentId, out TimeSpan age)
    {
        SegmentEntry? entry = Find(segmentId, touch: false);
        if (entry is null || entry.Removed)
        {
            age = default;
            return false;
        }

        TimeSpan elapsed = Now - entry.Registered;
        age = elapsed < TimeSpan.Zero ? TimeSpan.Zero : elapsed;
        return true;
    }

    /// <summary>
    /// The held blocks of a segment (as plaintext or encrypted records) as sorted, non-overlapping runs (what an MS-PCCRR
    /// <c>MSG_BLKLIST</c> lists); empty when the segment is unknown or holds nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The identifier is not 32, 48 or 64 bytes.</exception>
    public IReadOnlyList<BlockIndexRange> GetHeldBlockRanges(ReadOnlySpan<byte> segmentId)
    {
        SegmentEntry? entry = Find(segmentId, touch: true);
        if (entry is null)
        {
            return [];
        }

        lock (_sync)
        {
            return entry.Removed ? [] : entry.GetHeldRanges();
        }
    }

    /// <summary>
    /// Verifies <paramref name="block"/> (the plaintext of block <paramref name="blockIndex"/>) against the registered
    /// block hash and stores it. Never throws for a bad block: the result says what was wrong.
    /// </summary>
    /// <exception cref="ArgumentException">The identifier is not 32, 48 or 64 bytes.</exception>
    /// <exception cref="IOException">The block could not be written.</exception>
    public BlockPutResult PutBlock(ReadOnlySpan<byte> segmentId, int blockIndex, ReadOnlySpan<byte> block) =>
        PutBlockCore(segmentId, blockIndex, block, verified: false);

    /// <summary>
    /// Stores a block; with <paramref name="verified"/> the caller has just checked it against the same content
    /// information's block hash (the download client after <c>PccrrClient</c> or its own origin check), so the hash is
    /// not computed a second time. Every other check still applies.
    /// </summary>
    internal BlockPutResult PutBlockCore(ReadOnlySpan<byte> segmentId, int blockIndex, ReadOnlySpan<byte> block, bool verified)
    {
        SegmentEntry? entry = Find(segmentId, touch: false);
        if (entry is null)
        {
            return BlockPutResult.UnknownSegment;
        }

        SegmentMetadata metadata = entry.Metadata;
        if ((uint)blockIndex >= (uint)metadata.BlockCount)
        {
            return BlockPutResult.BlockIndexOutOfRange;
        }

        if (block.Length != metadata.GetBlockLength(blockIndex))
        {
            return BlockPutResult.WrongLength;
        }

        if (!metadata.HasBlockHash(blockIndex))
        {
            return BlockPutResult.HashNotListed;
        }

        if (!verified && !MatchesHash(metadata, blockIndex, block))
        {
            Interlocked.Increment(ref _rejected);
            return BlockPutResult.VerificationFailed;
        }

        bool stored = false;
        lock (StripeFor(entry.Key))
        {
            lock (_sync)
            {
                if (entry.Removed)
                {
                    return BlockPutResult.UnknownSegment;
                }

                TouchLocked(entry);
                if (entry.IsHeld(blockIndex))
                {
                    return BlockPutResult.AlreadyHeld;
                }
            }

            StoreBlock(entry, blockIndex, block);
            lock (_sync)
            {
                if (!entry.Removed)
                {
                    entry.SetHeld(blockIndex, block.Length);
                    _blockCount++;
                    _bytes += block.Length;
                    stored = true;
                }
            }
        }

        if (!stored)
        {
            return BlockPutResult.UnknownSegment;
        }

        PersistAccess(entry);
        EvictWhileOverCapacity();
        return BlockPutResult.Stored;
    }

    /// <summary>Verifies and stores a block; see <see cref="PutBlock"/>.</summary>
    public ValueTask<BlockPutResult> PutBlockAsync(
        ReadOnlyMemory<byte> segmentId,
        int blockIndex,
        ReadOnlyMemory<byte> block,
        CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<BlockPutResult>(PutBlock(segmentId.Span, blockIndex, block.Span));
    }

    /// <summary>
    /// Copies block <paramref name="blockIndex"/> of the segment into <paramref name="destination"/>. Counts a hit or a
    /// miss and refreshes the segment's last access. A stored block found damaged is discarded and reported as not found.
    /// </summary>
    /// <exception cref="ArgumentException">The identifier is not 32, 48 or 64 bytes.</exception>
    public BlockReadResult ReadBlock(ReadOnlySpan<byte> segmentId, int blockIndex, Span<byte> destination) =>
        ReadCore(segmentId, blockIndex, destination, writer: null);

    /// <summary>Writes block <paramref name="blockIndex"/> of the segment to <paramref name="writer"/>; see <see cref="ReadBlock(ReadOnlySpan{byte}, int, Span{byte})"/>.</summary>
    public BlockReadResult ReadBlock(ReadOnlySpan<byte> segmentId, int blockIndex, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        return ReadCore(segmentId, blockIndex, default, writer);
    }

    /// <summary>Copies a block into <paramref name="destination"/>; see <see cref="ReadBlock(ReadOnlySpan{byte}, int, Span{byte})"/>.</summary>
    public ValueTask<BlockReadResult> ReadBlockAsync(
        ReadOnlyMemory<byte> segmentId,
        int blockIndex,
        Memory<byte> destination,
        CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<BlockReadResult>(ReadCore(segmentId.Span, blockIndex, destination.Span, writer: null));
    }

    /// <summary>
    /// Stores a block in the encrypted form it was received in, for a cache that does not know the segment secret (a
    /// hosted cache) and replays blocks as received. The cache cannot verify the block: only its length is checked
    /// (the plaintext length up to 16 bytes more, room for PKCS#7 padding). A stored checksum guards the record against
    /// damage on disk, not against a sender that lied. Counts toward the size cap like any block.
    /// </summary>
    /// <exception cref="ArgumentException">The identifier is not 32, 48 or 64 bytes.</exception>
    /// <exception cref="IOException">The record could not be written.</exception>
    public BlockPutResult PutEncryptedBlock(ReadOnlySpan<byte> segmentId, int blockIndex, EncryptedBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        SegmentEntry? entry = Find(segmentId, touch: false);
        if (entry is null)
        {
            return BlockPutResult.UnknownSegment;
        }

        SegmentMetadata metadata = entry.Metadata;
        if ((uint)blockIndex >= (uint)metadata.BlockCount)
        {
            return BlockPutResult.BlockIndexOutOfRange;
        }

        int plaintextLength = metadata.GetBlockLength(blockIndex);
        if (block.Ciphertext.Length < plaintextLength || block.Ciphertext.Length > plaintextLength + MaxPaddingLength)
        {
            return BlockPutResult.WrongLength;
        }

        bool stored = false;
        lock (StripeFor(entry.Key))
        {
            lock (_sync)
            {
                if (entry.Removed)
                {
                    return BlockPutResult.UnknownSegment;
                }

                TouchLocked(entry);
                if (entry.IsEncryptedHeld(blockIndex))
                {
                    return BlockPutResult.AlreadyHeld;
                }
            }

            StoreEncryptedBlock(entry, blockIndex, block);
            lock (_sync)
            {
                if (!entry.Removed)
                {
                    entry.SetEncryptedHeld(blockIndex, block.Ciphertext.Length);
                    _blockCount++;
                    _bytes += block.Ciphertext.Length;
                    stored = true;
                }
            }
        }

        if (!stored)
        {
            return BlockPutResult.UnknownSegment;
        }

        PersistAccess(entry);
        EvictWhileOverCapacity();
        return BlockPutResult.Stored;
    }

    /// <summary>Stores an encrypted record; see <see cref="PutEncryptedBlock"/>.</summary>
    public ValueTask<BlockPutResult> PutEncryptedBlockAsync(
        ReadOnlyMemory<byte> segmentId,
        int blockIndex,
        EncryptedBlock block,
        CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<BlockPutResult>(PutEncryptedBlock(segmentId.Span, blockIndex, block));
    }

    /// <summary>
    /// The encrypted record of block <paramref name="blockIndex"/>, as stored by <see cref="PutEncryptedBlock"/>. Counts a
    /// hit or a miss like <see cref="ReadBlock(ReadOnlySpan{byte}, int, Span{byte})"/>; a damaged record is discarded.
    /// Allocates the returned copy (this path serves a hosted cache's replays, not the verified hot path).
    /// </summary>
    /// <exception cref="ArgumentException">The identifier is not 32, 48 or 64 bytes.</exception>
    public bool TryReadEncryptedBlock(ReadOnlySpan<byte> segmentId, int blockIndex, [NotNullWhen(true)] out EncryptedBlock? block)
    {
        block = null;
        SegmentEntry? entry = Find(segmentId, touch: false);
        if (entry is not null)
        {
            lock (_sync)
            {
                if (entry.Removed || !entry.IsEncryptedHeld(blockIndex))
                {
                    entry = null;
                }
                else
                {
                    TouchLocked(entry);
                }
            }
        }

        if (entry is null)
        {
            Interlocked.Increment(ref _misses);
            return false;
        }

        StoredBlockStatus status = LoadEncryptedBlock(entry, blockIndex, out block);
        if (status != StoredBlockStatus.Loaded)
        {
            if (status == StoredBlockStatus.Damaged)
            {
                DiscardDamagedEncrypted(entry, blockIndex);
            }

            block = null;
            Interlocked.Increment(ref _misses);
            return false;
        }

        Interlocked.Increment(ref _hits);
        PersistAccess(entry);
        return block is not null;
    }

    /// <summary>The encrypted record of a block, or null; see <see cref="TryReadEncryptedBlock"/>.</summary>
    public ValueTask<EncryptedBlock?> ReadEncryptedBlockAsync(
        ReadOnlyMemory<byte> segmentId,
        int blockIndex,
        CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<EncryptedBlock?>(TryReadEncryptedBlock(segmentId.Span, blockIndex, out EncryptedBlock? block) ? block : null);
    }

    /// <summary>Removes a segment and its blocks; false when it was not registered.</summary>
    /// <exception cref="ArgumentException">The identifier is not 32, 48 or 64 bytes.</exception>
    public bool RemoveSegment(ReadOnlySpan<byte> segmentId)
    {
        SegmentEntry? entry = Find(segmentId, touch: false);
        return entry is not null && Remove(entry, RemovalReason.Explicit);
    }

    /// <summary>
    /// Removes every expired segment, then evicts least recently used segments until the held bytes fit the cap.
    /// Returns how many segments were removed.
    /// </summary>
    public ValueTask<int> TrimAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        List<SegmentEntry> expired = [];
        lock (_sync)
        {
            foreach (SegmentEntry entry in _lru)
            {
                if (IsExpiredLocked(entry))
                {
                    expired.Add(entry);
                }
            }
        }

        int removed = 0;
        foreach (SegmentEntry entry in expired)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Remove(entry, RemovalReason.Expired))
            {
                removed++;
            }
        }

        removed += EvictWhileOverCapacity();
        return new ValueTask<int>(removed);
    }

    /// <summary>A snapshot of the contents and counters.</summary>
    public ContentCacheStatistics GetStatistics()
    {
        lock (_sync)
        {
            return new ContentCacheStatistics
            {
                SegmentCount = _segments.Count,
                BlockCount = _blockCount,
                Bytes = _bytes,
                CapacityBytes = CapacityBytes,
                Hits = Interlocked.Read(ref _hits),
                Misses = Interlocked.Read(ref _misses),
                Evictions = _evictions,
                Expirations = _expirations,
                RejectedBlocks = Interlocked.Read(ref _rejected),
                DamagedBlocks = _damaged,
            };
        }
    }

    /// <summary>Releases the cache (for a <see cref="FileContentCache"/>, its directory lock). Blocks stay stored.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Dispose(disposing: true);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the cache; see <see cref="Dispose()"/>.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>Releases what the concrete cache owns.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    private protected abstract void StoreMetadata(SegmentEntry entry);

    private protected abstract void StoreBlock(SegmentEntry entry, int blockIndex, ReadOnlySpan<byte> block);

    /// <summary>Copies a stored block into <paramref name="destination"/>, which is exactly the block's length.</summary>
    private protected abstract StoredBlockStatus LoadBlock(SegmentEntry entry, int blockIndex, Span<byte> destination);

    private protected abstract void DeleteBlockStorage(SegmentEntry entry, int blockIndex);

    private protected abstract void StoreEncryptedBlock(SegmentEntry entry, int blockIndex, EncryptedBlock block);

    private protected abstract StoredBlockStatus LoadEncryptedBlock(SegmentEntry entry, int blockIndex, out EncryptedBlock? block);

    private protected abstract void DeleteEncryptedBlockStorage(SegmentEntry entry, int blockIndex);

    private protected abstract void DeleteSegmentStorage(SegmentEntry entry);

    /// <summary>Records the segment's last access in storage, so it survives a restart (may be throttled).</summary>
    private protected virtual void PersistAccess(SegmentEntry entry)
    {
    }

    /// <summary>Adds a segment found in storage when the cache opens, before it is shared.</summary>
    private protected void AddLoaded(SegmentEntry entry)
    {
        lock (_sync)
        {
            _segments.Add(entry.Key, entry);
            _blockCount += entry.HeldCount;
            _bytes += entry.HeldBytes;
        }
    }

    /// <summary>Orders the loaded segments by last access, then applies the cap (the cap may have been lowered).</summary>
    private protected void CompleteLoad()
    {
        lock (_sync)
        {
            SegmentEntry[] entries = [.. _segments.Values];
            Array.Sort(entries, static (a, b) => a.LastAccess.CompareTo(b.LastAccess));
            foreach (SegmentEntry entry in entries)
            {
                _lru.AddLast(entry.Node);
            }
        }

        EvictWhileOverCapacity();
    }

    /// <summary>Counts a damaged block the concrete cache dropped while opening.</summary>
    private protected void CountDamagedOnLoad(int count)
    {
        lock (_sync)
        {
            _damaged += count;
        }
    }

    private protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private static bool MatchesHash(SegmentMetadata metadata, int blockIndex, ReadOnlySpan<byte> block)
    {
        int digest = metadata.HashAlgorithm.GetDigestLength();
        Span<byte> actual = stackalloc byte[PeerDistConstants.MaxDigestLength];
        PeerDistKeyDerivation.ComputeHash(metadata.HashAlgorithm, block, actual[..digest]);
        return CryptographicOperations.FixedTimeEquals(actual[..digest], metadata.GetBlockHash(blockIndex));
    }

    private static void CheckSegmentId(ReadOnlySpan<byte> segmentId)
    {
        if (!SegmentMetadata.IsValidSegmentIdLength(segmentId.Length))
        {
            ThrowHelper.ThrowSegmentIdLength(nameof(segmentId), segmentId.Length);
        }
    }

    private BlockReadResult ReadCore(ReadOnlySpan<byte> segmentId, int blockIndex, Span<byte> destination, IBufferWriter<byte>? writer)
    {
        SegmentEntry? entry = Find(segmentId, touch: false);
        int length = 0;
        if (entry is not null)
        {
            lock (_sync)
            {
                if (entry.Removed || !entry.IsHeld(blockIndex))
                {
                    entry = null;
                }
                else
                {
                    length = entry.Metadata.GetBlockLength(blockIndex);
                    TouchLocked(entry);
                }
            }
        }

        if (entry is null)
        {
            Interlocked.Increment(ref _misses);
            return new BlockReadResult(BlockReadStatus.NotFound, 0);
        }

        if (writer is not null)
        {
            destination = writer.GetSpan(length);
        }

        if (destination.Length < length)
        {
            return new BlockReadResult(BlockReadStatus.DestinationTooSmall, length);
        }

        Span<byte> target = destination[..length];
        StoredBlockStatus status = LoadBlock(entry, blockIndex, target);
        if (status == StoredBlockStatus.Loaded && VerifiesOnRead && !MatchesHash(entry.Metadata, blockIndex, target))
        {
            status = StoredBlockStatus.Damaged;
        }

        if (status != StoredBlockStatus.Loaded)
        {
            if (status == StoredBlockStatus.Damaged)
            {
                DiscardDamaged(entry, blockIndex);
            }

            target.Clear();
            Interlocked.Increment(ref _misses);
            return new BlockReadResult(BlockReadStatus.NotFound, 0);
        }

        writer?.Advance(length);
        Interlocked.Increment(ref _hits);
        PersistAccess(entry);
        return new BlockReadResult(BlockReadStatus.Success, length);
    }

    /// <summary>Looks up an unexpired segment; an expired one is removed on the way.</summary>
    private SegmentEntry? Find(ReadOnlySpan<byte> segmentId, bool touch)
    {
        CheckSegmentId(segmentId);
        ThrowIfDisposed();
        SegmentEntry? entry;
        lock (_sync)
        {
            if (!_lookup.TryGetValue(segmentId, out entry))
            {
                return null;
            }

            if (!IsExpiredLocked(entry))
            {
                if (touch)
                {
                    TouchLocked(entry);
                }

                return entry;
            }
        }

        Remove(entry, RemovalReason.Expired);
        return null;
    }

    private void DiscardDamaged(SegmentEntry entry, int blockIndex)
    {
        lock (StripeFor(entry.Key))
        {
            lock (_sync)
            {
                if (entry.Removed || !entry.IsHeld(blockIndex))
                {
                    return;
                }

                int length = entry.Metadata.GetBlockLength(blockIndex);
                entry.ClearHeld(blockIndex, length);
                _blockCount--;
                _bytes -= length;
                _damaged++;
            }

            DeleteBlockStorage(entry, blockIndex);
        }
    }

    private void DiscardDamagedEncrypted(SegmentEntry entry, int blockIndex)
    {
        lock (StripeFor(entry.Key))
        {
            lock (_sync)
            {
                if (entry.Removed || !entry.IsEncryptedHeld(blockIndex))
                {
                    return;
                }

                int length = entry.ClearEncryptedHeld(blockIndex);
                _blockCount--;
                _bytes -= length;
                _damaged++;
            }

            DeleteEncryptedBlockStorage(entry, blockIndex);
        }
    }

    private int EvictWhileOverCapacity()
    {
        int evicted = 0;
        while (true)
        {
            SegmentEntry? victim;
            lock (_sync)
            {
                if (_bytes <= CapacityBytes)
                {
                    return evicted;
                }

                victim = _lru.First?.Value;
            }

            if (victim is null)
            {
                return evicted;
            }

            if (Remove(victim, RemovalReason.Evicted))
            {
                evicted++;
            }
        }
    }

    /// <summary>Removes a segment from the index and deletes its storage, re-checking the reason under the locks.</summary>
    private bool Remove(SegmentEntry entry, RemovalReason reason)
    {
        lock (StripeFor(entry.Key))
        {
            lock (_sync)
            {
                if (entry.Removed
                    || (reason == RemovalReason.Expired && !IsExpiredLocked(entry))
                    || (reason == RemovalReason.Evicted && _bytes <= CapacityBytes))
                {
                    return false;
                }

                RemoveLocked(entry);
                if (reason == RemovalReason.Evicted)
                {
                    _evictions++;
                }
                else if (reason == RemovalReason.Expired)
                {
                    _expirations++;
                }
            }

            DeleteSegmentStorage(entry);
        }

        return true;
    }

    private void RemoveLocked(SegmentEntry entry)
    {
        entry.Removed = true;
        _segments.Remove(entry.Key);
        if (entry.Node.List is not null)
        {
            _lru.Remove(entry.Node);
        }

        _blockCount -= entry.HeldCount;
        _bytes -= entry.HeldBytes;
    }

    private bool IsExpiredLocked(SegmentEntry entry) =>
        _maxAge != Timeout.InfiniteTimeSpan && Now - entry.LastAccess > _maxAge;

    private void TouchLocked(SegmentEntry entry)
    {
        entry.LastAccess = Now;
        if (entry.Node.List is not null && entry.Node.Next is not null)
        {
            _lru.Remove(entry.Node);
            _lru.AddLast(entry.Node);
        }
    }

    private Lock StripeFor(ReadOnlySpan<byte> key) =>
        _stripes[BinaryPrimitives.ReadUInt16LittleEndian(key) % StripeCount];
}
