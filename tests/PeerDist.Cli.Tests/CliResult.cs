using System.Text;

namespace PeerDist.Cli.Tests;

/// <summary>What one run of the tool produced.</summary>
internal sealed record CliResult(int ExitCode, byte[] Stdout, string Stderr)
{
    /// <summary>Standard output as UTF-8 text.</summary>
    public string Output => Encoding.UTF8.GetString(Stdout);

    /// <summary>The non-empty lines of standard error.</summary>
    public IReadOnlyList<string> ErrorLines =>
        [.. Stderr.Split('\n').Select(line => line.TrimEnd('\r')).Where(line => line.Length > 0)];

    public override string ToString() => $"exit {ExitCode}, stderr: {Stderr}";
}
