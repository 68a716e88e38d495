using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using PeerDist.Client;
using PeerDist.Hosting;

namespace PeerDist.BranchOffice;

/// <summary>
/// <c>agent</c>: one node of the branch office, run by the orchestrator inside the node's namespace. Starts a
/// <see cref="PeerDistNode"/>, prints <c>ready</c>, waits for <c>start UNIX-MS</c> on standard input, then plays its
/// role (download, serve, read) and reports JSON events; after its work it keeps serving until standard input closes.
/// </summary>
internal static class AgentCommand
{
    public static Command Create()
    {
        var address = new Option<string>("--address") { Required = true, Description = "The node's address (MS-PCCRR listens here)." };
        var port = new Option<int>("--port") { DefaultValueFactory = _ => 80 };
        var iface = new Option<string?>("--interface") { Description = "The discovery interface (distributed mode)." };
        var origin = new Option<string?>("--origin") { Description = "The content URL on the origin." };
        var sha = new Option<string?>("--sha256") { Description = "The expected SHA-256 of the content (hex)." };
        var mode = new Option<PeerDistNodeMode>("--mode") { DefaultValueFactory = _ => PeerDistNodeMode.Distributed };
        var hostedCache = new Option<string?>("--hosted-cache") { Description = "The hosted cache's MS-PCCRR endpoint (ADDR:PORT)." };
        var role = new Option<string>("--role") { DefaultValueFactory = _ => "download", Description = "download, serve or read." };
        var cachePath = new Option<string?>("--cache-path") { Description = "A cache directory; default in memory." };
        var discoveryWait = new Option<int?>("--discovery-wait-ms");
        var ciVersion = new Option<int>("--ci-version") { DefaultValueFactory = _ => 1 };
        var reads = new Option<int>("--reads") { DefaultValueFactory = _ => 200 };
        var readSize = new Option<int>("--read-size") { DefaultValueFactory = _ => 64 * 1024 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };

        var command = new Command("agent", "A branch-office node (run by the orchestrator).")
        {
            address, port, iface, origin, sha, mode, hostedCache, role, cachePath, discoveryWait, ciVersion, reads, readSize, seed,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var settings = new AgentSettings
            {
                Address = IPAddress.Parse(result.GetRequiredValue(address)),
                Port = result.GetValue(port),
                Interface = result.GetValue(iface),
                Origin = result.GetValue(origin) is { } o ? new Uri(o) : null,
                Sha256 = result.GetValue(sha),
                Mode = result.GetValue(mode),
                HostedCache = result.GetValue(hostedCache) is { } h ? IPEndPoint.Parse(h) : null,
                Role = result.GetRequiredValue(role),
                CachePath = result.GetValue(cachePath),
                DiscoveryWait = result.GetValue(discoveryWait) is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
                ContentInformationVersion = result.GetValue(ciVersion),
                Reads = result.GetValue(reads),
                ReadSize = result.GetValue(readSize),
                Seed = result.GetValue(seed),
            };
            return await RunAsync(settings, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(AgentSettings settings, CancellationToken cancellationToken)
    {
        var events = new EventWriter(Console.Out);
        var options = new PeerDistNodeOptions
        {
            ListenEndPoints = [new IPEndPoint(settings.Address, settings.Port)],
            Mode = settings.Mode,
            DiscoveryInterfaces = settings.Mode == PeerDistNodeMode.Distributed && settings.Interface is { } i ? [i] : [],
            HostedCacheEndPoint = settings.HostedCache,
            CachePath = settings.CachePath,
        };
        if (settings.DiscoveryWait is { } wait)
        {
            options = options with { DiscoveryWait = wait };
        }

        await using var node = new PeerDistNode(options);
        await node.StartAsync(cancellationToken);
        await Warmup.RunAsync(node, cancellationToken);

        var start = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = Task.Run(() => ReadCommands(start, stop), CancellationToken.None);

        events.Emit("ready", w =>
        {
            w.WriteNumber("pid", Environment.ProcessId);
            w.WriteString("endpoint", node.EndPoint?.ToString());
        });

        Task first = await Task.WhenAny(start.Task, stop.Task);
        if (first == stop.Task)
        {
            return 0;
        }

        double startAt = await start.Task;
        double delay = startAt - EventWriter.Now();
        if (delay > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(delay), cancellationToken);
        }

        var progress = new AgentProgress();
        using var reporting = new CancellationTokenSource();
        Task reporter = ReportProgressAsync(events, node, progress, reporting.Token);
        try
        {
            switch (settings.Role)
            {
                case "download":
                    await DownloadAsync(settings, node, events, progress, cancellationToken);
                    break;
                case "read":
                    await ReadAsync(settings, node, events, progress, cancellationToken);
                    break;
                case "serve":
                    break;
                default:
                    throw new ArgumentException($"unknown role '{settings.Role}'");
            }
        }
#pragma warning disable CA1031 // An agent reports every failure as an event and keeps serving: peers may need it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            events.Emit("error", w => w.WriteString("message", ex.ToString()));
        }

        await stop.Task;
        await reporting.CancelAsync();
        await reporter;
        PeerDistNodeStatistics statistics = node.GetStatistics();
        events.Emit("stopped", w =>
        {
            w.WriteNumber("cpuMs", Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds);
            w.WriteNumber("bytesServed", statistics.BytesServed);
            w.WriteNumber("blocksServed", statistics.BlocksServed);
            w.WriteNumber("probesAnswered", statistics.ProbesAnswered);
            w.WriteNumber("segmentsHeld", statistics.Cache.SegmentCount);
        });
        return 0;
    }

    /// <summary>Standard input: <c>start UNIX-MS</c>, then <c>stop</c> or end of input.</summary>
    private static void ReadCommands(TaskCompletionSource<double> start, TaskCompletionSource stop)
    {
        string? line;
        while ((line = Console.In.ReadLine()) is not null)
        {
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts is ["start", var at])
            {
                start.TrySetResult(double.Parse(at, CultureInfo.InvariantCulture));
            }
            else if (parts is ["stop"])
            {
                break;
            }
        }

        stop.TrySetResult();
    }

    private static async Task ReportProgressAsync(EventWriter events, PeerDistNode node, AgentProgress progress, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                PeerDistNodeStatistics statistics = node.GetStatistics();
                events.Emit("progress", w =>
                {
                    w.WriteNumber("held", progress.Held);
                    w.WriteNumber("bytesServed", statistics.BytesServed);
                    if (statistics.HostedCache is { } hc)
                    {
                        w.WriteNumber("hcBytesPulled", hc.BytesPulled);
                        w.WriteNumber("hcPullsCompleted", hc.PullsCompleted);
                        w.WriteNumber("hcPullsFailed", hc.PullsFailed);
                        w.WriteNumber("hcOffersAnswered", hc.OffersAnswered);
                    }

                    if (statistics.Offers is { } offers)
                    {
                        w.WriteNumber("segmentsOffered", offers.SegmentsOffered);
                    }
                });
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<(PeerDistContent Content, HttpClient Http, double InfoMs, int InfoBytes)> OpenAsync(
        AgentSettings settings, PeerDistNode node, AgentProgress progress, CancellationToken cancellationToken)
    {
        Uri uri = settings.Origin ?? throw new ArgumentException("--origin is required for this role");
        using (HttpClient informationClient = ContentInformationRequest.CreateClient())
        {
            double before = EventWriter.Now();
            byte[] information = await ContentInformationRequest.TryGetAsync(informationClient, uri, settings.ContentInformationVersion, cancellationToken)
                ?? throw new InvalidOperationException($"The origin answered {uri} without content information (not hashed yet?).");
            double infoMs = EventWriter.Now() - before;

            // The origin fallback's client notes the first byte on the wire (the content information has its own client).
            var http = new HttpClient(new FirstByteHandler(ContentInformationRequest.CreateHandler(), progress.OriginFirstByte)) { Timeout = TimeSpan.FromMinutes(30) };
            PeerDistContent content = node.Client.OpenContent(information, new HttpOriginSource(http, uri), progress: progress);
            return (content, http, infoMs, information.Length);
        }
    }

    private static async Task DownloadAsync(AgentSettings settings, PeerDistNode node, EventWriter events, AgentProgress progress, CancellationToken cancellationToken)
    {
        double start = EventWriter.Now();
        progress.Attach(events, start);
        (PeerDistContent content, HttpClient http, double infoMs, int infoBytes) = await OpenAsync(settings, node, progress, cancellationToken);
        using (http)
        await using (content)
        {
            double downloadStart = EventWriter.Now();
            bool flashCrowd = await Download.RunAsync(content, cancellationToken);
            double end = EventWriter.Now();
            PeerDistContentStatistics statistics = content.GetStatistics();
            events.Emit("complete", w =>
            {
                w.WriteNumber("start", start);
                w.WriteNumber("downloadStart", downloadStart);
                w.WriteNumber("end", end);
                w.WriteNumber("infoMs", infoMs);
                w.WriteNumber("infoBytes", infoBytes);
                w.WriteNumber("length", content.Range.Length);
                w.WriteBoolean("sawFlashCrowd", flashCrowd);
                WriteStatistics(w, statistics);
            });

            // "Zero unverified bytes": the library verified each block against the content information; here the whole
            // content, read back from the cache, is checked against the SHA-256 the orchestrator computed from the file.
            string actual = await HashAsync(content, cancellationToken);
            bool ok = settings.Sha256 is null || string.Equals(actual, settings.Sha256, StringComparison.OrdinalIgnoreCase);
            events.Emit("verified", w =>
            {
                w.WriteBoolean("ok", ok);
                w.WriteString("sha256", actual);
            });
        }
    }

    private static async Task ReadAsync(AgentSettings settings, PeerDistNode node, EventWriter events, AgentProgress progress, CancellationToken cancellationToken)
    {
        double start = EventWriter.Now();
        progress.Attach(events, start);
        (PeerDistContent content, HttpClient http, double infoMs, _) = await OpenAsync(settings, node, progress, cancellationToken);
        using (http)
        await using (content)
        {
            var random = new Random(settings.Seed);
            byte[] buffer = new byte[settings.ReadSize];
            double[] latencies = new double[settings.Reads];
            long[] offsets = new long[settings.Reads];
            long span = Math.Max(1, content.Range.Length - settings.ReadSize);
            for (int n = 0; n < settings.Reads; n++)
            {
                long offset = content.Range.Start + random.NextInt64(span);
                long before = Stopwatch.GetTimestamp();
                int read = await content.ReadAsync(offset, buffer, cancellationToken);
                latencies[n] = Stopwatch.GetElapsedTime(before).TotalMilliseconds;
                offsets[n] = offset;
                if (read <= 0)
                {
                    throw new InvalidOperationException($"read at {offset} returned {read}");
                }
            }

            PeerDistContentStatistics statistics = content.GetStatistics();
            events.Emit("reads", w =>
            {
                w.WriteNumber("infoMs", infoMs);
                w.WriteNumber("readSize", settings.ReadSize);
                w.WriteNumber("length", content.Range.Length);
                w.WriteStartArray("latenciesMs");
                foreach (double latency in latencies)
                {
                    w.WriteNumberValue(Math.Round(latency, 3));
                }

                w.WriteEndArray();
                w.WriteStartArray("segments");
                foreach (long offset in offsets)
                {
                    w.WriteNumberValue(offset / PeerDistConstants.SegmentSize);
                }

                w.WriteEndArray();
                WriteStatistics(w, statistics);
            });
        }
    }

    private static void WriteStatistics(Utf8JsonWriter w, PeerDistContentStatistics statistics)
    {
        w.WriteNumber("fromOrigin", statistics.BytesFromOrigin);
        w.WriteNumber("fromPeers", statistics.BytesFromPeers);
        w.WriteNumber("fromCache", statistics.BytesFromCache);
        w.WriteNumber("blocksRejected", statistics.BlocksRejected);
        w.WriteNumber("blocksRetried", statistics.BlocksRetried);
        w.WriteNumber("peersExcluded", statistics.PeersExcluded);
        w.WriteStartObject("byPeer");
        foreach (KeyValuePair<EndPoint, long> pair in statistics.BytesByPeer)
        {
            w.WriteNumber(pair.Key.ToString()!, pair.Value);
        }

        w.WriteEndObject();
    }

    private static async Task<string> HashAsync(PeerDistContent content, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[1024 * 1024];
        for (long offset = content.Range.Start; offset < content.Range.End;)
        {
            int read = await content.ReadAsync(offset, buffer, cancellationToken);
            if (read <= 0)
            {
                break;
            }

            hash.AppendData(buffer, 0, read);
            offset += read;
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
