using System.CommandLine;

namespace PeerDist.Cli;

/// <summary>The command tree of the <c>peerdist</c> tool.</summary>
internal static class PeerDistCommand
{
    public static RootCommand Create(CliConsole console) =>
        new("peerdist: BranchCache (Peer Distribution) tools. Exit codes: 0 success, 1 bad input, 2 usage error, 130 interrupted.")
        {
            HashCommand.Create(console),
            InspectCommand.Create(console),
        };
}
