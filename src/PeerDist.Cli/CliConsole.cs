namespace PeerDist.Cli;

/// <summary>
/// The standard streams the tool talks to and what it knows about them. <see cref="Program.Main"/> uses the process's
/// own; tests pass memory streams and say whether each stream should count as a terminal.
/// </summary>
internal sealed class CliConsole
{
    /// <summary>The default file size from which a progress bar is drawn (when standard error is a terminal).</summary>
    public const long DefaultProgressThreshold = 64L * 1024 * 1024;

    /// <summary>Standard output, as bytes: content information is binary and is never written as text.</summary>
    public required Stream Out { get; init; }

    /// <summary>Standard error: diagnostics and the progress bar.</summary>
    public required TextWriter Error { get; init; }

    /// <summary>Standard input, read when a file argument is <c>-</c>.</summary>
    public Stream In { get; init; } = Stream.Null;

    /// <summary>False when standard output is a terminal (binary output is then refused unless asked for with <c>-o -</c>).</summary>
    public bool IsOutputRedirected { get; init; } = true;

    /// <summary>False when standard error is a terminal (a progress bar may then be drawn).</summary>
    public bool IsErrorRedirected { get; init; } = true;

    /// <summary>The file size from which a progress bar is drawn.</summary>
    public long ProgressThreshold { get; init; } = DefaultProgressThreshold;

    /// <summary>The shortest time between two redraws of the progress bar.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The clock of the progress bar.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The process's own standard streams.</summary>
    public static CliConsole CreateSystem() => new()
    {
        Out = Console.OpenStandardOutput(),
        Error = Console.Error,
        In = Console.OpenStandardInput(),
        IsOutputRedirected = Console.IsOutputRedirected,
        IsErrorRedirected = Console.IsErrorRedirected,
    };
}
