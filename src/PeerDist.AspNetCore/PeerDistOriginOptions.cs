using PeerDist.Content;

namespace PeerDist.AspNetCore;

/// <summary>
/// The settings of the PeerDist origin (<c>services.AddPeerDistOrigin(options =&gt; …)</c>). Set through the options
/// pattern, so the properties are settable; they are validated once, when the origin starts, and read-only afterwards.
/// </summary>
public sealed class PeerDistOriginOptions
{
    /// <summary>Windows' threshold: content below 64 KiB is never served as peerdist.</summary>
    public const long DefaultMinimumContentLength = 64 * 1024;

    /// <summary>
    /// The server secret as raw key bytes (MS-PCCRC 2.5). Exactly one of <see cref="ServerSecretKey"/>,
    /// <see cref="ServerSecretPassphrase"/> and <see cref="ServerSecretKeyFile"/> must be set.
    /// </summary>
    public byte[]? ServerSecretKey { get; set; }

    /// <summary>The server secret as a passphrase, as <c>netsh branchcache set key "passphrase"</c> takes it.</summary>
    public string? ServerSecretPassphrase { get; set; }

    /// <summary>
    /// The path of a key file written by <c>netsh branchcache exportkey</c>, decrypted with
    /// <see cref="ServerSecretKeyFilePassword"/>: the origin then hands out the same hashes as the Windows servers
    /// sharing that key.
    /// </summary>
    public string? ServerSecretKeyFile { get; set; }

    /// <summary>The password of <see cref="ServerSecretKeyFile"/>.</summary>
    public string? ServerSecretKeyFilePassword { get; set; }

    /// <summary>Where content information is kept across restarts. Null (default): in memory, regenerated after a restart.</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>Content shorter than this many bytes is always served plain (default 65536, as Windows).</summary>
    public long MinimumContentLength { get; set; } = DefaultMinimumContentLength;

    /// <summary>How many content information generations run at once (default 2).</summary>
    public int MaxConcurrentGenerations { get; set; } = 2;

    /// <summary>Threads each generation hashes on (default 1); -1 for one per processor.</summary>
    public int HashingParallelism { get; set; } = 1;

    /// <summary>
    /// How long a request carrying <c>X-P2P-PeerDistEx: HashRequest=true</c> waits for a generation that is not finished
    /// (default 5 seconds). Zero: never wait. Other requests never wait: they get the plain content and
    /// <c>MakeHashRequest=true</c>.
    /// </summary>
    public TimeSpan HashRequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The highest content information version offered (default V2). V1 makes the origin behave like Windows Server
    /// 2008 R2 and halves the hashing work.
    /// </summary>
    public ContentInformationVersion MaxContentInformationVersion { get; set; } = ContentInformationVersion.V2;

    /// <summary>
    /// Whether file responses that no endpoint produced (the static file middleware) may be served as peerdist
    /// (default true). Endpoints opt in with <c>.WithPeerDist()</c> or <see cref="PeerDistAttribute"/>.
    /// </summary>
    public bool StaticFiles { get; set; } = true;

    /// <summary>The reasons these options cannot be used; empty when they are valid.</summary>
    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        int secrets = (ServerSecretKey is not null ? 1 : 0) + (ServerSecretPassphrase is not null ? 1 : 0) + (ServerSecretKeyFile is not null ? 1 : 0);
        if (secrets != 1)
        {
            errors.Add($"Set exactly one of {nameof(ServerSecretKey)}, {nameof(ServerSecretPassphrase)} and {nameof(ServerSecretKeyFile)} (found {secrets}).");
        }

        if (ServerSecretKey is { Length: 0 })
        {
            errors.Add($"{nameof(ServerSecretKey)} must not be empty.");
        }

        if (ServerSecretPassphrase is { Length: 0 })
        {
            errors.Add($"{nameof(ServerSecretPassphrase)} must not be empty.");
        }

        if (ServerSecretKeyFile is not null && ServerSecretKeyFilePassword is null)
        {
            errors.Add($"{nameof(ServerSecretKeyFile)} needs {nameof(ServerSecretKeyFilePassword)}.");
        }

        if (CacheDirectory is { Length: 0 })
        {
            errors.Add($"{nameof(CacheDirectory)} must not be empty; leave it null to keep content information in memory.");
        }

        if (MinimumContentLength < 1)
        {
            errors.Add($"{nameof(MinimumContentLength)} must be at least 1 (content information describes at least one byte).");
        }

        if (MaxConcurrentGenerations < 1)
        {
            errors.Add($"{nameof(MaxConcurrentGenerations)} must be at least 1.");
        }

        if (HashingParallelism == 0 || HashingParallelism < -1)
        {
            errors.Add($"{nameof(HashingParallelism)} must be -1 (all processors) or a positive count.");
        }

        if (HashRequestTimeout < TimeSpan.Zero && HashRequestTimeout != Timeout.InfiniteTimeSpan)
        {
            errors.Add($"{nameof(HashRequestTimeout)} must be zero or positive.");
        }

        if (MaxContentInformationVersion is not (ContentInformationVersion.V1 or ContentInformationVersion.V2))
        {
            errors.Add($"{nameof(MaxContentInformationVersion)} must be V1 or V2.");
        }

        return errors;
    }
}
