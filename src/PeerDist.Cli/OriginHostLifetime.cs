using Microsoft.Extensions.Hosting;

namespace PeerDist.Cli;

/// <summary>
/// The host lifetime of <c>peerdist origin</c>: does nothing. The default console lifetime would install its own Ctrl-C
/// and SIGTERM handlers and print start-up banners; the tool already owns Ctrl-C (<see cref="Program.Main"/> cancels the
/// command's token, and the command stops the web host itself).
/// </summary>
internal sealed class OriginHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
