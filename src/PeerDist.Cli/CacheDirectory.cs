using PeerDist.Caching;

namespace PeerDist.Cli;

/// <summary>Opens a cache directory for the <c>cache</c> and <c>status</c> commands, with the tool's messages.</summary>
internal static class CacheDirectory
{
    /// <summary>The lock file a <see cref="FileContentCache"/> holds while open (docs: FileContentCache layout).</summary>
    public const string LockFileName = "cache.lock";

    /// <summary>The folder of the segment directories.</summary>
    public const string SegmentsDirectoryName = "segments";

    /// <summary>Whether <paramref name="path"/> looks like a cache directory (it has the lock file or the segments folder).</summary>
    public static bool IsCache(string path) =>
        File.Exists(Path.Combine(path, LockFileName)) || Directory.Exists(Path.Combine(path, SegmentsDirectoryName));

    /// <summary>
    /// Opens the cache in <paramref name="path"/>. Without <paramref name="maxSizeBytes"/> the cap is unlimited, so that
    /// reading a cache (status, export, clear) never evicts anything from it.
    /// </summary>
    /// <param name="path">The directory.</param>
    /// <param name="maxSizeBytes">The cap to apply (import), or null for none.</param>
    /// <param name="create">Whether a directory that is not a cache yet may be made one (import).</param>
    public static FileContentCache Open(string path, long? maxSizeBytes, bool create)
    {
        if (!create && !Directory.Exists(path))
        {
            throw CliException.BadInput($"'{path}': no such directory");
        }

        if (!create && !IsCache(path))
        {
            throw CliException.BadInput($"'{path}' is not a PeerDist cache directory (it has neither '{LockFileName}' nor '{SegmentsDirectoryName}/')");
        }

        try
        {
            // FileContentCache creates a missing directory only when it has to measure the volume (no cap given).
            Directory.CreateDirectory(path);
            return new FileContentCache(new ContentCacheOptions { RootPath = path, MaxSizeBytes = maxSizeBytes ?? long.MaxValue });
        }
        catch (ContentCacheLockedException)
        {
            throw CliException.BadInput($"'{path}' is in use by a running node (peerdist serve) or another cache command; stop it first");
        }
        catch (UnauthorizedAccessException e)
        {
            throw CliException.BadInput($"'{path}': {e.Message}");
        }
    }

    /// <summary>The cap a node gives this directory by default: 5 % of its volume (as Windows); null when unknown.</summary>
    public static long? DefaultCapacity(string path)
    {
        try
        {
            var drive = new DriveInfo(Path.GetFullPath(path));
            return (long)(drive.TotalSize * (ContentCacheOptions.DefaultMaxSizePercentOfVolume / 100));
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
