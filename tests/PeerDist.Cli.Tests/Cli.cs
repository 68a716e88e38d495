namespace PeerDist.Cli.Tests;

/// <summary>Runs the tool in-process, as a user would run it, and captures what it writes.</summary>
internal static class Cli
{
    /// <summary>The server secret of the derived vectors: the ASCII bytes of "no more secrets".</summary>
    public const string NoMoreSecretsHex = "6e6f206d6f72652073656372657473";

    /// <summary>Runs <c>peerdist</c> with <paramref name="args"/>; standard output and error are not terminals.</summary>
    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(args, new CliOptions());

    public static async Task<CliResult> RunAsync(string[] args, CliOptions options, CancellationToken cancellationToken = default)
    {
        using var stdout = new MemoryStream();
        using var stderr = new StringWriter();
        var console = new CliConsole
        {
            Out = stdout,
            Error = stderr,
            In = options.Stdin ?? Stream.Null,
            IsOutputRedirected = !options.StdoutIsTerminal,
            IsErrorRedirected = !options.StderrIsTerminal,
            ProgressThreshold = options.ProgressThreshold,
            ProgressInterval = TimeSpan.Zero,
        };
        int exitCode = await Program.RunAsync(args, console, cancellationToken);
        return new CliResult(exitCode, stdout.ToArray(), stderr.ToString());
    }
}

/// <summary>How the in-process console should look to the tool.</summary>
internal sealed record CliOptions
{
    public Stream? Stdin { get; init; }

    public bool StdoutIsTerminal { get; init; }

    public bool StderrIsTerminal { get; init; }

    public long ProgressThreshold { get; init; } = CliConsole.DefaultProgressThreshold;
}
