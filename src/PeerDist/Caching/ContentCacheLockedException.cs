namespace PeerDist.Caching;

/// <summary>
/// The cache directory is already open, by this process or another one: its lock file (<c>cache.lock</c>) is held
/// with no sharing. Only one <see cref="FileContentCache"/> may own a directory at a time.
/// </summary>
public sealed class ContentCacheLockedException : IOException
{
    /// <summary>Creates the exception with a default message.</summary>
    public ContentCacheLockedException()
        : base("The content cache directory is in use by another cache instance.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public ContentCacheLockedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the error that caused it.</summary>
    public ContentCacheLockedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The cache directory whose lock could not be taken (empty when not known).</summary>
    public string Directory { get; private init; } = string.Empty;

    internal static ContentCacheLockedException ForDirectory(string directory, Exception innerException) =>
        new(
            $"The content cache directory '{directory}' is already open by another FileContentCache (in this process or another process); its lock file 'cache.lock' is held.",
            innerException)
        {
            Directory = directory,
        };
}
