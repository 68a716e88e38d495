using System.CommandLine;

namespace PeerDist.Cli;

/// <summary><c>peerdist cache status|clear|export|import</c>: look after a node's cache directory while no node runs on it.</summary>
internal static class CacheCommand
{
    public const string Name = "cache";

    public static Command Create(CliConsole console) =>
        new(Name, "Show, clear, export or import the contents of a cache directory (not while a node runs on it).")
        {
            CacheStatusCommand.Create(console),
            CacheClearCommand.Create(console),
            CacheExportCommand.Create(console),
            CacheImportCommand.Create(console),
        };

    /// <summary>The required <c>--cache DIR</c> option of every cache command.</summary>
    public static Option<string> CacheOption() => new("--cache")
    {
        Description = "The cache directory (as given to 'peerdist serve --cache').",
        HelpName = "DIR",
        Required = true,
    };

    /// <summary>Writes text lines to standard output.</summary>
    public static async Task WriteLinesAsync(CliConsole console, IEnumerable<string> lines, CancellationToken cancellationToken)
    {
        var writer = new StreamWriter(console.Out, new System.Text.UTF8Encoding(false), 4096, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            foreach (string line in lines)
            {
                await writer.WriteLineAsync(line.AsMemory(), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
