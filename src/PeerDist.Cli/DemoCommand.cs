using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using PeerDist.AspNetCore;
using PeerDist.Client;
using PeerDist.Hosting;
using PeerDist.Http;

namespace PeerDist.Cli;

/// <summary>
/// <c>peerdist demo</c>: the whole system on loopback with temporary directories. An origin (Kestrel with the MS-PCCRTP
/// middleware) serves a generated file over a throttled "WAN"; a branch of three nodes (each its own cache, PCCRR server
/// and multicast discovery on the loopback interface) downloads it through <see cref="PeerDistHttpHandler"/>: node 1
/// first, from the origin; then nodes 2 and 3 at once, from their peers. Prints bytes by source and time per node,
/// verifies every download against the file's SHA-256, removes everything, and exits 0 when all is well.
/// </summary>
internal static class DemoCommand
{
    public const string Name = "demo";

    private const string Passphrase = "peerdist demo";
    private const string FileName = "branch-office.bin";

    public static Command Create(CliConsole console)
    {
        var size = new Option<string>("--size")
        {
            Description = "The size of the generated file, e.g. 256MiB or 1GiB.",
            DefaultValueFactory = _ => "256MiB",
            HelpName = "SIZE",
        };
        var wanRate = new Option<string>("--wan-rate")
        {
            Description = "The origin link's rate per second, e.g. 40M or 100MiB (powers of 1024); 0 for unthrottled.",
            DefaultValueFactory = _ => "20MiB",
            HelpName = "RATE",
        };
        var keep = new Option<bool>("--keep")
        {
            Description = "Keep the temporary directories (their path is printed) instead of removing them.",
        };
        var diskCaches = new Option<bool>("--disk-caches")
        {
            Description = "Give each node an on-disk cache in the temporary directory instead of one in memory (slower: one file per block).",
        };
        var verbose = new Option<bool>("--verbose", "-v")
        {
            Description = "Log what the nodes do (on standard error).",
        };
        var command = new Command(Name, "Run an origin and a branch of three nodes on loopback: node 1 downloads over a throttled WAN, nodes 2 and 3 from peers.")
        {
            size,
            wanRate,
            keep,
            diskCaches,
            verbose,
        };
        CommandRunner.SetAction(command, console, (result, cancellationToken) =>
        {
            long bytes = ParseSize("--size", result.GetValue(size)!);
            long rate = ParseSize("--wan-rate", result.GetValue(wanRate)!);
            if (bytes < 1024 * 1024)
            {
                throw CliException.Usage("--size must be at least 1MiB (smaller files are not worth a peer)");
            }

            return RunAsync(console, bytes, rate, result.GetValue(keep), result.GetValue(diskCaches), result.GetValue(verbose), cancellationToken);
        });
        return command;
    }

    private static long ParseSize(string option, string text) =>
        text == "0" ? 0 : ByteSize.TryParse(text, out long value)
            ? value
            : throw CliException.Usage($"{option} '{text}' is not a size (bytes, or a number with K, M, G, KiB, MiB or GiB: powers of 1024)");

    private static async Task<int> RunAsync(CliConsole console, long size, long wanRate, bool keep, bool diskCaches, bool verbose, CancellationToken cancellationToken)
    {
        using var logging = new CliLoggerProvider(console.Error, verbose ? LogLevel.Information : LogLevel.Warning);
        using ILoggerFactory loggerFactory = LoggerFactory.Create(builder =>
        {
            builder.SetMinimumLevel(LogLevel.Trace);
            builder.AddProvider(logging);
        });
        string root = Path.Combine(Path.GetTempPath(), "peerdist-demo-" + Guid.NewGuid().ToString("N")[..8]);
        var output = new StreamWriter(console.Out, leaveOpen: true) { AutoFlush = true };
        try
        {
            Directory.CreateDirectory(root);
            string site = Directory.CreateDirectory(Path.Combine(root, "origin")).FullName;
            output.WriteLine($"peerdist demo: everything on loopback, in {root}");

            string file = Path.Combine(site, FileName);
            output.Write($"generating {ByteSize.Format(size)} of random content ... ");
            byte[] expected = await GenerateAsync(file, size, cancellationToken).ConfigureAwait(false);
            output.WriteLine("done");

            WebApplication origin = await StartOriginAsync(site, Path.Combine(root, "origin-hashes"), file, cancellationToken).ConfigureAwait(false);
            await using System.Runtime.CompilerServices.ConfiguredAsyncDisposable stopOrigin = origin.ConfigureAwait(false);
            var url = new Uri(new Uri(origin.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()), FileName);
            output.WriteLine($"origin: {url} (MS-PCCRTP), WAN {(wanRate == 0 ? "unthrottled" : ByteSize.Format(wanRate) + "/s")}");

            int discoveryPort = FreeUdpPort();
            var link = new DemoWanLink(wanRate, TimeProvider.System);
            var nodes = new List<PeerDistNode>();
            try
            {
                for (int i = 1; i <= 3; i++)
                {
                    var node = new PeerDistNode(
                        new PeerDistNodeOptions
                    {
                        Mode = PeerDistNodeMode.Distributed,
                        CachePath = diskCaches ? Directory.CreateDirectory(Path.Combine(root, $"node{i}")).FullName : null,
                        CacheMaxSizeBytes = (2 * size) + (64L << 20),
                        ListenEndPoints = [new IPEndPoint(IPAddress.Parse($"127.0.0.{10 + i}"), 0)],
                        DiscoveryOnLoopback = true,
                        DiscoveryPort = discoveryPort,

                        // Three nodes and an origin share this machine's cores: do not give up on a busy peer too soon.
                        PeerRequestTimeout = TimeSpan.FromSeconds(10),
                    },
                        loggerFactory);
                    nodes.Add(node);
                    await node.StartAsync(cancellationToken).ConfigureAwait(false);
                    output.WriteLine($"node {i}: MS-PCCRR on {node.EndPoint}, discovery on loopback port {discoveryPort}, cache {(diskCaches ? "on disk" : "in memory")}");
                }

                output.WriteLine();
                output.WriteLine("node 1 downloads first (nobody in the branch has the file) ...");
                var results = new List<DemoResult> { await DownloadAsync(1, nodes[0], url, link, expected, cancellationToken).ConfigureAwait(false) };
                output.WriteLine("nodes 2 and 3 download at the same time ...");
                results.AddRange(await Task.WhenAll(
                    DownloadAsync(2, nodes[1], url, link, expected, cancellationToken),
                    DownloadAsync(3, nodes[2], url, link, expected, cancellationToken)).ConfigureAwait(false));

                output.WriteLine();
                WriteTable(output, results);
                long wanBytes = link.Bytes;
                output.WriteLine();
                output.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"WAN: {ByteSize.Format(wanBytes)} crossed the origin link for {results.Count} downloads of {ByteSize.Format(size)} (plain HTTP: {ByteSize.Format(results.Count * size)})."));
                bool verified = results.TrueForAll(r => r.Verified);
                output.WriteLine(verified
                    ? "every byte of every download matched the file's SHA-256."
                    : "VERIFICATION FAILED: a download does not match the file.");
                return verified ? ExitCodes.Success : ExitCodes.BadInput;
            }
            finally
            {
                foreach (PeerDistNode node in nodes)
                {
                    await node.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            if (keep)
            {
                output.WriteLine($"kept {root}");
            }
            else
            {
                TryDelete(root);
            }

            await output.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Writes <paramref name="size"/> pseudo-random bytes to <paramref name="path"/> and returns their SHA-256.</summary>
    private static async Task<byte[]> GenerateAsync(string path, long size, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[1024 * 1024];
        var random = new Random(20261126);
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, useAsync: true);
        await using System.Runtime.CompilerServices.ConfiguredAsyncDisposable closeStream = stream.ConfigureAwait(false);
        for (long left = size; left > 0;)
        {
            int n = (int)Math.Min(buffer.Length, left);
            random.NextBytes(buffer.AsSpan(0, n));
            hash.AppendData(buffer, 0, n);
            await stream.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            left -= n;
        }

        return hash.GetHashAndReset();
    }

    /// <summary>Kestrel on 127.0.0.1:0 serving <paramref name="site"/> with MS-PCCRTP; the file's content information is published before the first request.</summary>
    private static async Task<WebApplication> StartOriginAsync(string site, string hashes, string file, CancellationToken cancellationToken)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = site, WebRootPath = site });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Services.AddPeerDistOrigin(options =>
        {
            options.ServerSecretPassphrase = Passphrase;
            options.CacheDirectory = hashes;
        });
        WebApplication app = builder.Build();
        app.UsePeerDist();
        app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(site), ServeUnknownFileTypes = true });
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        await app.Services.GetRequiredService<PeerDistOrigin>().PublishFileAsync(file, cancellationToken).ConfigureAwait(false);
        return app;
    }

    /// <summary>One node's download through the PeerDist HttpClient handler, hashed as it streams.</summary>
    private static async Task<DemoResult> DownloadAsync(int number, PeerDistNode node, Uri url, DemoWanLink link, byte[] expected, CancellationToken cancellationToken)
    {
        var wan = new DemoThrottledHandler(new SocketsHttpHandler { UseProxy = false }, link);
        using var http = new HttpClient(new PeerDistHttpHandler(node.Client, wan)) { Timeout = Timeout.InfiniteTimeSpan };
        var clock = Stopwatch.StartNew();
        using HttpResponseMessage response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long length = 0;
        Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            byte[] buffer = new byte[1024 * 1024];
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                length += read;
            }
        }

        clock.Stop();
        PeerDistContentStatistics? statistics = (response.Content as PeerDistResponseContent)?.GetStatistics();
        return new DemoResult(
            number,
            length,
            statistics?.BytesFromCache ?? 0,
            statistics?.BytesFromPeers ?? 0,
            statistics?.BytesFromOrigin ?? length,
            statistics is not null,
            clock.Elapsed,
            hash.GetHashAndReset().AsSpan().SequenceEqual(expected));
    }

    private static void WriteTable(TextWriter output, List<DemoResult> results)
    {
        output.WriteLine("node   received     from cache   from peers   from origin   time      MB/s    verified");
        foreach (DemoResult r in results)
        {
            double mbps = r.Length / 1e6 / Math.Max(r.Elapsed.TotalSeconds, 1e-6);
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{r.Node,-6} {ByteSize.Format(r.Length),-12} {ByteSize.Format(r.FromCache),-12} {ByteSize.Format(r.FromPeers),-12} {ByteSize.Format(r.FromOrigin),-13} {r.Elapsed.TotalSeconds,6:F2} s {mbps,7:F1}   {(r.Verified ? "yes" : "NO")}{(r.PeerDist ? string.Empty : " (plain HTTP)")}"));
        }
    }

    private static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static void TryDelete(string root)
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
