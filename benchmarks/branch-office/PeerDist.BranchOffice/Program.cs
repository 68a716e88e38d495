using System.CommandLine;
using System.Runtime.InteropServices;

namespace PeerDist.BranchOffice;

/// <summary>
/// The branch-office testbed. <c>run</c> is the orchestrator (needs root, <c>ip</c> and <c>tc</c>); <c>agent</c>,
/// <c>crowd</c>, <c>warm</c> and <c>plain-get</c> are the children it starts inside the lab's namespaces.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using var cancellation = new CancellationTokenSource();

        // The first Ctrl-C cancels the run, which then removes the lab; a second one ends the process (the process-exit
        // handler still kills the children and deletes the namespaces).
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (!cancellation.IsCancellationRequested)
            {
                e.Cancel = true;
                cancellation.Cancel();
            }
        };
        Console.CancelKeyPress += onCancel;

        // SIGTERM and SIGHUP (a CI time-out, a closed terminal) take the same path as Ctrl-C: cancel, clean up, exit.
        using PosixSignalRegistration? onTerm = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        using PosixSignalRegistration? onHangUp = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGHUP, Cancel);
        try
        {
            var root = new RootCommand("PeerDist branch-office testbed: a WAN, a LAN and real nodes in network namespaces.")
            {
                RunCommand.Create(),
                AgentCommand.Create(),
                CrowdCommand.Create(),
                UtilityCommands.CreateWarm(),
                UtilityCommands.CreatePlainGet(),
            };
            return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, cancellation.Token);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }

        void Cancel(PosixSignalContext context)
        {
            if (!cancellation.IsCancellationRequested)
            {
                context.Cancel = true;
                cancellation.Cancel();
            }
        }
    }
}
