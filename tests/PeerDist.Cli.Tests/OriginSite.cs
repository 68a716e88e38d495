using System.Globalization;
using System.Net;

namespace PeerDist.Cli.Tests;

/// <summary>
/// <c>peerdist origin DIR --listen 127.0.0.1 --port 0</c> run in-process as a user runs it, until <see cref="StopAsync"/>
/// (the Ctrl-C token). Reads the URL from the <c>serving DIR on URL (MS-PCCRTP)</c> line.
/// </summary>
internal sealed class OriginSite : IAsyncDisposable
{
    /// <summary>The passphrase the site is started with.</summary>
    public const string Passphrase = "cli origin tests";

    private readonly CancellationTokenSource _ctrlC;
    private readonly Task<int> _run;
    private readonly StringWriter _stderr;

    private OriginSite(Uri baseAddress, string line, CancellationTokenSource ctrlC, Task<int> run, StringWriter stderr)
    {
        BaseAddress = baseAddress;
        ServingLine = line;
        _ctrlC = ctrlC;
        _run = run;
        _stderr = stderr;
    }

    public Uri BaseAddress { get; }

    public string ServingLine { get; }

    public string Stderr => _stderr.ToString();

    public static async Task<OriginSite> StartAsync(string root, CancellationToken cancellationToken, params string[] extra)
    {
        var stdout = new WatchedOutput();
        var stderr = new StringWriter(CultureInfo.InvariantCulture);
        var ctrlC = new CancellationTokenSource();
        Task<int> run = Program.RunAsync(
            ["origin", root, "--listen", "127.0.0.1", "--port", "0", "--passphrase", Passphrase, .. extra],
            new CliConsole { Out = stdout, Error = TextWriter.Synchronized(stderr) },
            ctrlC.Token);
        Task<string> line = stdout.WaitForLineAsync("serving ", cancellationToken);
        if (await Task.WhenAny(line, run) == run)
        {
            ctrlC.Dispose();
            throw new InvalidOperationException($"peerdist origin exited {await run}: {stderr}");
        }

        string text = await line;
        string url = text[(text.IndexOf(" on ", StringComparison.Ordinal) + 4)..text.LastIndexOf(" (MS-PCCRTP)", StringComparison.Ordinal)];
        return new OriginSite(new Uri(url), text, ctrlC, run, stderr);
    }

    /// <summary>The URL of <paramref name="name"/> on the site.</summary>
    public string Url(string name) => new Uri(BaseAddress, name).ToString();

    /// <summary>
    /// Asks for <paramref name="name"/> as a PeerDist 1.1 client (V1 content information, <c>HashRequest=true</c>, wire.md
    /// §4.2) until the site answers with content information (the first answers are plain while it hashes); returns it.
    /// </summary>
    public async Task<HttpResponseMessage> WaitForContentInformationAsync(string name, CancellationToken cancellationToken)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AutomaticDecompression = DecompressionMethods.None });
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Url(name));
            request.Headers.TryAddWithoutValidation("Accept-Encoding", "peerdist");
            request.Headers.TryAddWithoutValidation("X-P2P-PeerDist", "Version=1.1");
            request.Headers.TryAddWithoutValidation("X-P2P-PeerDistEx", "MinContentInformation=1.0, MaxContentInformation=1.0, HashRequest=true");
            HttpResponseMessage response = await http.SendAsync(request, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            if (response.Content.Headers.ContentEncoding.Contains("peerdist"))
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Ctrl-C, then the exit code.</summary>
    public async Task<int> StopAsync()
    {
        await _ctrlC.CancelAsync();
        return await _run;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_run.IsCompleted)
        {
            await _ctrlC.CancelAsync();
            await _run;
        }

        _ctrlC.Dispose();
        _stderr.Dispose();
    }
}
