using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace PeerDist.BranchOffice;

/// <summary>
/// The <c>run</c> verb: builds the lab, generates the content, starts the origin, runs the scenarios one after another
/// (fresh agents, so fresh caches, for each) and reports. The lab and every child are removed whatever happens.
/// </summary>
internal sealed partial class Orchestrator
{
    private const int AgentPort = 80;

    private readonly RunSettings _settings;
    private readonly TextWriter _out;
    private readonly Topology _topology;
    private readonly string _workDirectory;
    private readonly string _contentDirectory;
    private readonly string _logDirectory;
    private readonly string _selfPath;
    private readonly string _dotnet;
    private readonly Dictionary<long, ContentFile> _contents = [];
    private readonly List<ScenarioResult> _results = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private ChildProcess? _origin;
    private double _plainGetSeconds;
    private long _plainGetWireBytes;
    private double _wireOverhead = 1.0;
    private int _childCount;

    public Orchestrator(RunSettings settings, TextWriter output)
    {
        _settings = settings;
        _out = output;
        _topology = new Topology(Environment.ProcessId.ToString(CultureInfo.InvariantCulture), _settings.Mtu);
        _workDirectory = Path.Combine(Path.GetTempPath(), $"{Topology.NamePrefix}{_topology.RunId}");
        _contentDirectory = Path.Combine(_workDirectory, "content");
        _logDirectory = Path.Combine(settings.OutputDirectory, "logs");
        _selfPath = typeof(Orchestrator).Assembly.Location;
        _dotnet = FindDotnet();
    }

    public static string? CliPath => typeof(Orchestrator).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == "PeerDistCliPath")?.Value;

    public static string? RepoRoot => typeof(Orchestrator).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == "RepoRoot")?.Value;

    /// <summary>Runs everything; 0 when every scenario ran (goals missed included), 1 when one could not run.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_settings.OutputDirectory);
        Directory.CreateDirectory(_logDirectory);
        Directory.CreateDirectory(_contentDirectory);
        using var cleanupOnExit = new ExitCleanup(this);
        try
        {
            await Topology.RemoveStaleAsync(_out);
            await BuildLabAsync(cancellationToken);
            await PrepareContentsAsync(cancellationToken);
            await StartOriginAsync(cancellationToken);
            foreach (int scenario in _settings.Scenarios)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await RunScenarioAsync(scenario, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _out.WriteLine("cancelled: cleaning up");
            _results.Add(new ScenarioResult("-", "run cancelled") { Error = "cancelled" });
        }
#pragma warning disable CA1031 // The lab failed to build or the origin to start: report it as a run that could not complete.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _out.WriteLine($"error: {ex.Message}");
            _results.Add(new ScenarioResult("-", "set-up") { Error = ex.Message });
        }
        finally
        {
            await CleanUpAsync();
        }

        Report report = new(_settings, _results, _clock.Elapsed);
        report.WriteTable(_out);
        string json = Path.Combine(_settings.OutputDirectory, "results.json");
        await report.WriteJsonAsync(json);
        _out.WriteLine($"results: {json}");
        return _results.Exists(r => r.Error is not null) ? 1 : 0;
    }

    private async Task CleanUpAsync()
    {
        // The origin does not read its standard input: it is a test server holding nothing worth a graceful stop.
        _origin?.Kill();
        List<ChildProcess> children = [.. ChildProcess.Live];
        await Task.WhenAll(children.Select(c => c.DisposeAsync().AsTask()));
        await _topology.DisposeAsync();
        try
        {
            Directory.Delete(_workDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task BuildLabAsync(CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        await _topology.CreateCoreAsync(_settings.WanMbit);
        int nodes = NodesNeeded();
        for (int node = 1; node <= nodes; node++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await _topology.CreateNodeAsync(node, _settings.LanCap(node));
        }

        if (_settings.Scenarios.Contains(2))
        {
            await _topology.CreateHostedCacheAsync(_settings.HostedCacheLanMbit);
        }

        if (_settings.Scenarios.Contains(5))
        {
            await _topology.CreateCrowdAsync();
        }

        _out.WriteLine($"lab: {nodes} node namespaces, WAN {_settings.WanMbit} Mbit/s, LAN caps {string.Join(',', _settings.LanMbit)} Mbit/s ({watch.Elapsed.TotalSeconds:0.0} s)");
    }

    private int NodesNeeded() =>
        _settings.Scenarios.Any(s => s is 1 or 2 or 4 or 7) ? _settings.Peers : 2;

    private async Task PrepareContentsAsync(CancellationToken cancellationToken)
    {
        var sizes = new SortedSet<long>();
        if (_settings.Scenarios.Any(s => s is 1 or 2 or 3 or 4 or 6 or 7))
        {
            sizes.Add(_settings.SizeBytes);
        }

        if (_settings.Scenarios.Any(s => s is 6 or 7))
        {
            sizes.Add(_settings.LargeSizeBytes);
        }

        if (_settings.Scenarios.Contains(5))
        {
            sizes.Add(_settings.CrowdSizeBytes);
        }

        foreach (long size in sizes)
        {
            var watch = Stopwatch.StartNew();
            ContentFile file = await ContentFile.CreateAsync(_contentDirectory, $"content-{size}.bin", size, _settings.Seed, cancellationToken);
            _contents[size] = file;
            _out.WriteLine($"content: {file.Name} {FormatSize(size)} sha256 {file.Sha256[..16]}... ({watch.Elapsed.TotalSeconds:0.0} s)");
        }
    }

    private async Task StartOriginAsync(CancellationToken cancellationToken)
    {
        string cli = CliPath is { } path && File.Exists(path)
            ? path
            : throw new FileNotFoundException($"The peerdist tool was not found at '{CliPath}'; build src/PeerDist.Cli in the same configuration.");
        _origin = ChildProcess.Start("origin", _topology.Origin,
            [_dotnet, cli, "origin", _contentDirectory, "--port", AgentPort.ToString(CultureInfo.InvariantCulture), "--listen", Topology.OriginAddress],
            LogPath("origin"));
        var watch = Stopwatch.StartNew();
        while (!_origin.Lines.Any(l => l.StartsWith("serving ", StringComparison.Ordinal)))
        {
            if (_origin.HasExited)
            {
                throw new ChildFailedException($"the origin exited at start (see {LogPath("origin")})");
            }

            if (watch.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException("the origin did not start listening within 60 s");
            }

            await Task.Delay(50, cancellationToken);
        }

        _out.WriteLine($"origin: {_origin.Lines.First(l => l.StartsWith("serving ", StringComparison.Ordinal))} ({watch.Elapsed.TotalSeconds:0.0} s)");

        // The origin's first sight of a file answers plain and hashes in the background: ask until it answers with
        // content information, from inside the origin's namespace (so the warm-up never crosses the WAN).
        foreach (ContentFile content in _contents.Values)
        {
            watch.Restart();
            await using ChildProcess warm = ChildProcess.Start($"warm-{content.Length}", _topology.Origin,
                [_dotnet, _selfPath, "warm", "--url", content.Url.ToString(), "--ci-version", _settings.ContentInformationVersion.ToString(CultureInfo.InvariantCulture)],
                LogPath("warm"));
            JsonElement info = await warm.WaitForEventAsync("info", TimeSpan.FromSeconds(300), cancellationToken);
            _out.WriteLine($"origin: {content.Name} hashed, content information {info.GetProperty("bytes").GetInt64()} bytes ({watch.Elapsed.TotalSeconds:0.0} s)");
        }

        if (_contents.TryGetValue(_settings.SizeBytes, out ContentFile? main))
        {
            await CalibrateAsync(main, cancellationToken);
        }
    }

    /// <summary>
    /// One plain HTTP GET of the content from node 1 over the WAN: the baseline of scenario 3, and the wire cost of one
    /// copy (the WAN counter counts Ethernet, IP and TCP headers too, about 3 % over the content at a 1500-byte MTU).
    /// WAN goals are judged in copies: WAN bytes over the wire bytes of this one copy.
    /// </summary>
    private async Task CalibrateAsync(ContentFile content, CancellationToken cancellationToken)
    {
        (long egress0, _) = await ReadWanAsync();
        JsonElement plain;
        await using (ChildProcess get = ChildProcess.Start("plain-get", _topology.NodeNamespace(1), [_dotnet, _selfPath, "plain-get", "--url", content.Url.ToString()], LogPath("plain-get")))
        {
            plain = await get.WaitForEventAsync("plain", TransferBound(content.Length, 1), cancellationToken);
        }

        (long egress1, _) = await ReadWanAsync();
        _plainGetSeconds = plain.GetProperty("ms").GetDouble() / 1000;
        _plainGetWireBytes = egress1 - egress0;
        _wireOverhead = Math.Max(1.0, _plainGetWireBytes / (double)content.Length);
        _out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"baseline: plain GET of {FormatSize(content.Length)} in {_plainGetSeconds:0.00} s ({content.Length * 8 / _plainGetSeconds / 1_000_000:0.0} Mbit/s), {FormatSize(_plainGetWireBytes)} on the WAN wire ({_wireOverhead:0.000} x content)"));
    }

    /// <summary>WAN wire bytes in copies of a content of <paramref name="length"/> bytes (see <see cref="CalibrateAsync"/>).</summary>
    private double Copies(long wireBytes, long length) => wireBytes / (length * _wireOverhead);

    private async Task RunScenarioAsync(int scenario, CancellationToken cancellationToken)
    {
        _out.WriteLine();
        _out.WriteLine($"== scenario {scenario} ==");
        var watch = Stopwatch.StartNew();
        ScenarioResult result = scenario switch
        {
            1 => new ScenarioResult("1", "Distributed, cold"),
            2 => new ScenarioResult("2", "Hosted cache"),
            3 => new ScenarioResult("3", "No peers"),
            4 => new ScenarioResult("4", "Serving peer killed half-way"),
            5 => new ScenarioResult("5", "Flash crowd"),
            6 => new ScenarioResult("6", "Streaming reads"),
            7 => new ScenarioResult("7", "Size scaling"),
            _ => new ScenarioResult(scenario.ToString(CultureInfo.InvariantCulture), "unknown") { Error = "no such scenario" },
        };
        _results.Add(result);
        if (result.Error is not null)
        {
            return;
        }

        try
        {
            switch (scenario)
            {
                case 1:
                    await RunSwarmAsync(result, _contents[_settings.SizeBytes], killHalfway: false, cancellationToken);
                    break;
                case 2:
                    await RunHostedCacheAsync(result, _contents[_settings.SizeBytes], cancellationToken);
                    break;
                case 3:
                    await RunNoPeersAsync(result, _contents[_settings.SizeBytes], cancellationToken);
                    break;
                case 4:
                    await RunSwarmAsync(result, _contents[_settings.SizeBytes], killHalfway: true, cancellationToken);
                    break;
                case 5:
                    await RunCrowdAsync(result, _contents[_settings.CrowdSizeBytes], cancellationToken);
                    break;
                case 6:
                    await RunStreamingAsync(result, cancellationToken);
                    break;
                case 7:
                    await RunScalingAsync(result, cancellationToken);
                    break;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            result.Error = "cancelled";
            throw;
        }
#pragma warning disable CA1031 // One scenario failing to run must not stop the others: it is reported.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            result.Error = ex.Message;
            _out.WriteLine($"scenario {scenario} could not run: {ex.Message}");
        }
        finally
        {
            await StopAllAgentsAsync();
        }

        _out.WriteLine($"scenario {scenario}: {watch.Elapsed.TotalSeconds:0.0} s");
        foreach (Figure figure in result.Figures)
        {
            _out.WriteLine($"  {figure.Name}: {figure.Value} (goal {figure.Goal}) {figure.Verdict}");
        }
    }

    private async Task StopAllAgentsAsync()
    {
        List<ChildProcess> agents = [.. ChildProcess.Live.Where(c => c != _origin)];
        await Task.WhenAll(agents.Select(a => a.DisposeAsync().AsTask()));
    }

    private string LogPath(string name) =>
        Path.Combine(_logDirectory, $"{Interlocked.Increment(ref _childCount):000}-{name}.log");

    internal static string FormatSize(long bytes) => Math.Abs(bytes) switch
    {
        >= RunSettings.MiB => (bytes / (double)RunSettings.MiB).ToString("0.##", CultureInfo.InvariantCulture) + " MiB",
        >= 1024 => (bytes / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " KiB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };

    private static string FindDotnet()
    {
        string? process = Environment.ProcessPath;
        if (process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet")
        {
            return process;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
    }

    /// <summary>Ctrl-C and process exit: kill the children and delete the namespaces even when the finally cannot run.</summary>
    private sealed class ExitCleanup : IDisposable
    {
        private readonly Orchestrator _owner;

        public ExitCleanup(Orchestrator owner)
        {
            _owner = owner;
            AppDomain.CurrentDomain.ProcessExit += OnExit;
        }

        public void Dispose() => AppDomain.CurrentDomain.ProcessExit -= OnExit;

        private void OnExit(object? sender, EventArgs e)
        {
            ChildProcess.KillAll();
            _owner._topology.DeleteAllNow();
        }
    }
}
