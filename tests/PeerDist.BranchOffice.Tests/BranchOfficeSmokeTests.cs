using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace PeerDist.BranchOffice.Tests;

/// <summary>
/// Runs the branch-office testbed's smoke preset (3 peers, 16 MiB, scenarios 1, 3 and 4 over a 40 Mbit/s WAN in network
/// namespaces) as a child process and checks what must hold on any machine: every download completed and verified,
/// scenario 1 pulled the content over the WAN about once, scenario 4's survivors all completed with zero unverified bytes.
/// Throughput and latency goals are printed, not asserted: a busy CI machine may miss them without a bug.
/// </summary>
[TestFixture]
[Category("Namespaces")]
[CancelAfter(180_000)]
public sealed class BranchOfficeSmokeTests
{
    /// <summary>The smoke run is meant to take under 60 s; this bound only stops a hung run.</summary>
    private static readonly TimeSpan s_hardLimit = TimeSpan.FromSeconds(150);

    [Test]
    public async Task Smoke_ThreePeers_AllDownloadsCompleteVerifiedAndWanCarriesOneCopy(CancellationToken cancellationToken)
    {
        await RequireNamespacesAsync(cancellationToken);
        string dll = typeof(BranchOfficeSmokeTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "BranchOfficePath").Value!;
        Assert.That(File.Exists(dll), Is.True, $"the testbed was not built at {dll}");

        string output = Path.Combine(Path.GetTempPath(), $"pdbo-test-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            var watch = Stopwatch.StartNew();
            (int exitCode, string stdout) = await RunAsync("dotnet", [dll, "run", "--smoke", "--out", output], s_hardLimit, cancellationToken);
            TimeSpan elapsed = watch.Elapsed;
            await TestContext.Out.WriteLineAsync(stdout);
            await TestContext.Out.WriteLineAsync($"smoke run: {elapsed.TotalSeconds:0.0} s (meant to be under 60 s), exit code {exitCode}");

            string json = Path.Combine(output, "results.json");
            Assert.That(File.Exists(json), Is.True, "results.json was not written");
            using JsonDocument results = JsonDocument.Parse(await File.ReadAllTextAsync(json, cancellationToken));
            JsonElement[] scenarios = [.. results.RootElement.GetProperty("scenarios").EnumerateArray()];
            JsonElement Scenario(string id) => scenarios.Single(s => s.GetProperty("id").GetString() == id);

            using (Assert.EnterMultipleScope())
            {
                Assert.That(exitCode, Is.Zero, "the run could not complete every scenario");
                foreach (string id in new[] { "1", "3", "4" })
                {
                    JsonElement scenario = Scenario(id);
                    Assert.That(scenario.GetProperty("completed").GetBoolean(), Is.True, $"scenario {id} could not run: {scenario.GetProperty("error")}");
                    foreach (JsonElement node in scenario.GetProperty("nodes").EnumerateArray())
                    {
                        if (node.GetProperty("killed").GetBoolean())
                        {
                            continue;
                        }

                        string name = node.GetProperty("name").GetString()!;
                        Assert.That(node.GetProperty("completed").GetBoolean(), Is.True, $"{name} did not complete: {node.GetProperty("error")}");
                        Assert.That(node.GetProperty("verified").GetBoolean(), Is.True, $"{name}: the SHA-256 of what it holds is not the content's");
                    }
                }

                JsonElement one = Scenario("1");
                Assert.That(one.GetProperty("nodes").GetArrayLength(), Is.EqualTo(3));
                Assert.That(one.GetProperty("data").GetProperty("wanCopies").GetDouble(), Is.LessThanOrEqualTo(1.05),
                    "scenario 1: WAN bytes (in copies of the content) over 1.05: the peers did not share");

                JsonElement four = Scenario("4");
                JsonElement[] nodes = [.. four.GetProperty("nodes").EnumerateArray()];
                Assert.That(nodes.Count(n => n.GetProperty("killed").GetBoolean()), Is.EqualTo(1), "scenario 4 killed no peer");
                Assert.That(nodes.Count(n => !n.GetProperty("killed").GetBoolean() && n.GetProperty("verified").GetBoolean()), Is.EqualTo(2),
                    "scenario 4: a survivor did not complete with verified content");
            }
        }
        finally
        {
            try
            {
                Directory.Delete(output, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>Ignores the test (with the reason) where network namespaces cannot be created.</summary>
    private static async Task RequireNamespacesAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("The branch-office smoke test needs Linux network namespaces.");
        }

        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Ignore("The branch-office smoke test needs root to create network namespaces (run the tests as root, as .ci/run does).");
        }

        string probe = $"pdbo-{Environment.ProcessId}-probe";
        try
        {
            (int added, string addOutput) = await RunAsync("ip", ["netns", "add", probe], TimeSpan.FromSeconds(20), cancellationToken);
            if (added != 0)
            {
                Assert.Ignore($"The branch-office smoke test needs network namespaces; 'ip netns add' failed here: {addOutput.Trim()}");
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Ignore("The branch-office smoke test needs iproute2 ('ip' was not found).");
        }

        await RunAsync("ip", ["netns", "delete", probe], TimeSpan.FromSeconds(20), cancellationToken);
        foreach (string tool in new[] { "tc", "bridge" })
        {
            try
            {
                await RunAsync(tool, ["-V"], TimeSpan.FromSeconds(20), cancellationToken);
            }
            catch (System.ComponentModel.Win32Exception)
            {
                Assert.Ignore($"The branch-office smoke test needs iproute2 ('{tool}' was not found).");
            }
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] arguments, TimeSpan limit, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        Task<string> stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            // SIGINT first: the testbed then removes its namespaces; SIGKILL only if it does not stop.
            _ = await RunAsync("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5), CancellationToken.None);
            if (!process.WaitForExit(20_000))
            {
                process.Kill(entireProcessTree: true);
            }

            Assert.Fail($"'{file} {string.Join(' ', arguments)}' did not finish within {limit.TotalSeconds:0} s:\n{await stdout}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
