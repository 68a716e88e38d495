using System.CommandLine;
using System.Globalization;

namespace PeerDist.BranchOffice;

/// <summary><c>run</c>: the orchestrator's options, the smoke preset and the pre-flight checks (exit 2).</summary>
internal static class RunCommand
{
    public const int ExitPreflight = 2;

    public static Command Create()
    {
        var peers = new Option<int>("--peers") { Description = "Distributed-mode peers (default 8; smoke 3)." };
        var size = new Option<string>("--size") { Description = "Content size, e.g. 128M (binary units; default 128 MiB; smoke 16 MiB)." };
        var largeSize = new Option<string>("--large-size") { Description = "The large size of scenarios 6 and 7 (default 1G)." };
        var wan = new Option<double>("--wan-rate") { Description = "WAN rate in Mbit/s (default 80; smoke 40)." };
        var lan = new Option<string>("--lan-rate") { Description = "LAN cap per node in Mbit/s: one value, or a comma list (one per node; the last repeats). Default 120." };
        var hcLan = new Option<double>("--hc-lan-rate") { Description = "The hosted cache's LAN cap in Mbit/s (default 1000)." };
        var scenarios = new Option<string>("--scenarios") { Description = "Comma list of scenarios (default 1,2,3,4,5,6,7; smoke 1,3,4)." };
        var output = new Option<string>("--out") { Description = "Output folder (default benchmarks/branch-office/out/<timestamp>)." };
        var smoke = new Option<bool>("--smoke") { Description = "The CI preset: 3 peers, 16 MiB, scenarios 1,3,4, WAN 40 Mbit/s (options given explicitly still apply)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the generated content (default 7)." };
        var crowdNodes = new Option<int>("--crowd-nodes") { Description = "Nodes of the flash crowd, scenario 5 (default 64)." };
        var crowdSize = new Option<string>("--crowd-size") { Description = "Content size of scenario 5 (default 16M: 64 in-memory caches in one process)." };
        var reads = new Option<int>("--reads") { Description = "Random reads of scenario 6 (default 200)." };
        var ciVersion = new Option<int>("--ci-version") { Description = "Highest content information version asked of the origin: 1 or 2 (default 1)." };
        var discoveryWait = new Option<int>("--discovery-wait-ms") { Description = "The nodes' discovery wait (default: the library's, 300 ms)." };
        var mtu = new Option<int>("--mtu") { Description = "MTU of the lab links (default 9000, jumbo frames; 1500 for Ethernet's, at a much higher CPU cost)." };

        var command = new Command("run", "Build the lab, run the scenarios, report, remove the lab.")
        {
            peers, size, largeSize, wan, lan, hcLan, scenarios, output, smoke, seed, crowdNodes, crowdSize, reads, ciVersion, discoveryWait, mtu,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (Preflight() is { } problem)
            {
                await Console.Error.WriteLineAsync("branch-office: " + problem);
                return ExitPreflight;
            }

            bool isSmoke = result.GetValue(smoke);
            T Pick<T>(Option<T> option, T normal, T smokeValue) =>
                result.GetResult(option) is not null ? result.GetValue(option)! : isSmoke ? smokeValue : normal;

            string stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
            string defaultOut = Path.Combine(Orchestrator.RepoRoot ?? Environment.CurrentDirectory, "benchmarks", "branch-office", "out", stamp);
            RunSettings settings;
            try
            {
                settings = new RunSettings
                {
                    Peers = Pick(peers, 8, 3),
                    SizeBytes = ParseSize(Pick(size, "128M", "16M")),
                    LargeSizeBytes = ParseSize(Pick(largeSize, "1G", "1G")),
                    WanMbit = Pick(wan, 80.0, 40.0),
                    LanMbit = [.. Pick(lan, "120", "120").Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture))],
                    HostedCacheLanMbit = Pick(hcLan, 1000.0, 1000.0),
                    Scenarios = [.. Pick(scenarios, "1,2,3,4,5,6,7", "1,3,4").Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture))],
                    OutputDirectory = Path.GetFullPath(result.GetValue(output) ?? defaultOut),
                    Smoke = isSmoke,
                    Seed = Pick(seed, 7, 7),
                    CrowdNodes = Pick(crowdNodes, 64, 64),
                    CrowdSizeBytes = ParseSize(Pick(crowdSize, "16M", "16M")),
                    StreamReads = Pick(reads, 200, 200),
                    ContentInformationVersion = Pick(ciVersion, 1, 1),
                    DiscoveryWaitMs = result.GetResult(discoveryWait) is not null ? result.GetValue(discoveryWait) : null,
                    Mtu = Pick(mtu, 9000, 9000),
                };
            }
            catch (FormatException ex)
            {
                await Console.Error.WriteLineAsync("branch-office: " + ex.Message);
                return ExitPreflight;
            }

            if (settings.Peers is < 2 or > 200 || settings.SizeBytes <= 0 || settings.WanMbit <= 0 || settings.LanMbit.Any(v => v <= 0)
                || settings.ContentInformationVersion is not (1 or 2) || settings.Scenarios.Any(s => s is < 1 or > 7))
            {
                await Console.Error.WriteLineAsync("branch-office: --peers 2..200, sizes and rates > 0, --ci-version 1 or 2, scenarios 1..7");
                return ExitPreflight;
            }

            return await new Orchestrator(settings, Console.Out).RunAsync(cancellationToken);
        });
        return command;
    }

    /// <summary>Why the lab cannot be built here, or null.</summary>
    public static string? Preflight()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "the testbed needs Linux network namespaces";
        }

        if (!Environment.IsPrivilegedProcess)
        {
            return "run as root: the testbed creates network namespaces (sudo bash benchmarks/branch-office/run.sh)";
        }

        foreach (string tool in new[] { "ip", "tc", "bridge" })
        {
            if (!Shell.IsOnPath(tool))
            {
                return $"'{tool}' was not found: install iproute2";
            }
        }

        return null;
    }

    /// <summary>Bytes, or a number with K, M, G (binary: 16M = 16 MiB), optionally followed by "iB" or "B".</summary>
    public static long ParseSize(string text)
    {
        string t = text.Trim().ToUpperInvariant();
        if (t.EndsWith("IB", StringComparison.Ordinal))
        {
            t = t[..^2];
        }
        else if (t.EndsWith('B'))
        {
            t = t[..^1];
        }

        long unit = 1;
        if (t.Length > 0 && char.IsLetter(t[^1]))
        {
            unit = t[^1] switch
            {
                'K' => 1024L,
                'M' => 1024L * 1024,
                'G' => 1024L * 1024 * 1024,
                _ => throw new FormatException($"'{text}' is not a size (bytes or a number with K, M or G)"),
            };
            t = t[..^1];
        }

        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value > 0
            ? (long)(value * unit)
            : throw new FormatException($"'{text}' is not a size (bytes or a number with K, M or G)");
    }
}
