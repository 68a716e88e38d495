namespace PeerDist.Publishing;

/// <summary>
/// Identifies one version of a published content: its length plus whatever the origin uses to tell versions apart (an
/// HTTP entity tag and/or a last-modified time). Content information is stored under (content identifier, validator);
/// a lookup with a different validator finds nothing, so a changed file never gets the hashes of its old bytes.
/// </summary>
/// <param name="Length">The identity length of the content in bytes.</param>
/// <param name="ETag">The entity tag as the origin sends it (quotes included), or null.</param>
/// <param name="LastModified">The last modification time, or null.</param>
public readonly record struct ContentValidator(long Length, string? ETag = null, DateTimeOffset? LastModified = null)
{
    /// <summary>The validator of a file on disk: its length and last write time (UTC). No entity tag.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static ContentValidator FromFile(FileInfo file)
    {
        ArgumentNullException.ThrowIfNull(file);
        file.Refresh();
        if (!file.Exists)
        {
            throw new FileNotFoundException("The file to publish does not exist.", file.FullName);
        }

        return new ContentValidator(file.Length, null, new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero));
    }

    /// <inheritdoc />
    public override string ToString() => $"Length={Length}, ETag={ETag ?? "(none)"}, LastModified={LastModified?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"}";
}
