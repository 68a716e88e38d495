using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using PeerDist.Caching;
using PeerDist.Client;
using PeerDist.Discovery;
using PeerDist.Hosting;
using PeerDist.Http;
using PeerDist.Transport.Udp;

namespace PeerDist.Cli;

/// <summary>
/// The body of <c>peerdist get</c>: sets up a cache, a peer locator and a <see cref="PeerDistClient"/>, downloads through
/// <see cref="PeerDistHttpHandler"/> into a temporary file next to the output, and renames it only once every byte was
/// received and verified.
/// </summary>
internal static class GetDownload
{
    private const int CopyBufferSize = 128 * 1024;

    public static async Task<int> RunAsync(CliConsole console, GetRequest request, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        string? temporaryCache = null;
        try
        {
            string cacheDirectory;
            if (request.Cache is null)
            {
                temporaryCache = Directory.CreateTempSubdirectory("peerdist-get-").FullName;
                cacheDirectory = temporaryCache;
            }
            else
            {
                cacheDirectory = request.Cache;
            }

            using FileContentCache cache = OpenCache(cacheDirectory);
            IPeerLocator? locator = CreateLocator(console, request);
            try
            {
                var client = new PeerDistClient(new PeerDistClientOptions { Cache = cache, PeerLocator = locator });
                await using (client.ConfigureAwait(false))
                {
                    var inner = new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None };
                    using var http = new HttpClient(new PeerDistHttpHandler(client, inner, options: null, loggerFactory.CreateLogger<PeerDistHttpHandler>()));
                    return await DownloadAsync(console, request, http, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                if (locator is IAsyncDisposable disposable)
                {
                    await disposable.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            if (temporaryCache is not null)
            {
                TryDeleteDirectory(temporaryCache);
            }
        }
    }

    private static FileContentCache OpenCache(string directory)
    {
        try
        {
            // FileContentCache creates a missing directory only when it measures the volume; create it first anyway.
            Directory.CreateDirectory(directory);
            return new FileContentCache(new ContentCacheOptions { RootPath = directory });
        }
        catch (ContentCacheLockedException)
        {
            throw CliException.BadInput($"the cache '{directory}' is in use by a running node (peerdist serve) or another command; stop it first, or give another --cache");
        }
        catch (Exception e) when (InputFiles.IsFileError(e))
        {
            throw CliException.BadInput($"the cache '{directory}' cannot be opened: {InputFiles.OneLine(e.Message)}");
        }
    }

    private static IPeerLocator? CreateLocator(CliConsole console, GetRequest request)
    {
        if (request.Peers.Count != 0)
        {
            return new StaticPeerLocator(request.Peers);
        }

        if (!request.Discover)
        {
            return null;
        }

        DiscoveryPlan? plan;
        string? reason;
        try
        {
            plan = DiscoveryPlan.Resolve(
                new PeerDistNodeOptions { DiscoveryInterfaces = request.Interfaces, DiscoveryOnLoopback = request.Loopback, DiscoveryPort = request.DiscoveryPort },
                out reason);
        }
        catch (PeerDistNodeStartException e)
        {
            throw CliException.BadInput(e.Message);
        }

        if (plan is null)
        {
            CommandRunner.WriteWarning(console, $"no discovery: {reason}; downloading from the cache and the server only");
            return null;
        }

        // A prober only: this command serves nobody, so it neither joins the groups nor answers Probes.
        return new DiscoveryPeerLocator(new DiscoveryPeerLocatorOptions
        {
            Channel = new UdpMulticastChannelOptions
            {
                Port = request.DiscoveryPort,
                Interfaces = plan.Interfaces,
                JoinGroups = false,
                UseIPv4 = true,
                UseIPv6 = plan.UseIPv6,
            },
            Prober = new PccrdProberOptions { LocalNetworks = plan.LocalNetworks },
        });
    }

    private static async Task<int> DownloadAsync(CliConsole console, GetRequest request, HttpClient http, CancellationToken cancellationToken)
    {
        long started = console.Time.GetTimestamp();
        using HttpResponseMessage response = await SendAsync(request.Url, http, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw CliException.BadInput(FormattableString.Invariant($"'{request.Url}': the server answered {(int)response.StatusCode} {response.ReasonPhrase}"));
        }

        long? total = response.Content.Headers.ContentLength;
        long received;
        if (request.ToStandardOutput)
        {
            received = await CopyBodyAsync(console, request.Url, response, total, console.Out, cancellationToken).ConfigureAwait(false);
            await console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            received = await WriteFileAsync(console, request, response, total, cancellationToken).ConfigureAwait(false);
        }

        TimeSpan elapsed = console.Time.GetElapsedTime(started);
        string summary = GetSummary.Format(request.ToStandardOutput ? "standard output" : request.Output, received, elapsed, response);
        if (request.ToStandardOutput)
        {
            console.Error.WriteLine("peerdist: " + summary);
            console.Error.Flush();
        }
        else
        {
            await CacheCommand.WriteLinesAsync(console, [summary], CancellationToken.None).ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }

    private static async Task<HttpResponseMessage> SendAsync(Uri url, HttpClient http, CancellationToken cancellationToken)
    {
        try
        {
            return await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw CliException.BadInput(e.InnerException is SocketException socket
                ? $"cannot reach {url.Authority}: {socket.Message} ({socket.SocketErrorCode})"
                : $"'{url}': {OneLineWithCause(e)}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw CliException.BadInput(FormattableString.Invariant($"'{url}': no answer from {url.Authority} within {http.Timeout.TotalSeconds:0} s"));
        }
    }

    /// <summary>Writes the body to a temporary file next to the output, then renames it; nothing is left behind on failure.</summary>
    private static async Task<long> WriteFileAsync(CliConsole console, GetRequest request, HttpResponseMessage response, long? total, CancellationToken cancellationToken)
    {
        string target = Path.GetFullPath(request.Output);
        string temporary = target + "." + Guid.NewGuid().ToString("N")[..8] + ".part";
        bool renamed = false;
        try
        {
            FileStream file;
            try
            {
                file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
            }
            catch (Exception e) when (InputFiles.IsFileError(e))
            {
                throw CliException.BadInput($"cannot write '{request.Output}': {InputFiles.OneLine(e.Message)}");
            }

            long received;
            await using (file.ConfigureAwait(false))
            {
                received = await CopyBodyAsync(console, request.Url, response, total, file, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            try
            {
                File.Move(temporary, target, overwrite: true);
            }
            catch (Exception e) when (InputFiles.IsFileError(e))
            {
                throw CliException.BadInput($"cannot write '{request.Output}': {InputFiles.OneLine(e.Message)}");
            }

            renamed = true;
            return received;
        }
        finally
        {
            if (!renamed)
            {
                TryDeleteFile(temporary);
            }
        }
    }

    private static async Task<long> CopyBodyAsync(CliConsole console, Uri url, HttpResponseMessage response, long? total, Stream destination, CancellationToken cancellationToken)
    {
        using ProgressBar? progress = ProgressBar.CreateIfUseful(console, "get", total ?? 0);
        byte[] buffer = new byte[CopyBufferSize];
        long received = 0;
        try
        {
            Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                int read;
                while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    received += read;
                    progress?.Report(received);
                }
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            // A block that failed verification (PeerDistOriginException, PeerDistContentUnavailableException: both
            // IOExceptions), a connection that ended early, a full disk.
            throw CliException.BadInput(FormattableString.Invariant($"'{url}': the download failed after {received} bytes: {OneLineWithCause(e)}"));
        }

        if (total is { } length && received != length)
        {
            throw CliException.BadInput(FormattableString.Invariant($"'{url}': the connection ended after {received} of {length} bytes"));
        }

        return received;
    }

    private static string OneLineWithCause(Exception e) =>
        InputFiles.OneLine(e.InnerException is { } inner && !e.Message.Contains(inner.Message, StringComparison.Ordinal)
            ? $"{e.Message} ({inner.Message})"
            : e.Message);

    private static void TryDeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Debug.WriteLine(string.Create(CultureInfo.InvariantCulture, $"could not delete {path}: {e.Message}"));
        }
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a temporary cache left behind is not worth failing a finished download for.
            Debug.WriteLine(string.Create(CultureInfo.InvariantCulture, $"could not delete {path}: {e.Message}"));
        }
    }
}
