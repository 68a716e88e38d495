using System.CommandLine;

namespace PeerDist.Cli;

/// <summary>The command tree of the <c>peerdist</c> tool.</summary>
internal static class PeerDistCommand
{
    /// <summary>The command's name, as users type it (the tool's ToolCommandName).</summary>
    public const string ToolName = "peerdist";

    public static RootCommand Create(CliConsole console)
    {
        var root = new RootCommand("peerdist: BranchCache (Peer Distribution) tools. Exit codes: 0 success, 1 bad input, 2 usage error, 130 interrupted.")
        {
            HashCommand.Create(console),
            InspectCommand.Create(console),
            ServeCommand.Create(console),
            CacheCommand.Create(console),
            StatusCommand.Create(console),
            OriginCommand.Create(console),
            GetCommand.Create(console),
            DemoCommand.Create(console),
            HostedCacheCommand.Create(console),
        };
        return root;
    }
}
