using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace PeerDist.Caching;

/// <summary>
/// A <see cref="ContentCache"/> in a directory, kept across restarts. One instance owns the directory at a time: a second
/// one (in any process) gets a <see cref="ContentCacheLockedException"/>.
/// </summary>
/// <remarks>
/// <para>Layout under <see cref="RootPath"/>:</para>
/// <code>
/// cache.lock                                   held open with no sharing while the cache is open
/// segments/&lt;hh&gt;/&lt;hex id&gt;/meta                  the segment's metadata (see SegmentMetadataFile), checksummed
/// segments/&lt;hh&gt;/&lt;hex id&gt;/&lt;nnn&gt;.blk             one verified block, nnn = block index in decimal, 3+ digits
/// segments/&lt;hh&gt;/&lt;hex id&gt;/&lt;nnn&gt;.enc             one encrypted record (see EncryptedBlock), checksummed
/// </code>
/// <para>
/// &lt;hex id&gt; is the segment identifier in lower-case hex (64, 96 or 128 characters) and &lt;hh&gt; its first two characters,
/// so no directory holds more than a fraction of the segments. Only names made here from validated identifiers and
/// integer indices are ever created; nothing received from a peer becomes a path component.
/// </para>
/// <para>
/// One file per block rather than one file per segment with a bitmap: storing a block is then a single
/// create-write-flush-rename that either happens whole or not at all, no bitmap has to be kept in step with the data,
/// and a damaged block is dropped by deleting one file. The cost is up to 512 small files per V1 segment, which every
/// file system handles well; V2 segments have one block and so one file anyway.
/// </para>
/// <para>
/// Crash safety: every file is written under a temporary name (<c>*.tmp</c>), flushed to disk, then renamed over its
/// final name. On open, temporary files are deleted, a segment directory without a valid <c>meta</c> is deleted, and a
/// block or record file with the wrong length is deleted (files with names the cache does not make are left alone).
/// Every block read from disk is hashed again before it is
/// served (one hash of at most 128 KiB, which the reader would otherwise have to do); a block that fails is deleted and
/// reported as not found. So a block is never served unless it is whole and verified, whenever the process was killed
/// and whatever happened to the files since. Encrypted records cannot be verified; their checksum is checked on every
/// read instead. .NET cannot flush a directory, so after a power loss a just-renamed file may be missing (never torn):
/// the block is simply fetched again.
/// </para>
/// <para>
/// A segment's last access survives a restart as the last-write time of its <c>meta</c> file, updated at most once a
/// minute per segment.
/// </para>
/// <para>
/// A read allocates the block's path string and a file handle object; the block bytes go straight into the caller's
/// buffer. (The memory cache's read path allocates nothing.)
/// </para>
/// </remarks>
public sealed class FileContentCache : ContentCache
{
    private const string LockFileName = "cache.lock";
    private const string SegmentsDirectoryName = "segments";
    private const string MetadataFileName = "meta";
    private const string BlockExtension = ".blk";
    private const string EncryptedExtension = ".enc";
    private const string TemporaryExtension = ".tmp";
    private const int MaxPaddingLength = 16;

    private static readonly TimeSpan s_accessPersistInterval = TimeSpan.FromMinutes(1);
    private static readonly string[] s_blockFileNames = CreateBlockFileNames();
    private static long s_temporaryCounter;

    private readonly FileStream _lockFile;
    private readonly string _segmentsPath;

    /// <summary>Opens (or creates) the cache in <see cref="ContentCacheOptions.RootPath"/> and loads what it holds.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    /// <exception cref="ContentCacheLockedException">Another cache instance has the directory open.</exception>
    /// <exception cref="IOException">The directory cannot be created or read.</exception>
    public FileContentCache(ContentCacheOptions options)
        : base(options, GetCapacity(options), requireRootPath: true)
    {
        RootPath = Path.GetFullPath(options.RootPath!);
        _segmentsPath = Path.Combine(RootPath, SegmentsDirectoryName);
        try
        {
            // The directory may not exist yet: GetCapacity creates it only when it measures the volume (no size cap).
            Directory.CreateDirectory(RootPath);
            _lockFile = new FileStream(Path.Combine(RootPath, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (IsLockConflict(e))
        {
            ThrowHelper.ThrowCacheLocked(RootPath, e);
            throw; // not reached: keeps the definite-assignment analysis happy
        }

        try
        {
            Directory.CreateDirectory(_segmentsPath);
            Load();
        }
        catch
        {
            _lockFile.Dispose();
            throw;
        }
    }

    /// <summary>The full path of the cache directory.</summary>
    public string RootPath { get; }

    private protected override bool VerifiesOnRead => true;

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _lockFile.Dispose();
        }

        base.Dispose(disposing);
    }

    private protected override void StoreMetadata(SegmentEntry entry)
    {
        string directory = GetSegmentDirectory(entry.Key);
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, MetadataFileName);
        WriteAtomically(path, SegmentMetadataFile.Serialize(entry.Metadata), durable: true);
        File.SetLastWriteTimeUtc(path, entry.LastAccess.UtcDateTime);
        entry.PersistedAccess = entry.LastAccess;
        entry.DirectoryPath = directory;
    }

    private protected override void StoreBlock(SegmentEntry entry, int blockIndex, ReadOnlySpan<byte> block) =>
        WriteAtomically(GetBlockPath(entry, blockIndex), block, durable: false);

    private protected override StoredBlockStatus LoadBlock(SegmentEntry entry, int blockIndex, Span<byte> destination)
    {
        try
        {
            using SafeFileHandle handle = File.OpenHandle(GetBlockPath(entry, blockIndex), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            if (RandomAccess.GetLength(handle) != destination.Length)
            {
                return StoredBlockStatus.Damaged;
            }

            int total = 0;
            while (total < destination.Length)
            {
                int read = RandomAccess.Read(handle, destination[total..], total);
                if (read == 0)
                {
                    return StoredBlockStatus.Damaged;
                }

                total += read;
            }

            return StoredBlockStatus.Loaded;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // Removed by an eviction or by hand since the index was consulted.
            return StoredBlockStatus.Missing;
        }
    }

    private protected override void DeleteBlockStorage(SegmentEntry entry, int blockIndex) =>
        TryDeleteFile(GetBlockPath(entry, blockIndex));

    private protected override void StoreEncryptedBlock(SegmentEntry entry, int blockIndex, EncryptedBlock block) =>
        WriteAtomically(GetEncryptedPath(entry, blockIndex), EncryptedBlockFile.Serialize(block), durable: false);

    private protected override StoredBlockStatus LoadEncryptedBlock(SegmentEntry entry, int blockIndex, out EncryptedBlock? block)
    {
        block = null;
        byte[] data;
        try
        {
            string path = GetEncryptedPath(entry, blockIndex);
            long maxLength = EncryptedBlockFile.HeaderLength + EncryptedBlock.MaxInitializationVectorLength + (long)entry.Metadata.BlockSize + 64;
            if (new FileInfo(path).Length > maxLength)
            {
                return StoredBlockStatus.Damaged;
            }

            data = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return StoredBlockStatus.Missing;
        }

        block = EncryptedBlockFile.TryParse(data);
        return block is null ? StoredBlockStatus.Damaged : StoredBlockStatus.Loaded;
    }

    private protected override void DeleteEncryptedBlockStorage(SegmentEntry entry, int blockIndex) =>
        TryDeleteFile(GetEncryptedPath(entry, blockIndex));

    private protected override void DeleteSegmentStorage(SegmentEntry entry) =>
        TryDeleteDirectory(GetSegmentDirectory(entry.Key));

    private protected override void PersistAccess(SegmentEntry entry)
    {
        DateTimeOffset access = entry.LastAccess;
        if (access - entry.PersistedAccess < s_accessPersistInterval || entry.DirectoryPath is null)
        {
            return;
        }

        entry.PersistedAccess = access;
        try
        {
            File.SetLastWriteTimeUtc(Path.Combine(entry.DirectoryPath, MetadataFileName), access.UtcDateTime);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The segment was removed meanwhile; its access time no longer matters.
        }
    }

    private static long GetCapacity(ContentCacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(requireRootPath: true);
        if (options.MaxSizeBytes is long bytes)
        {
            return bytes;
        }

        string root = Path.GetFullPath(options.RootPath!);
        Directory.CreateDirectory(root);
        long total = 0;
        try
        {
            // Windows wants the drive root; elsewhere the statistics of any path are those of its file system.
            total = new DriveInfo(OperatingSystem.IsWindows() ? Path.GetPathRoot(root)! : root).TotalSize;
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            // Reported below with the setting to change.
        }

        if (total <= 0)
        {
            ThrowHelper.ThrowArgument(
                $"The size of the volume holding '{root}' cannot be read (a network share?); set ContentCacheOptions.MaxSizeBytes instead of MaxSizePercentOfVolume.",
                nameof(options.MaxSizeBytes));
        }

        return Math.Max(1, (long)(total * (options.MaxSizePercentOfVolume / 100)));
    }

    /// <summary>
    /// Whether opening the lock file failed because another handle holds it: a sharing or lock violation on Windows
    /// (ERROR_SHARING_VIOLATION 32, ERROR_LOCK_VIOLATION 33), EWOULDBLOCK from flock elsewhere (11 on Linux, 35 on
    /// macOS and the BSDs), which .NET reports as the exception's HResult. Any other I/O error propagates unchanged.
    /// </summary>
    private static bool IsLockConflict(IOException exception) =>
        OperatingSystem.IsWindows()
            ? (exception.HResult & 0xFFFF) is 32 or 33
            : exception.HResult == (OperatingSystem.IsLinux() ? 11 : 35);

    private static string[] CreateBlockFileNames()
    {
        string[] names = new string[PeerDistConstants.MaxBlocksPerSegment];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = FormatBlockFileName(i);
        }

        return names;
    }

    private static string FormatBlockFileName(int blockIndex, string extension = BlockExtension) =>
        blockIndex.ToString("D3", CultureInfo.InvariantCulture) + extension;

    private static bool TryParseBlockFileName(string name, string extension, out int blockIndex)
    {
        blockIndex = -1;
        if (!name.EndsWith(extension, StringComparison.Ordinal))
        {
            return false;
        }

        string digits = name[..^extension.Length];
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out blockIndex)
            && string.Equals(FormatBlockFileName(blockIndex, extension), name, StringComparison.Ordinal);
    }

    /// <summary>The ciphertext length of a record file whose header is valid and whose length matches it; otherwise -1.</summary>
    private static int ReadEncryptedCiphertextLength(string path)
    {
        try
        {
            using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            Span<byte> header = stackalloc byte[EncryptedBlockFile.HeaderLength];
            if (RandomAccess.Read(handle, header, 0) != header.Length
                || EncryptedBlockFile.GetDeclaredLength(header) != RandomAccess.GetLength(handle))
            {
                return -1;
            }

            return EncryptedBlockFile.GetCiphertextLength(header);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    private static bool IsLowerHex(string name)
    {
        foreach (char c in name)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Writes under a temporary name and renames, so a reader never sees half a file. Only metadata is forced to disk
    /// (<paramref name="durable"/>): a block or record torn by a crash fails its hash or checksum when read and is
    /// dropped, so an fsync per 64 KiB block (which costs more than the network transfer) buys nothing.
    /// </summary>
    private static void WriteAtomically(string path, ReadOnlySpan<byte> content, bool durable)
    {
        string temporary = string.Create(
            CultureInfo.InvariantCulture,
            $"{path}.{Environment.ProcessId:x}-{Interlocked.Increment(ref s_temporaryCounter):x}{TemporaryExtension}");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            // The metadata holds the segment secret: keep every file private to the cache's user.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: durable);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDeleteFile(temporary);
            throw;
        }
    }

    private static void TryDeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next open to clean up.
        }
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next open to clean up: a directory without a valid meta file is deleted then.
        }
    }

    private string GetSegmentDirectory(ReadOnlySpan<byte> segmentId)
    {
        // The only way an identifier becomes a path: its validated bytes, hex-encoded.
        string hex = Convert.ToHexStringLower(segmentId);
        return Path.Combine(_segmentsPath, hex[..2], hex);
    }

    private string GetEncryptedPath(SegmentEntry entry, int blockIndex) =>
        Path.Join(entry.DirectoryPath ?? GetSegmentDirectory(entry.Key), FormatBlockFileName(blockIndex, EncryptedExtension));

    private string GetBlockPath(SegmentEntry entry, int blockIndex)
    {
        string directory = entry.DirectoryPath ?? GetSegmentDirectory(entry.Key);
        string name = (uint)blockIndex < (uint)s_blockFileNames.Length ? s_blockFileNames[blockIndex] : FormatBlockFileName(blockIndex);
        return Path.Join(directory, name);
    }

    private void Load()
    {
        int damaged = 0;
        foreach (string prefixDirectory in Directory.EnumerateDirectories(_segmentsPath))
        {
            string prefix = Path.GetFileName(prefixDirectory);
            if (prefix.Length != 2 || !IsLowerHex(prefix))
            {
                continue; // not ours: never touched
            }

            foreach (string file in Directory.EnumerateFiles(prefixDirectory, "*" + TemporaryExtension))
            {
                TryDeleteFile(file);
            }

            foreach (string segmentDirectory in Directory.EnumerateDirectories(prefixDirectory))
            {
                string name = Path.GetFileName(segmentDirectory);
                if (!SegmentMetadata.IsValidSegmentIdLength(name.Length / 2) || name.Length % 2 != 0 || !IsLowerHex(name)
                    || !name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue; // not ours: never touched
                }

                SegmentEntry? entry = LoadSegment(segmentDirectory, Convert.FromHexString(name), ref damaged);
                if (entry is null)
                {
                    TryDeleteDirectory(segmentDirectory);
                }
                else
                {
                    AddLoaded(entry);
                }
            }
        }

        CountDamagedOnLoad(damaged);
        CompleteLoad();
    }

    private static DateTimeOffset GetRegistrationTime(string directory, DateTimeOffset lastAccess)
    {
        try
        {
            var created = new DateTimeOffset(Directory.GetCreationTimeUtc(directory), TimeSpan.Zero);
            return created < lastAccess ? created : lastAccess;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return lastAccess;
        }
    }

    private static SegmentEntry? LoadSegment(string directory, byte[] segmentId, ref int damaged)
    {
        string metaPath = Path.Combine(directory, MetadataFileName);
        SegmentMetadata? metadata;
        DateTimeOffset lastAccess;
        try
        {
            var info = new FileInfo(metaPath);
            if (!info.Exists || info.Length > SegmentMetadataFile.MaxLength)
            {
                return null;
            }

            metadata = SegmentMetadataFile.TryParse(File.ReadAllBytes(metaPath));
            lastAccess = new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        if (metadata is null || !metadata.SegmentId.Span.SequenceEqual(segmentId))
        {
            return null;
        }

        var entry = new SegmentEntry(metadata, lastAccess) { DirectoryPath = directory, Registered = GetRegistrationTime(directory, lastAccess) };
        foreach (string file in Directory.EnumerateFiles(directory))
        {
            string name = Path.GetFileName(file);
            if (name == MetadataFileName)
            {
                continue;
            }

            if (name.EndsWith(TemporaryExtension, StringComparison.Ordinal))
            {
                TryDeleteFile(file); // a write cut short by a crash
                continue;
            }

            if (TryParseBlockFileName(name, EncryptedExtension, out int recordIndex))
            {
                // Only the lengths are checked here; the checksum is checked when the record is read.
                int plaintextLength = (uint)recordIndex < (uint)metadata.BlockCount ? metadata.GetBlockLength(recordIndex) : -1;
                int ciphertextLength = plaintextLength < 0 ? -1 : ReadEncryptedCiphertextLength(file);
                if (plaintextLength < 0 || ciphertextLength < plaintextLength || ciphertextLength > plaintextLength + MaxPaddingLength)
                {
                    damaged++;
                    TryDeleteFile(file);
                    continue;
                }

                entry.SetEncryptedHeld(recordIndex, ciphertextLength);
                continue;
            }

            if (!TryParseBlockFileName(name, BlockExtension, out int blockIndex))
            {
                continue; // not ours: never touched
            }

            if ((uint)blockIndex >= (uint)metadata.BlockCount || !metadata.HasBlockHash(blockIndex)
                || new FileInfo(file).Length != metadata.GetBlockLength(blockIndex))
            {
                damaged++;
                TryDeleteFile(file);
                continue;
            }

            entry.SetHeld(blockIndex, metadata.GetBlockLength(blockIndex));
        }

        return entry;
    }
}
