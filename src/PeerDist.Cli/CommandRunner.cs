using System.CommandLine;

namespace PeerDist.Cli;

/// <summary>Runs a command's body and turns every expected failure into an exit code and one line on standard error.</summary>
internal static class CommandRunner
{
    /// <summary>The prefix of every error line.</summary>
    public const string ErrorPrefix = "peerdist: error: ";

    /// <summary>Binds <paramref name="body"/> as the action of <paramref name="command"/>, with the tool's error handling.</summary>
    public static void SetAction(Command command, CliConsole console, Func<ParseResult, CancellationToken, Task<int>> body) =>
        command.SetAction((result, cancellationToken) => RunAsync(console, command.Name, result, body, cancellationToken));

    /// <summary>Writes a usage error line that points at the command's help.</summary>
    public static void WriteUsageError(CliConsole console, string commandName, string message)
    {
        string help = commandName.Length == 0 ? "peerdist --help" : $"peerdist {commandName} --help";
        console.Error.WriteLine($"{ErrorPrefix}{InputFiles.OneLine(message)} (see '{help}')");
        console.Error.Flush();
    }

    /// <summary>Writes a bad-input error line.</summary>
    public static void WriteError(CliConsole console, string message)
    {
        console.Error.WriteLine($"{ErrorPrefix}{InputFiles.OneLine(message)}");
        console.Error.Flush();
    }

    /// <summary>Writes a warning line (the command goes on).</summary>
    public static void WriteWarning(CliConsole console, string message)
    {
        console.Error.WriteLine($"peerdist: warning: {InputFiles.OneLine(message)}");
        console.Error.Flush();
    }

    private static async Task<int> RunAsync(
        CliConsole console,
        string commandName,
        ParseResult result,
        Func<ParseResult, CancellationToken, Task<int>> body,
        CancellationToken cancellationToken)
    {
        try
        {
            return await body(result, cancellationToken).ConfigureAwait(false);
        }
        catch (CliException e) when (e.IsUsageError)
        {
            WriteUsageError(console, commandName, e.Message);
            return ExitCodes.Usage;
        }
        catch (CliException e)
        {
            WriteError(console, e.Message);
            return e.ExitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.Error.WriteLine("peerdist: cancelled");
            console.Error.Flush();
            return ExitCodes.Cancelled;
        }
        catch (PeerDistFormatException e)
        {
            WriteError(console, e.Message);
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Reading content or writing output failed after the file was opened (a disk error, a closed pipe).
            WriteError(console, e.Message);
            return ExitCodes.BadInput;
        }
    }
}
