using System.Globalization;
using System.Text.Json;

namespace PeerDist.BranchOffice;

/// <summary>Scenario 5, the flash crowd.</summary>
internal sealed partial class Orchestrator
{
    private async Task RunCrowdAsync(ScenarioResult result, ContentFile content, CancellationToken cancellationToken)
    {
        result.ContentBytes = content.Length;
        int nodes = _settings.CrowdNodes;
        List<string> command =
        [
            _dotnet, _selfPath, "crowd",
            "--nodes", nodes.ToString(CultureInfo.InvariantCulture),
            "--origin", content.Url.ToString(),
            "--sha256", content.Sha256,
            "--ci-version", _settings.ContentInformationVersion.ToString(CultureInfo.InvariantCulture),
        ];
        if (_settings.DiscoveryWaitMs is { } wait)
        {
            command.AddRange(["--discovery-wait-ms", wait.ToString(CultureInfo.InvariantCulture)]);
        }

        List<ChildProcess> crowd = await StartAgentsAsync([("s5-crowd", _topology.Crowd, command)], cancellationToken);
        (long egress0, long ingress0) = await ReadWanAsync();
        TimeSpan cpu0 = CpuOf(crowd);
        double start = StartTogether(crowd);
        JsonElement done = await crowd[0].WaitForEventAsync("crowd-complete", TransferBound(content.Length, nodes), cancellationToken);
        TimeSpan cpu = CpuOf(crowd) - cpu0;
        double wall = (EventWriter.Now() - start) / 1000;
        (long egress1, long ingress1) = await ReadWanAsync();
        result.WanEgressBytes = egress1 - egress0;
        result.WanIngressBytes = ingress1 - ingress0;

        double[] seconds = [.. done.GetProperty("ends").EnumerateArray().Select(e => e.GetDouble()).Where(e => e > 0).Select(e => (e - start) / 1000)];
        long fromOrigin = done.GetProperty("fromOrigin").EnumerateArray().Sum(e => (long)e.GetDouble());
        int verified = done.GetProperty("verified").GetInt32();
        double ratio = Copies(result.WanEgressBytes, content.Length);
        result.Add("origin egress", string.Create(s_inv, $"{ratio:0.00} copies ({FormatSize(result.WanEgressBytes)} on the wire; plain HTTP would be {nodes} copies)"), "<= 1.1 x content", ratio <= 1.1);
        result.Add("completion p50 / p99", string.Create(s_inv, $"{Percentile.Of(seconds, 50):0.0} s / {Percentile.Of(seconds, 99):0.0} s"), "-", null);
        result.Add("downloads completed and verified", $"{verified}/{nodes}", "all", verified == nodes);
        result.Data["bytesFromOrigin"] = fromOrigin;
        result.Data["nodesSeeingFlashCrowd"] = done.GetProperty("flashCrowd").GetInt32();
        result.Data["completionSeconds"] = new System.Text.Json.Nodes.JsonArray([.. seconds.Select(s => (System.Text.Json.Nodes.JsonNode?)System.Text.Json.Nodes.JsonValue.Create(Math.Round(s, 3)))]);
        if (done.GetProperty("firstError").GetString() is { } error)
        {
            result.Notes.Add($"{done.GetProperty("failed").GetInt32()} crowd nodes failed; first: {error}");
        }

        _out.WriteLine(string.Create(s_inv, $"  crowd: {nodes} nodes, {verified} verified, origin bytes delivered {FormatSize(fromOrigin)}, {done.GetProperty("flashCrowd").GetInt32()} saw IsFlashCrowd"));
        AddCpu(result, cpu, wall);
    }
}
