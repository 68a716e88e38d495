using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace PeerDist.BranchOffice;

/// <summary>
/// A child of the orchestrator (origin, agent, crowd) started in a namespace with <c>ip netns exec</c>, which execs the
/// command (so the process id is the command's own). Standard output is read as JSON event lines (other lines are
/// logged), standard error goes to the log file.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, ChildProcess> s_live = new();

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _lock = new();
    private readonly List<JsonElement> _events = [];
    private readonly List<(Func<JsonElement, bool> Match, TaskCompletionSource<JsonElement> Waiter)> _waiters = [];
    private readonly Task _stdout;
    private readonly Task _stderr;
    private readonly List<string> _lines = [];
    private int _disposed;

    private ChildProcess(string name, Process process, string logPath)
    {
        Name = name;
        _process = process;
        _log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        Pid = process.Id;
        _stdout = Task.Run(ReadOutputAsync);
        _stderr = Task.Run(ReadErrorAsync);
    }

    public string Name { get; }

    public int Pid { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Called for each event line (on the reader thread).</summary>
    public Action<ChildProcess, JsonElement>? OnEvent { get; set; }

    /// <summary>Every process still running, for the last-resort kill at exit.</summary>
    public static IEnumerable<ChildProcess> Live => s_live.Values;

    public static ChildProcess Start(string name, string ns, IReadOnlyList<string> command, string logPath)
    {
        var info = new ProcessStartInfo("ip")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("netns");
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(ns);
        foreach (string part in command)
        {
            info.ArgumentList.Add(part);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_gcServer"] = "0";
        var process = new Process { StartInfo = info };
        process.Start();
        var child = new ChildProcess(name, process, logPath);
        s_live[child.Pid] = child;
        child._log.WriteLine($"# {Shell.Describe("ip", [.. info.ArgumentList])}");
        return child;
    }

    public IReadOnlyList<JsonElement> Events
    {
        get
        {
            lock (_lock)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>Lines on standard output that were not JSON (the origin's "serving ..." line).</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lock)
            {
                return [.. _lines];
            }
        }
    }

    public JsonElement? LastEvent(string name)
    {
        lock (_lock)
        {
            for (int i = _events.Count - 1; i >= 0; i--)
            {
                if (_events[i].GetProperty("event").GetString() == name)
                {
                    return _events[i];
                }
            }
        }

        return null;
    }

    /// <summary>Waits for the first event named <paramref name="name"/> (seen before or after the call).</summary>
    public Task<JsonElement> WaitForEventAsync(string name, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitForAsync(e => e.GetProperty("event").GetString() == name, $"event '{name}'", timeout, cancellationToken);

    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> match, string what, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            foreach (JsonElement e in _events)
            {
                if (match(e))
                {
                    return e;
                }
            }

            _waiters.Add((match, waiter));
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        Task exited = _process.WaitForExitAsync(deadline.Token);
        Task done = await Task.WhenAny(waiter.Task, exited, Task.Delay(Timeout.Infinite, deadline.Token));
        if (done == waiter.Task)
        {
            return await waiter.Task;
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (_process.HasExited)
        {
            // The process may have written the event just before exiting.
            await _stdout.WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (waiter.Task.IsCompleted)
            {
                return await waiter.Task;
            }

            throw new ChildFailedException($"{Name} exited (code {_process.ExitCode}) before {what}{LastError()}");
        }

        throw new TimeoutException($"{Name}: no {what} within {timeout.TotalSeconds:0} s{LastError()}");
    }

    public void Send(string line)
    {
        try
        {
            _process.StandardInput.WriteLine(line);
            _process.StandardInput.Flush();
        }
        catch (IOException)
        {
            // The child is gone; its absence is reported by the waits.
        }
    }

    public void Start(double unixMs) => Send("start " + unixMs.ToString("F3", CultureInfo.InvariantCulture));

    /// <summary>Closes standard input: the child's signal to stop.</summary>
    public void CloseInput()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
        }
    }

    /// <summary>SIGKILL.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill();
        }
        catch (InvalidOperationException)
        {
        }
    }

    /// <summary>User plus system CPU time so far, from <c>/proc/PID/stat</c> (zero once the process is gone).</summary>
    public TimeSpan ReadCpuTime() => ReadCpuTime(Pid);

    public static TimeSpan ReadCpuTime(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');

            // Fields 14 and 15 (utime, stime) of proc(5), counted after the ")" that ends field 2; in clock ticks (100/s).
            long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromMilliseconds(ticks * 10);
        }
        catch (IOException)
        {
            return TimeSpan.Zero;
        }
        catch (UnauthorizedAccessException)
        {
            return TimeSpan.Zero;
        }
    }

    /// <summary>Asks the child to stop (input closed), waits up to <paramref name="grace"/>, then kills it.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        CloseInput();
        using var deadline = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (!_process.HasExited)
        {
            await StopAsync(TimeSpan.FromSeconds(5));
        }

        await Task.WhenAll(_stdout, _stderr).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        s_live.TryRemove(Pid, out _);
        _process.Dispose();
        await _log.DisposeAsync();
    }

    /// <summary>The last resort at process exit: SIGKILL every child still running.</summary>
    public static void KillAll()
    {
        foreach (ChildProcess child in s_live.Values)
        {
            child.Kill();
        }
    }

    private string LastError()
    {
        JsonElement? error = LastEvent("error");
        return error is { } e ? ": " + e.GetProperty("message").GetString() : $" (see {Name}'s log)";
    }

    private async Task ReadOutputAsync()
    {
        string? line;
        while ((line = await _process.StandardOutput.ReadLineAsync()) is not null)
        {
            LogLine("out", line);
            if (!line.StartsWith('{'))
            {
                lock (_lock)
                {
                    _lines.Add(line);
                }

                continue;
            }

            JsonElement element;
            try
            {
                using var document = JsonDocument.Parse(line);
                element = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                continue;
            }

            List<TaskCompletionSource<JsonElement>> ready = [];
            lock (_lock)
            {
                _events.Add(element);
                for (int i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (_waiters[i].Match(element))
                    {
                        ready.Add(_waiters[i].Waiter);
                        _waiters.RemoveAt(i);
                    }
                }
            }

            foreach (TaskCompletionSource<JsonElement> waiter in ready)
            {
                waiter.TrySetResult(element);
            }

            OnEvent?.Invoke(this, element);
        }
    }

    private async Task ReadErrorAsync()
    {
        string? line;
        while ((line = await _process.StandardError.ReadLineAsync()) is not null)
        {
            LogLine("err", line);
        }
    }

    private void LogLine(string stream, string line)
    {
        // Progress lines are many and small; the log keeps them too, it is the run's record.
        lock (_log)
        {
            _log.WriteLine($"{stream} {line}");
        }
    }
}
