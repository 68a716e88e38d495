using PeerDist.Client;

namespace PeerDist.BranchOffice;

/// <summary>The one place the testbed asks the library to download a whole content (agents and the crowd).</summary>
internal static class Download
{
    /// <summary>The library's defaults: the cooperative swarm download (own block order, re-probing, short peer wait).</summary>
    public static PeerDistDownloadOptions Options { get; } = new();

    public static Task RunAsync(PeerDistContent content, CancellationToken cancellationToken) =>
        content.DownloadAsync(Options, cancellationToken);
}
