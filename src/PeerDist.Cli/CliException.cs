namespace PeerDist.Cli;

/// <summary>A failure the tool reports as one line on standard error, with the exit code it maps to.</summary>
internal sealed class CliException : Exception
{
    public CliException()
        : this(ExitCodes.BadInput, "failed")
    {
    }

    public CliException(string message)
        : this(ExitCodes.BadInput, message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
        ExitCode = ExitCodes.BadInput;
    }

    private CliException(int exitCode, string message)
        : base(message)
    {
        ExitCode = exitCode;
    }

    /// <summary><see cref="ExitCodes.BadInput"/> or <see cref="ExitCodes.Usage"/>.</summary>
    public int ExitCode { get; }

    /// <summary>Whether this is a command-line mistake (exit 2), reported with a pointer to the command's help.</summary>
    public bool IsUsageError => ExitCode == ExitCodes.Usage;

    /// <summary>A command-line mistake: exit 2.</summary>
    public static CliException Usage(string message) => new(ExitCodes.Usage, message);

    /// <summary>Bad input (a file, its contents, a password): exit 1.</summary>
    public static CliException BadInput(string message) => new(ExitCodes.BadInput, message);
}
