using PeerDist.Caching;

namespace PeerDist.Tests.Caching;

/// <summary>Creates caches of one implementation, so one fixture runs against the file and the memory cache.</summary>
public abstract class CacheKind
{
    public static IEnumerable<CacheKind> All => [new FileKind(), new MemoryKind()];

    public abstract bool IsPersistent { get; }

    /// <summary>Creates a cache; <paramref name="options"/> gets the kind's root path when the kind needs one.</summary>
    public abstract ContentCache Create(ContentCacheOptions options);

    /// <summary>Options with a small explicit cap, a fake clock and (for files) a fresh directory.</summary>
    public abstract ContentCacheOptions CreateOptions(TimeProvider time, long maxSizeBytes = 64L * 1024 * 1024);

    public virtual void Cleanup()
    {
    }

    private sealed class FileKind : CacheKind
    {
        private readonly List<TempDirectory> _directories = [];

        public override bool IsPersistent => true;

        public override ContentCache Create(ContentCacheOptions options) => new FileContentCache(options);

        public override ContentCacheOptions CreateOptions(TimeProvider time, long maxSizeBytes = 64L * 1024 * 1024)
        {
            var directory = new TempDirectory();
            _directories.Add(directory);
            return new ContentCacheOptions { RootPath = directory.Path, MaxSizeBytes = maxSizeBytes, TimeProvider = time };
        }

        public override void Cleanup()
        {
            foreach (TempDirectory directory in _directories)
            {
                directory.Dispose();
            }

            _directories.Clear();
        }

        public override string ToString() => "File";
    }

    private sealed class MemoryKind : CacheKind
    {
        public override bool IsPersistent => false;

        public override ContentCache Create(ContentCacheOptions options) => new MemoryContentCache(options);

        public override ContentCacheOptions CreateOptions(TimeProvider time, long maxSizeBytes = 64L * 1024 * 1024) =>
            new() { MaxSizeBytes = maxSizeBytes, TimeProvider = time };

        public override string ToString() => "Memory";
    }
}
