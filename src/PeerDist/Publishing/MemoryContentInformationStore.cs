using System.Collections.Concurrent;

namespace PeerDist.Publishing;

/// <summary>A <see cref="ContentInformationStore"/> in a dictionary: nothing survives the process.</summary>
internal sealed class MemoryContentInformationStore : ContentInformationStore
{
    private readonly ConcurrentDictionary<string, PublishedContent> _entries = new(StringComparer.Ordinal);

    public override ValueTask<PublishedContent?> LoadAsync(string contentId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_entries.GetValueOrDefault(contentId));

    public override ValueTask SaveAsync(PublishedContent content, CancellationToken cancellationToken)
    {
        _entries[content.ContentId] = content;
        return ValueTask.CompletedTask;
    }

    public override ValueTask<bool> RemoveAsync(string contentId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_entries.TryRemove(contentId, out _));
}
