using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PeerDist.Hosting;

namespace PeerDist.BranchOffice;

/// <summary>The scenarios of issue 7, section 2.</summary>
internal sealed partial class Orchestrator
{
    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;

    /// <summary>Scenarios 1, 4 and 7: every peer starts at once, cold; optionally the top server is killed half-way.</summary>
    private async Task RunSwarmAsync(ScenarioResult result, ContentFile content, bool killHalfway, CancellationToken cancellationToken)
    {
        result.ContentBytes = content.Length;
        int peers = _settings.Peers;
        List<ChildProcess> agents = await StartAgentsAsync(
            Enumerable.Range(1, peers).Select(n => ($"s{result.Id}-n{n}", _topology.NodeNamespace(n), AgentCommand($"n{n}", Topology.NodeAddress(n), content, "download"))),
            cancellationToken);
        (long egress0, long ingress0) = await ReadWanAsync();
        TimeSpan cpu0 = CpuOf(agents);
        double start = StartTogether(agents);
        TimeSpan bound = TransferBound(content.Length, peers);

        ChildProcess? killed = null;
        double killedAt = 0;
        Task killer = Task.CompletedTask;

        // "Half-way" is when the swarm holds half of what it will hold; the agents report whole verified blocks, which a
        // client fetching big origin ranges reports late, so half the expected time (scenario 1's median, else one plain
        // copy) also triggers it.
        double expectedSeconds = _results.FirstOrDefault(r => r.Id == "1" && r.Error is null)?.Data["p50Seconds"]?.GetValue<double>() ?? _plainGetSeconds;
        using var stopKiller = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (killHalfway)
        {
            killer = Task.Run(async () =>
            {
                while (!stopKiller.IsCancellationRequested)
                {
                    long held = agents.Sum(Held);
                    double elapsed = (EventWriter.Now() - start) / 1000;
                    if (held >= (long)peers * content.Length / 2 || (expectedSeconds > 0 && elapsed >= expectedSeconds / 2))
                    {
                        ChildProcess victim = agents.MaxBy(Served)!;
                        long served = Served(victim);
                        victim.Kill();
                        killed = victim;
                        killedAt = EventWriter.Now();
                        string note = string.Create(s_inv, $"SIGKILL {victim.Name} at {elapsed:0.0} s (swarm held {held * 100.0 / ((double)peers * content.Length):0} %; it had served {FormatSize(served)})");
                        result.Notes.Add(note);
                        _out.WriteLine("  " + note);
                        return;
                    }

                    await Task.Delay(100, stopKiller.Token);
                }
            }, stopKiller.Token);
        }

        var tasks = agents.Select((agent, index) => CollectSafelyAsync(agent, start, _settings.LanCap(index + 1), bound, cancellationToken)).ToList();
        NodeResult[] nodes = await Task.WhenAll(tasks);
        await stopKiller.CancelAsync();
        await killer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        TimeSpan cpu = CpuOf(agents) - cpu0;
        double wall = (EventWriter.Now() - start) / 1000;
        (long egress1, long ingress1) = await ReadWanAsync();
        result.WanEgressBytes = egress1 - egress0;
        result.WanIngressBytes = ingress1 - ingress0;
        foreach (NodeResult node in nodes)
        {
            node.Killed = killed is not null && node.Name == killed.Name;
            node.BytesServed = Served(agents.First(a => a.Name == node.Name));
            result.Nodes.Add(node);
        }

        PrintNodes(result);
        List<NodeResult> expected = [.. nodes.Where(n => !n.Killed)];
        int completed = expected.Count(n => n.Completed);
        int verified = expected.Count(n => n.Verified);
        double wanRatio = result.WanEgressBytes / (double)content.Length;
        double copies = Copies(result.WanEgressBytes, content.Length);
        result.Data["wanCopies"] = copies;
        if (!killHalfway)
        {
            result.Add("WAN bytes", string.Create(s_inv, $"{copies:0.000} copies ({FormatSize(result.WanEgressBytes)} on the wire = {wanRatio:0.000} x content)"), "<= 1.05 x content", copies <= 1.05);
            double minRatio = expected.Where(n => n.Completed).Select(n => n.CapRatio).DefaultIfEmpty(0).Min();
            result.Add("per-peer throughput / LAN cap", string.Create(s_inv, $"min {minRatio:0.00} (median {Percentile.Of([.. expected.Select(n => n.ThroughputMbit)], 50):0.0} Mbit/s)"),
                ">= 0.50 each", completed == expected.Count && minRatio >= 0.5);
            double[] times = [.. expected.Where(n => n.Completed).Select(n => n.Seconds)];
            double p50 = Percentile.Of(times, 50);
            double p99 = Percentile.Of(times, 99);
            result.Add("completion p50 / p99", string.Create(s_inv, $"{p50:0.0} s / {p99:0.0} s = {p99 / p50:0.00} x"), "p99 <= 1.8 x p50", p99 <= 1.8 * p50);
            result.Add("downloads completed and verified", $"{verified}/{expected.Count}", "all", verified == expected.Count);
            double[] starts = [.. expected.Where(n => n.Complete is not null).Select(n => n.Complete!.Value.GetProperty("start").GetDouble())];
            double spread = starts.Length > 0 ? starts.Max() - starts.Min() : 0;
            result.Add("start spread", string.Create(s_inv, $"{spread:0} ms between the first and the last agent's start"), "within 1 s", spread <= 1000);
            result.Data["startSpreadMs"] = spread;
            long delivered = expected.Sum(n => n.FromOrigin);
            result.Add("origin bytes the agents used", string.Create(s_inv, $"{delivered / (double)content.Length:0.000} x content ({FormatSize(delivered)}; the rest of the WAN bytes is headers, content information and bytes fetched but not used)"), "-", null);
            result.Data["originBytesDelivered"] = delivered;
            result.Data["p50Seconds"] = p50;
            result.Data["p99Seconds"] = p99;
            result.Data["meanThroughputMbit"] = expected.Where(n => n.Completed).Select(n => n.ThroughputMbit).DefaultIfEmpty(0).Average();
        }
        else
        {
            long rejected = expected.Sum(n => n.BlocksRejected);
            long extra = (long)((copies - 1) * content.Length);
            long segment = Math.Min(PeerDistConstants.SegmentSize, content.Length);
            int finishedAfterKill = expected.Count(n => n.Completed && n.Complete is { } c && c.GetProperty("end").GetDouble() > killedAt);
            bool tested = killed is not null && finishedAfterKill > 0;
            result.Add("survivors completed", $"{completed}/{expected.Count} ({finishedAfterKill} finished after the kill)", "all", tested && completed == expected.Count);
            result.Add("unverified bytes delivered", $"{expected.Count - verified} of {expected.Count} survivors failed the SHA-256 check ({rejected} blocks rejected by verification)", "0", verified == expected.Count && completed == expected.Count);
            result.Add("extra WAN bytes", string.Create(s_inv, $"{FormatSize(extra)} ({copies:0.000} copies; {FormatSize(result.WanEgressBytes)} on the wire)"), $"<= one segment ({FormatSize(segment)})", extra <= segment);
            if (!tested)
            {
                result.Notes.Add("The kill came after every survivor had finished (or never came): this run did not test recovery.");
            }
        }

        AddCpu(result, cpu, wall);
    }

    private static async Task<NodeResult> CollectSafelyAsync(ChildProcess agent, double start, double cap, TimeSpan bound, CancellationToken cancellationToken)
    {
        try
        {
            return await CollectAsync(agent, start, cap, bound, cancellationToken);
        }
        catch (ChildFailedException ex)
        {
            return new NodeResult { Name = agent.Name, CapMbit = cap, Error = ex.Message };
        }
        catch (TimeoutException ex)
        {
            return new NodeResult { Name = agent.Name, CapMbit = cap, Error = ex.Message };
        }
    }

    /// <summary>Scenario 3: one agent alone, against a plain HTTP GET of the same file over the same WAN.</summary>
    private async Task RunNoPeersAsync(ScenarioResult result, ContentFile content, CancellationToken cancellationToken)
    {
        result.ContentBytes = content.Length;
        string ns = _topology.NodeNamespace(1);

        // The baseline is the plain GET measured when the lab was set up (same file, same WAN, node 1).
        double plainSeconds = _plainGetSeconds;
        result.Data["plainGetSeconds"] = plainSeconds;
        result.Data["plainGetWanBytes"] = _plainGetWireBytes;
        result.Data["plainGetMbit"] = content.Length * 8 / plainSeconds / 1_000_000;

        List<ChildProcess> agents = await StartAgentsAsync([("s3-n1", ns, AgentCommand("n1", Topology.NodeAddress(1), content, "download"))], cancellationToken);
        (long egress0, long ingress0) = await ReadWanAsync();
        TimeSpan cpu0 = CpuOf(agents);
        double start = StartTogether(agents);
        NodeResult node = await CollectSafelyAsync(agents[0], start, _settings.LanCap(1), TransferBound(content.Length, 1), cancellationToken);
        TimeSpan cpu = CpuOf(agents) - cpu0;
        double wall = (EventWriter.Now() - start) / 1000;
        (long egress1, long ingress1) = await ReadWanAsync();
        result.WanEgressBytes = egress1 - egress0;
        result.WanIngressBytes = ingress1 - ingress0;
        result.Nodes.Add(node);
        PrintNodes(result);

        double ratio = node.Seconds / plainSeconds;
        result.Add("total time vs plain GET", string.Create(s_inv, $"{node.Seconds:0.00} s vs {plainSeconds:0.00} s = {ratio:0.00} x"), "<= 1.1 x", node.Completed && ratio <= 1.1);
        double limit = DiscoveryWait.TotalMilliseconds + 100;
        result.Add("first origin byte after the download call", node.FirstOriginByteMs is { } f ? string.Create(s_inv, $"{f:0} ms (content information took {node.InfoMs:0} ms before)") : "none",
            string.Create(s_inv, $"<= discovery wait + 100 ms = {limit:0} ms"), node.FirstOriginByteMs <= limit);
        result.Add("download completed and verified", node.Verified ? "yes" : "no" + (node.Error is { } e ? ": " + e : string.Empty), "yes", node.Verified);
        AddCpu(result, cpu, wall);
    }

    /// <summary>Scenario 2: a hosted cache; one client fetches and offers, then N-1 clients at once.</summary>
    private async Task RunHostedCacheAsync(ScenarioResult result, ContentFile content, CancellationToken cancellationToken)
    {
        result.ContentBytes = content.Length;
        string hostedCache = $"{Topology.HostedCacheAddress}:{AgentPort}";
        List<string> ClientCommand(int n) =>
            AgentCommand($"n{n}", Topology.NodeAddress(n), content, "download", "--mode", nameof(PeerDistNodeMode.HostedCacheClient), "--hosted-cache", hostedCache);

        List<ChildProcess> all = await StartAgentsAsync(
            [("s2-hc", _topology.HostedCache, AgentCommand("hc", Topology.HostedCacheAddress, content, "serve", "--mode", nameof(PeerDistNodeMode.HostedCache)))],
            cancellationToken);
        ChildProcess hc = all[0];
        List<ChildProcess> firstClient = await StartAgentsAsync([("s2-n1", _topology.NodeNamespace(1), ClientCommand(1))], cancellationToken);
        all.AddRange(firstClient);
        (long egress0, long ingress0) = await ReadWanAsync();
        TimeSpan cpu0 = CpuOf(all);
        double start = StartTogether([hc, .. firstClient]);
        NodeResult first = await CollectSafelyAsync(firstClient[0], start, _settings.LanCap(1), TransferBound(content.Length, 1), cancellationToken);
        result.Nodes.Add(first);

        // Wait until the hosted cache has pulled the whole content from the first client (bounded).
        double waitStart = EventWriter.Now();
        try
        {
            await hc.WaitForAsync(
                e => e.GetProperty("event").GetString() == "progress" && e.TryGetProperty("hcBytesPulled", out JsonElement pulled) && pulled.GetInt64() >= content.Length,
                "the hosted cache holding the content", TimeSpan.FromSeconds(60) + TransferBound(content.Length, 0), cancellationToken);
        }
        catch (TimeoutException ex)
        {
            result.Notes.Add(ex.Message);
        }

        result.Data["hostedCacheFillSeconds"] = (EventWriter.Now() - waitStart) / 1000;
        JsonElement? hcProgress = hc.LastEvent("progress");
        if (hcProgress is { } p)
        {
            result.Data["hostedCache"] = JsonNode.Parse(p.GetRawText());
        }

        List<ChildProcess> rest = await StartAgentsAsync(
            Enumerable.Range(2, _settings.Peers - 1).Select(n => ($"s2-n{n}", _topology.NodeNamespace(n), ClientCommand(n))), cancellationToken);
        all.AddRange(rest);
        double restStart = StartTogether(rest);
        NodeResult[] others = await Task.WhenAll(rest.Select((a, i) => CollectSafelyAsync(a, restStart, _settings.LanCap(i + 2), TransferBound(content.Length, _settings.Peers), cancellationToken)));
        TimeSpan cpu = CpuOf(all) - cpu0;
        double wall = (EventWriter.Now() - start) / 1000;
        (long egress1, long ingress1) = await ReadWanAsync();
        result.WanEgressBytes = egress1 - egress0;
        result.WanIngressBytes = ingress1 - ingress0;
        result.Nodes.AddRange(others);
        PrintNodes(result);

        long info = first.InfoBytes;
        long goal = content.Length + info + (content.Length / 100);
        long payload = (long)(Copies(result.WanEgressBytes, content.Length) * content.Length);
        result.Add("WAN bytes", string.Create(s_inv, $"{FormatSize(payload)} in copies of the content ({FormatSize(result.WanEgressBytes)} on the wire; {_settings.Peers} content information fetches of {info} B)"),
            $"<= content + content information + 1 % = {FormatSize(goal)}", payload <= goal);
        int served = others.Count(n => n.Completed && n.FromPeers >= content.Length && n.FromOrigin <= content.Length / 100);
        result.Add("N-1 clients served by the hosted cache", string.Create(s_inv, $"{served}/{others.Length} (from the hosted cache: min {FormatSize(others.Select(n => n.FromPeers).DefaultIfEmpty(0).Min())}, from the origin: max {FormatSize(others.Select(n => n.FromOrigin).DefaultIfEmpty(0).Max())})"),
            "all, bytes from the hosted cache = content", served == others.Length);
        int verified = result.Nodes.Count(n => n.Verified);
        result.Add("downloads completed and verified", $"{verified}/{result.Nodes.Count}", "all", verified == result.Nodes.Count);
        AddCpu(result, cpu, wall);
    }

    /// <summary>Scenario 6: a seed holds the content; a reader does random-offset reads; at the normal and the large size.</summary>
    private async Task RunStreamingAsync(ScenarioResult result, CancellationToken cancellationToken)
    {
        List<long> sizes = _settings.Smoke ? [_settings.SizeBytes] : [_settings.SizeBytes, _settings.LargeSizeBytes];
        var p50s = new List<double>();
        bool allMet = true;
        TimeSpan cpuTotal = TimeSpan.Zero;
        double wallTotal = 0;
        foreach (long size in sizes.Distinct())
        {
            ContentFile content = _contents[size];
            result.ContentBytes = Math.Max(result.ContentBytes, size);
            List<ChildProcess> seed = await StartAgentsAsync([($"s6-{size}-seed", _topology.NodeNamespace(1), AgentCommand("n1", Topology.NodeAddress(1), content, "download"))], cancellationToken);
            double seedStart = StartTogether(seed);
            NodeResult seedResult = await CollectSafelyAsync(seed[0], seedStart, _settings.LanCap(1), TransferBound(size, 1), cancellationToken);
            if (!seedResult.Verified)
            {
                throw new ChildFailedException($"the seed did not complete: {seedResult.Error}");
            }

            List<ChildProcess> reader = await StartAgentsAsync(
                [($"s6-{size}-reader", _topology.NodeNamespace(2), AgentCommand("n2", Topology.NodeAddress(2), content, "read", "--reads", _settings.StreamReads.ToString(s_inv)))],
                cancellationToken);
            (long egress0, _) = await ReadWanAsync();
            TimeSpan cpu0 = CpuOf([.. seed, .. reader]);
            double start = StartTogether(reader);
            JsonElement reads = await reader[0].WaitForAsync(e => e.GetProperty("event").GetString() is "reads" or "error", "the reads", TransferBound(size, 1), cancellationToken);
            if (reads.GetProperty("event").GetString() == "error")
            {
                throw new ChildFailedException("the reader failed: " + reads.GetProperty("message").GetString());
            }

            cpuTotal += CpuOf([.. seed, .. reader]) - cpu0;
            wallTotal += (EventWriter.Now() - start) / 1000;
            (long egress1, _) = await ReadWanAsync();
            result.WanEgressBytes += egress1 - egress0;

            double[] latencies = [.. reads.GetProperty("latenciesMs").EnumerateArray().Select(e => e.GetDouble())];
            long[] segments = [.. reads.GetProperty("segments").EnumerateArray().Select(e => e.GetInt64())];
            // The first read pays discovery (the reader knows no peer yet): reported apart. The first read of each later
            // segment is kept in the data, since a client that locates per segment pays discovery there too.
            var seen = new HashSet<long>();
            var segmentFirst = new List<double>();
            for (int i = 0; i < latencies.Length; i++)
            {
                if (seen.Add(segments[i]))
                {
                    segmentFirst.Add(latencies[i]);
                }
            }

            double[] warm = latencies[1..];
            double p50 = Percentile.Of(warm, 50);
            double p99 = Percentile.Of(warm, 99);
            p50s.Add(p50);
            bool met = p99 <= 20;
            allMet &= met;
            long readFromOrigin = reads.GetProperty("fromOrigin").GetInt64();
            long readFromPeers = reads.GetProperty("fromPeers").GetInt64();
            result.Add($"read latency at {FormatSize(size)} (p50 / p99)",
                string.Create(s_inv, $"{p50:0.0} / {p99:0.0} ms over {warm.Length} reads after the first ({latencies[0]:0} ms); {(segmentFirst.Count > 1 ? $"first read of each later segment ({segmentFirst.Count - 1}): max {segmentFirst.Skip(1).Max():0} ms; " : string.Empty)}bytes from the seed {FormatSize(readFromPeers)}, from the origin {FormatSize(readFromOrigin)}"),
                "<= 20 ms", met);
            if (readFromOrigin > 0)
            {
                result.Notes.Add($"At {FormatSize(size)} the reader took {FormatSize(readFromOrigin)} from the origin although the seed held every block: its reads are not all peer reads.");
            }
            result.Data[$"reads{size}"] = new JsonObject
            {
                ["p50Ms"] = p50,
                ["p99Ms"] = p99,
                ["firstReadMs"] = latencies[0],
                ["segmentFirstMs"] = new JsonArray([.. segmentFirst.Select(v => (JsonNode?)JsonValue.Create(v))]),
                ["fromOrigin"] = readFromOrigin,
                ["fromPeers"] = readFromPeers,
            };
            await StopAllAgentsAsync();
        }

        if (p50s.Count > 1)
        {
            double spread = p50s.Max() / Math.Max(0.001, p50s.Min());
            result.Add("flat across sizes (p50 largest / smallest)", string.Create(s_inv, $"{spread:0.00} x"), "<= 20 ms at every size", allMet);
        }

        AddCpu(result, cpuTotal, wallTotal);
    }

    /// <summary>Scenario 7: scenario 1 at the normal and the large size; per-peer throughput within 10 %.</summary>
    private async Task RunScalingAsync(ScenarioResult result, CancellationToken cancellationToken)
    {
        ScenarioResult? small = _results.FirstOrDefault(r => r.Id == "1" && r.Error is null);
        if (small is null)
        {
            small = new ScenarioResult("7-small", "Distributed, cold, normal size");
            await RunSwarmAsync(small, _contents[_settings.SizeBytes], killHalfway: false, cancellationToken);
            await StopAllAgentsAsync();
        }

        var large = new ScenarioResult("7-large", "Distributed, cold, large size");
        await RunSwarmAsync(large, _contents[_settings.LargeSizeBytes], killHalfway: false, cancellationToken);
        result.ContentBytes = large.ContentBytes;
        result.WanEgressBytes = large.WanEgressBytes;
        result.WanIngressBytes = large.WanIngressBytes;
        result.Nodes.AddRange(large.Nodes);
        result.Data["small"] = small.ToJson();
        result.Data["large"] = large.ToJson();
        double a = small.Data["meanThroughputMbit"]?.GetValue<double>() ?? 0;
        double b = large.Data["meanThroughputMbit"]?.GetValue<double>() ?? 0;
        double change = a > 0 ? (b - a) / a : double.NaN;
        result.Add("mean per-peer throughput", string.Create(s_inv, $"{FormatSize(small.ContentBytes)}: {a:0.0} Mbit/s, {FormatSize(large.ContentBytes)}: {b:0.0} Mbit/s ({change * 100:+0;-0} %)"),
            "within 10 %", Math.Abs(change) <= 0.10);
        foreach (Figure figure in large.Figures)
        {
            result.Figures.Add(figure with { Name = $"{FormatSize(large.ContentBytes)}: {figure.Name}" });
        }

        result.Notes.AddRange(large.Notes);
        result.CpuSeconds = large.CpuSeconds;
        result.WallSeconds = large.WallSeconds;
    }

    private void PrintNodes(ScenarioResult result)
    {
        foreach (NodeResult n in result.Nodes)
        {
            string state = n.Killed ? "killed" : n.Error is not null ? "FAILED " + FirstLine(n.Error) : !n.Verified ? "NOT VERIFIED" : "ok";
            _out.WriteLine(string.Create(s_inv,
                $"  {n.Name,-14} {n.Seconds,7:0.00} s {n.ThroughputMbit,7:0.0} Mbit/s ({n.CapRatio * 100,3:0} % of {n.CapMbit:0}) origin {FormatSize(n.FromOrigin),10} peers {FormatSize(n.FromPeers),10} served {FormatSize(n.BytesServed),10} {state}"));
        }
    }

    private static string FirstLine(string text) => text.Split('\n')[0];
}
