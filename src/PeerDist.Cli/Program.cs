using System.CommandLine;
using System.CommandLine.Invocation;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PeerDist.Cli;

/// <summary>The entry point of the <c>peerdist</c> tool.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using var cancellation = new CancellationTokenSource();

        // The first Ctrl-C cancels the work cleanly (exit 130); a second one ends the process the hard way.
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (!cancellation.IsCancellationRequested)
            {
                e.Cancel = true;
                cancellation.Cancel();
            }
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return await RunAsync(args, CliConsole.CreateSystem(), cancellation.Token).ConfigureAwait(false);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>Runs the tool in-process with the given output streams; neither stream is a terminal.</summary>
    internal static Task<int> RunAsync(string[] args, Stream stdout, TextWriter stderr, CancellationToken cancellationToken = default) =>
        RunAsync(args, new CliConsole { Out = stdout, Error = stderr }, cancellationToken);

    /// <summary>Runs the tool in-process against <paramref name="console"/>.</summary>
    internal static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(console);

        RootCommand root = PeerDistCommand.Create(console);
        ParseResult parsed = root.Parse(args);
        if (parsed.Action is ParseErrorAction)
        {
            // System.CommandLine would print the error and the whole help; the tool prints one line and exits 2.
            string command = parsed.CommandResult.Command is RootCommand ? string.Empty : parsed.CommandResult.Command.Name;
            string message = parsed.UnmatchedTokens.Count > 0
                ? $"unknown command, option or argument '{parsed.UnmatchedTokens[0]}'"
                : parsed.Errors.Count > 0 ? parsed.Errors[0].Message : "invalid command line";
            CommandRunner.WriteUsageError(console, command, message);
            return ExitCodes.Usage;
        }

        // Help and --version write text to standard output; it is gathered first so the usage lines can name the tool.
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var output = new StreamWriter(console.Out, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 4096, leaveOpen: true);
        await using (output.ConfigureAwait(false))
        {
            var configuration = new InvocationConfiguration
            {
                Output = text,
                Error = console.Error,
                EnableDefaultExceptionHandler = false,

                // Ctrl-C is handled by Main, which cancels the token; System.CommandLine must not install its own handler.
                ProcessTerminationTimeout = null,
            };
            try
            {
                return await parsed.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await output.WriteAsync(UseToolName(text.ToString(), root.Name)).ConfigureAwait(false);
                await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The root command is named after the executable: "PeerDist.Cli" (the assembly cannot be called "peerdist", since
    /// assembly names compare case-insensitively and the node assembly is "PeerDist"), or "testhost" in-process. The help's
    /// usage lines name the tool as users type it.
    /// </summary>
    internal static string UseToolName(string helpText, string rootName) =>
        rootName == PeerDistCommand.ToolName || helpText.Length == 0
            ? helpText
            : Regex.Replace(helpText, "^(\\s+)" + Regex.Escape(rootName) + "(?=\\s|$)", "$1" + PeerDistCommand.ToolName, RegexOptions.Multiline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}
