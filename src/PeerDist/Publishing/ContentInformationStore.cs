namespace PeerDist.Publishing;

/// <summary>Where a <see cref="ContentPublisher"/> keeps published content information, one entry per content identifier.</summary>
internal abstract class ContentInformationStore
{
    /// <summary>The entry of <paramref name="contentId"/>, or null when there is none (a damaged entry is removed and reported as none).</summary>
    public abstract ValueTask<PublishedContent?> LoadAsync(string contentId, CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="content"/>, replacing any entry of its identifier (whatever its validator).</summary>
    public abstract ValueTask SaveAsync(PublishedContent content, CancellationToken cancellationToken);

    /// <summary>Removes the entry of <paramref name="contentId"/>; false when there was none.</summary>
    public abstract ValueTask<bool> RemoveAsync(string contentId, CancellationToken cancellationToken);
}
