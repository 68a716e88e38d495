using PeerDist.Client;

namespace PeerDist.BranchOffice;

/// <summary>The one place the testbed asks the library to download a whole content (agents and the crowd).</summary>
internal static class Download
{
    /// <summary>The library's defaults: the cooperative swarm download (own block order, re-probing, short peer wait).</summary>
    public static PeerDistDownloadOptions Options { get; } = new();

    /// <summary>
    /// Downloads the whole content; returns whether <see cref="PeerDistContent.IsFlashCrowd"/> was seen true while it ran
    /// (sampled every 100 ms: the signal belongs to the running download).
    /// </summary>
    public static async Task<bool> RunAsync(PeerDistContent content, CancellationToken cancellationToken)
    {
        Task download = content.DownloadAsync(Options, cancellationToken);
        bool flashCrowd = false;
        while (!download.IsCompleted)
        {
            flashCrowd |= content.IsFlashCrowd;
            await Task.WhenAny(download, Task.Delay(100, cancellationToken));
        }

        await download;
        return flashCrowd;
    }
}
