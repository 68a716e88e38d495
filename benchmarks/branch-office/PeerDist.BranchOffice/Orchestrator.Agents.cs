using System.Globalization;
using System.Text.Json;
using PeerDist.Hosting;

namespace PeerDist.BranchOffice;

/// <summary>Starting agents, giving them the common start, and collecting their results.</summary>
internal sealed partial class Orchestrator
{
    /// <summary>How long after the start command the agents begin: enough for the line to reach every agent.</summary>
    private static readonly TimeSpan s_startLead = TimeSpan.FromMilliseconds(500);

    private TimeSpan DiscoveryWait => _settings.DiscoveryWaitMs is { } ms ? TimeSpan.FromMilliseconds(ms) : new PeerDistNodeOptions().DiscoveryWait;

    /// <summary>A generous bound for <paramref name="copies"/> copies of <paramref name="bytes"/> over the WAN.</summary>
    private TimeSpan TransferBound(long bytes, int copies) =>
        TimeSpan.FromSeconds(60 + (1.5 * copies * bytes * 8 / (_settings.WanMbit * 1_000_000)));

    private List<string> AgentCommand(string name, string address, ContentFile content, string role, params string[] extra)
    {
        List<string> command =
        [
            _dotnet, _selfPath, "agent",
            "--address", address,
            "--port", AgentPort.ToString(CultureInfo.InvariantCulture),
            "--interface", Topology.NodeInterface,
            "--origin", content.Url.ToString(),
            "--sha256", content.Sha256,
            "--role", role,
            "--ci-version", _settings.ContentInformationVersion.ToString(CultureInfo.InvariantCulture),
        ];
        if (_settings.DiscoveryWaitMs is { } wait)
        {
            command.AddRange(["--discovery-wait-ms", wait.ToString(CultureInfo.InvariantCulture)]);
        }

        if (content.Length > _settings.MemoryCacheLimitBytes)
        {
            command.AddRange(["--cache-path", Path.Combine(_workDirectory, "caches", $"{name}-{Interlocked.Increment(ref _childCount)}")]);
        }

        command.AddRange(extra);
        return command;
    }

    /// <summary>Starts the agents and waits until each has printed <c>ready</c>.</summary>
    private async Task<List<ChildProcess>> StartAgentsAsync(IEnumerable<(string Name, string Namespace, List<string> Command)> specs, CancellationToken cancellationToken)
    {
        List<ChildProcess> agents = [.. specs.Select(s => ChildProcess.Start(s.Name, s.Namespace, s.Command, LogPath(s.Name)))];
        TimeSpan bound = TimeSpan.FromSeconds(60 + (5 * agents.Count));
        await Task.WhenAll(agents.Select(a => a.WaitForEventAsync("ready", bound, cancellationToken)));
        return agents;
    }

    /// <summary>Sends every agent the same wall-clock start, a little ahead; returns it.</summary>
    private static double StartTogether(IEnumerable<ChildProcess> agents)
    {
        double at = EventWriter.Now() + s_startLead.TotalMilliseconds;
        foreach (ChildProcess agent in agents)
        {
            agent.Start(at);
        }

        return at;
    }

    /// <summary>Waits for an agent's <c>complete</c> (or <c>error</c>) and then its <c>verified</c>; fills a node result.</summary>
    private static async Task<NodeResult> CollectAsync(ChildProcess agent, double commonStart, double capMbit, TimeSpan bound, CancellationToken cancellationToken)
    {
        var node = new NodeResult { Name = agent.Name, CapMbit = capMbit };
        JsonElement done = await agent.WaitForAsync(
            e => e.GetProperty("event").GetString() is "complete" or "error", "completion", bound, cancellationToken);
        if (done.GetProperty("event").GetString() == "error")
        {
            node.Error = done.GetProperty("message").GetString();
            return node;
        }

        Fill(node, agent, done, commonStart);
        JsonElement verified = await agent.WaitForEventAsync("verified", TimeSpan.FromSeconds(120), cancellationToken);
        node.Verified = verified.GetProperty("ok").GetBoolean();
        return node;
    }

    private static void Fill(NodeResult node, ChildProcess agent, JsonElement complete, double commonStart)
    {
        node.Completed = true;
        node.Complete = complete;
        double end = complete.GetProperty("end").GetDouble();
        long length = complete.GetProperty("length").GetInt64();
        node.Seconds = (end - commonStart) / 1000;
        node.ThroughputMbit = node.Seconds > 0 ? length * 8 / node.Seconds / 1_000_000 : 0;
        node.FromOrigin = complete.GetProperty("fromOrigin").GetInt64();
        node.FromPeers = complete.GetProperty("fromPeers").GetInt64();
        node.FromCache = complete.GetProperty("fromCache").GetInt64();
        node.BlocksRejected = complete.GetProperty("blocksRejected").GetInt64();
        node.InfoMs = complete.GetProperty("infoMs").GetDouble();
        node.InfoBytes = complete.GetProperty("infoBytes").GetInt64();
        double downloadStart = complete.GetProperty("downloadStart").GetDouble();
        if (agent.LastEvent("first-block") is { } first)
        {
            node.FirstBlockMs = Math.Round(first.GetProperty("t").GetDouble() - downloadStart, 1);
        }

        if (agent.LastEvent("first-origin-block") is { } originBlock)
        {
            node.FirstOriginBlockMs = Math.Round(originBlock.GetProperty("t").GetDouble() - downloadStart, 1);
        }

        if (agent.LastEvent("first-origin-byte") is { } origin)
        {
            node.FirstOriginByteMs = Math.Round(origin.GetProperty("t").GetDouble() - downloadStart, 1);
        }
    }

    /// <summary>The bytes each agent has served so far, from its last progress event.</summary>
    private static long Served(ChildProcess agent) =>
        agent.LastEvent("progress") is { } p ? p.GetProperty("bytesServed").GetInt64() : 0;

    private static long Held(ChildProcess agent) =>
        agent.LastEvent("progress") is { } p ? p.GetProperty("held").GetInt64() : 0;

    /// <summary>CPU time so far of the given children and the origin.</summary>
    private TimeSpan CpuOf(IEnumerable<ChildProcess> children)
    {
        TimeSpan total = _origin?.ReadCpuTime() ?? TimeSpan.Zero;
        foreach (ChildProcess child in children)
        {
            total += child.ReadCpuTime();
        }

        return total;
    }

    /// <summary>Adds the CPU figure, and says so plainly when CPU rather than the links was the limit.</summary>
    private void AddCpu(ScenarioResult result, TimeSpan cpu, double wallSeconds)
    {
        result.CpuSeconds = cpu.TotalSeconds;
        result.WallSeconds = wallSeconds;
        int cores = Environment.ProcessorCount;
        bool cpuBound = result.CoresBusy > 0.8 * cores;
        result.Add("CPU", string.Create(CultureInfo.InvariantCulture, $"{result.CoresBusy:0.00} of {cores} cores busy ({cpu.TotalSeconds:0.0} s CPU in {wallSeconds:0.0} s)"),
            "links, not CPU, the limit", !cpuBound);
        if (cpuBound)
        {
            result.Notes.Add($"CPU was the limit in this scenario ({result.CoresBusy:0.00} of {cores} cores busy), not the links: its times understate what the links allow.");
        }
    }

    private async Task<(long Egress, long Ingress)> ReadWanAsync() =>
        (await _topology.ReadWanEgressAsync(), await _topology.ReadWanIngressAsync());
}
