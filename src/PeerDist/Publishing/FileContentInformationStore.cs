using System.Security.Cryptography;
using System.Text;

namespace PeerDist.Publishing;

/// <summary>
/// A <see cref="ContentInformationStore"/> in a directory: <c>&lt;root&gt;/&lt;hh&gt;/&lt;sha-256 of the identifier, hex&gt;.pdpub</c>,
/// one file per content identifier (see <see cref="PublishedContentFile"/>).
/// </summary>
/// <remarks>
/// Crash safety: each file is written under a unique temporary name, flushed to disk and renamed over the entry, so a
/// reader sees the old entry or the new one, never half of one. Temporary files left by a crash are deleted when the
/// store opens. File names are hashes, so nothing a client sends ever becomes a path component.
/// </remarks>
internal sealed class FileContentInformationStore : ContentInformationStore
{
    private const string Extension = ".pdpub";
    private const string TemporaryExtension = ".tmp";

    /// <summary>Entries above this size are treated as damaged rather than read (V1 of a 1 TiB file is about 512 MiB).</summary>
    private const long MaxEntryLength = int.MaxValue - 1024;

    /// <summary>How many decoded entries are kept in memory, so a popular file is not read and parsed per request.</summary>
    private const int MaxRecentEntries = 256;

    private readonly string _root;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, PublishedContent> _recent = new(StringComparer.Ordinal);
    private long _damaged;

    public FileContentInformationStore(string root)
    {
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
        foreach (string temporary in Directory.EnumerateFiles(_root, "*" + TemporaryExtension, SearchOption.AllDirectories))
        {
            TryDelete(temporary);
        }
    }

    /// <summary>Entries found damaged and removed since the store opened.</summary>
    public long DamagedEntries => Interlocked.Read(ref _damaged);

    public override async ValueTask<PublishedContent?> LoadAsync(string contentId, CancellationToken cancellationToken)
    {
        // The directory belongs to this store alone (one origin per cache directory), so a remembered entry is current.
        if (_recent.TryGetValue(contentId, out PublishedContent? recent))
        {
            return recent;
        }

        string path = GetPath(contentId);
        byte[] bytes;
        try
        {
            var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                if (file.Length > MaxEntryLength)
                {
                    bytes = [];
                }
                else
                {
                    bytes = new byte[file.Length];
                    await file.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (EndOfStreamException)
        {
            // Shrunk while being read: another writer replaced it; the next lookup sees the new entry.
            return null;
        }

        PublishedContent? content = PublishedContentFile.TryDecode(bytes);
        if (content is null)
        {
            Interlocked.Increment(ref _damaged);
            TryDelete(path);
            return null;
        }

        // A different identifier under the same hash name is impossible in practice; never hand out its hashes anyway.
        if (!string.Equals(content.ContentId, contentId, StringComparison.Ordinal))
        {
            return null;
        }

        Remember(content);
        return content;
    }

    public override async ValueTask SaveAsync(PublishedContent content, CancellationToken cancellationToken)
    {
        string path = GetPath(content.ContentId);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temporary = path + "." + Guid.NewGuid().ToString("N") + TemporaryExtension;
        byte[] bytes = PublishedContentFile.Encode(content);
        try
        {
            var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                await file.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
            Remember(content);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    public override ValueTask<bool> RemoveAsync(string contentId, CancellationToken cancellationToken)
    {
        _recent.TryRemove(contentId, out _);
        string path = GetPath(contentId);
        bool existed = File.Exists(path);
        TryDelete(path);
        return ValueTask.FromResult(existed);
    }

    private void Remember(PublishedContent content)
    {
        if (_recent.Count >= MaxRecentEntries)
        {
            // Crude but bounded: forget an arbitrary entry; it is read from disk again when asked for.
            foreach (string key in _recent.Keys)
            {
                _recent.TryRemove(key, out _);
                break;
            }
        }

        _recent[content.ContentId] = content;
    }

    private string GetPath(string contentId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(contentId), hash);
        string name = Convert.ToHexStringLower(hash);
        return Path.Combine(_root, name[..2], name + Extension);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a file in use is retried at the next open.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
