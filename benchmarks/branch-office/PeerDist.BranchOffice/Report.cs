using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PeerDist.BranchOffice;

/// <summary>The run's table on standard output and <c>results.json</c>.</summary>
internal sealed class Report
{
    private readonly RunSettings _settings;
    private readonly IReadOnlyList<ScenarioResult> _results;
    private readonly TimeSpan _elapsed;

    public Report(RunSettings settings, IReadOnlyList<ScenarioResult> results, TimeSpan elapsed)
    {
        _settings = settings;
        _results = results;
        _elapsed = elapsed;
    }

    public void WriteTable(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Branch-office testbed: {_settings.Peers} peers, {Orchestrator.FormatSize(_settings.SizeBytes)}, WAN {_settings.WanMbit} Mbit/s, LAN {string.Join(',', _settings.LanMbit)} Mbit/s, {Environment.ProcessorCount} cores, {_elapsed.TotalSeconds:0} s"));
        output.WriteLine("| # | Scenario | Figure | Goal | Result |");
        output.WriteLine("|---|---|---|---|---|");
        foreach (ScenarioResult r in _results)
        {
            if (r.Error is not null)
            {
                output.WriteLine($"| {r.Id} | {r.Title} | could not run: {r.Error.Split('\n')[0]} | | ERROR |");
                continue;
            }

            foreach (Figure f in r.Figures)
            {
                output.WriteLine($"| {r.Id} | {r.Title} | {f.Name}: {f.Value} | {f.Goal} | {f.Verdict} |");
            }

            foreach (string note in r.Notes)
            {
                output.WriteLine($"  note ({r.Id}): {note}");
            }
        }
    }

    public async Task WriteJsonAsync(string path)
    {
        var scenarios = new JsonArray();
        foreach (ScenarioResult r in _results)
        {
            scenarios.Add(r.ToJson());
        }

        var root = new JsonObject
        {
            ["machine"] = new JsonObject
            {
                ["cores"] = Environment.ProcessorCount,
                ["kernel"] = ReadKernel(),
                ["os"] = RuntimeInformation.OSDescription,
                ["dotnet"] = RuntimeInformation.FrameworkDescription,
                ["memoryBytes"] = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
            },
            ["commit"] = await ReadCommitAsync(),
            ["started"] = DateTime.UtcNow.Subtract(_elapsed).ToString("O", CultureInfo.InvariantCulture),
            ["elapsedSeconds"] = Math.Round(_elapsed.TotalSeconds, 1),
            ["settings"] = new JsonObject
            {
                ["peers"] = _settings.Peers,
                ["sizeBytes"] = _settings.SizeBytes,
                ["largeSizeBytes"] = _settings.LargeSizeBytes,
                ["crowdNodes"] = _settings.CrowdNodes,
                ["crowdSizeBytes"] = _settings.CrowdSizeBytes,
                ["wanMbit"] = _settings.WanMbit,
                ["lanMbit"] = new JsonArray([.. _settings.LanMbit.Select(v => (JsonNode?)JsonValue.Create(v))]),
                ["hostedCacheLanMbit"] = _settings.HostedCacheLanMbit,
                ["shaping"] = "tc tbf on both ends of each veth (burst ~4 ms of traffic, >= 16 KiB; latency 50 ms)",
                ["mtu"] = _settings.Mtu,
                ["contentInformationVersion"] = _settings.ContentInformationVersion,
                ["discoveryWaitMs"] = _settings.DiscoveryWaitMs,
                ["scenarios"] = new JsonArray([.. _settings.Scenarios.Select(v => (JsonNode?)JsonValue.Create(v))]),
                ["smoke"] = _settings.Smoke,
                ["seed"] = _settings.Seed,
            },
            ["scenarios"] = scenarios,
        };
        await File.WriteAllTextAsync(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static string ReadKernel()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        }
        catch (IOException)
        {
            return RuntimeInformation.OSDescription;
        }
    }

    private static async Task<string?> ReadCommitAsync()
    {
        if (Orchestrator.RepoRoot is not { } root || !Directory.Exists(root))
        {
            return null;
        }

        try
        {
            string head = await Shell.RunAsync("git", ["-C", root, "rev-parse", "HEAD"], TimeSpan.FromSeconds(10));
            string dirty = await Shell.RunAsync("git", ["-C", root, "status", "--porcelain", "--untracked-files=no"], TimeSpan.FromSeconds(10));
            return head.Trim() + (dirty.Trim().Length > 0 ? " (modified)" : string.Empty);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
