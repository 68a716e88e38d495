using System.Diagnostics;

namespace PeerDist.BranchOffice;

/// <summary>Runs short external commands (<c>ip</c>, <c>tc</c>, <c>bridge</c>), each bounded in time.</summary>
internal static class Shell
{
    /// <summary>The bound on one topology command: they take milliseconds, so anything near this is a hang.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Runs <paramref name="file"/> and returns its standard output; throws when it fails or times out.</summary>
    public static async Task<string> RunAsync(string file, IReadOnlyList<string> arguments, TimeSpan? timeout = null, bool check = true)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = info };
        process.Start();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{Describe(file, arguments)}' did not finish within {(timeout ?? DefaultTimeout).TotalSeconds:0} s.");
        }

        string stdout = await output;
        string stderr = await error;
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{Describe(file, arguments)}' failed with exit code {process.ExitCode}: {stderr.Trim()}");
        }

        return stdout;
    }

    /// <summary>Runs <c>ip ARGS</c>.</summary>
    public static Task<string> IpAsync(params string[] arguments) => RunAsync("ip", arguments);

    /// <summary>Runs a command inside a network namespace (<c>ip netns exec NS ...</c>).</summary>
    public static Task<string> InNamespaceAsync(string ns, params string[] arguments) =>
        RunAsync("ip", ["netns", "exec", ns, .. arguments]);

    /// <summary>Whether <paramref name="file"/> is on the PATH.</summary>
    public static bool IsOnPath(string file)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':'))
        {
            if (directory.Length > 0 && File.Exists(Path.Combine(directory, file)))
            {
                return true;
            }
        }

        return false;
    }

    public static string Describe(string file, IReadOnlyList<string> arguments) => $"{file} {string.Join(' ', arguments)}";
}
