using PeerDist.Client;

namespace PeerDist.BranchOffice;

/// <summary>The one place the testbed asks the library to download a whole content (agents and the crowd).</summary>
internal static class Download
{
    public static Task RunAsync(PeerDistContent content, CancellationToken cancellationToken) =>
        content.DownloadAsync(cancellationToken);
}
