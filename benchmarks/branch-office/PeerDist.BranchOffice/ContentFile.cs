using System.Security.Cryptography;

namespace PeerDist.BranchOffice;

/// <summary>A generated content file served by the origin: seeded random bytes, and their SHA-256.</summary>
internal sealed record ContentFile(string Name, string Path, long Length, string Sha256)
{
    public Uri Url => new($"http://{Topology.OriginAddress}/{Name}");

    /// <summary>Writes <paramref name="length"/> seeded random bytes to DIR/NAME and hashes them on the way.</summary>
    public static async Task<ContentFile> CreateAsync(string directory, string name, long length, int seed, CancellationToken cancellationToken)
    {
        string path = System.IO.Path.Combine(directory, name);
        var random = new Random(seed);
        byte[] buffer = new byte[1024 * 1024];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1, FileOptions.Asynchronous))
        {
            for (long written = 0; written < length;)
            {
                int count = (int)Math.Min(buffer.Length, length - written);
                random.NextBytes(buffer.AsSpan(0, count));
                hash.AppendData(buffer, 0, count);
                await file.WriteAsync(buffer.AsMemory(0, count), cancellationToken);
                written += count;
            }
        }

        return new ContentFile(name, path, length, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }
}
