using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using PeerDist.Hosting;

namespace PeerDist.Cli;

/// <summary>
/// <c>peerdist hosted-cache</c>: runs a hosted cache (MS-PCHC) until Ctrl-C: offers are answered over plain HTTP (version
/// 2.0) and, with a certificate, over HTTPS (version 1.0); offered segments are pulled from the offering clients into the
/// cache and served to every client over MS-PCCRR. Prints <c>hosted cache: MS-PCHC v2 on http://…/, v1 on https://…/</c>
/// on standard output; logs go to standard error.
/// </summary>
internal static class HostedCacheCommand
{
    public const string Name = "hosted-cache";

    /// <summary>The start of the line that says where offers are taken (tests and scripts read the ports from it).</summary>
    public const string StartedPrefix = "hosted cache: ";

    public static Command Create(CliConsole console)
    {
        var cache = new Option<string>("--cache")
        {
            Description = "The cache directory (created if missing; locked while running; kept across restarts). Default: a cache in memory, gone on exit.",
            HelpName = "DIR",
        };
        var cacheSize = new Option<string>("--cache-size")
        {
            Description = "The cache's size cap, e.g. 200GiB (units are powers of 1024). Default: 5 % of the volume (no cap in memory).",
            HelpName = "SIZE",
        };
        var port = new Option<int>("--port")
        {
            Description = "The plain HTTP port: MS-PCHC version 2.0 offers and MS-PCCRR; 0 picks a free one. Ports below 1024 need privileges on Linux.",
            DefaultValueFactory = _ => PeerDistNodeOptions.DefaultPort,
        };
        var tlsPort = new Option<int>("--tls-port")
        {
            Description = "The HTTPS port of MS-PCHC version 1.0 (with --certificate); 0 picks a free one.",
            DefaultValueFactory = _ => PeerDistNodeOptions.DefaultTlsPort,
        };
        var listen = new Option<string[]>("--listen")
        {
            Description = "An address to listen on (repeatable). Default: every IPv4 and IPv6 address.",
            HelpName = "ADDR",
            AllowMultipleArgumentsPerToken = false,
        };
        var certificate = new Option<string>("--certificate")
        {
            Description = "The TLS certificate for MS-PCHC version 1.0: a .pfx/.p12 file, or a .pem/.crt file (key in the same file or --certificate-key). Without it only version 2.0 runs.",
            HelpName = "FILE",
        };
        var certificatePassword = new Option<string>("--certificate-password")
        {
            Description = "The password of the .pfx/.p12 file, or of an encrypted PEM key.",
            HelpName = "PASSWORD",
        };
        var certificateKey = new Option<string>("--certificate-key")
        {
            Description = "The PEM private key of a .pem/.crt --certificate.",
            HelpName = "KEY.pem",
        };
        var verbose = new Option<bool>("--verbose", "-v")
        {
            Description = "Log every served block, pull and dropped request (debug level).",
        };

        var command = new Command(Name, "Run a hosted cache (MS-PCHC) until Ctrl-C: take offers from clients, pull the offered content, serve it to every client (MS-PCCRR).")
        {
            cache,
            cacheSize,
            port,
            tlsPort,
            listen,
            certificate,
            certificatePassword,
            certificateKey,
            verbose,
        };
        CommandRunner.SetAction(command, console, async (result, cancellationToken) =>
        {
            string? certificatePath = result.GetValue(certificate);
            if (certificatePath is null && (result.GetValue(certificatePassword) is not null || result.GetValue(certificateKey) is not null))
            {
                throw CliException.Usage("--certificate-password and --certificate-key need --certificate");
            }

            List<IPAddress> addresses = ParseAddresses(result.GetValue(listen) ?? []);
            int httpPort = CheckPort("--port", result.GetValue(port));
            int httpsPort = CheckPort("--tls-port", result.GetValue(tlsPort));
            long? size = ServeCommand.ParseSize(result.GetValue(cacheSize));
            using X509Certificate2? loaded = certificatePath is null
                ? null
                : HostedCacheCertificateFile.Load(certificatePath, result.GetValue(certificatePassword), result.GetValue(certificateKey));
            PeerDistNodeOptions options = BuildOptions(result.GetValue(cache), size, addresses, httpPort, httpsPort, loaded);
            using var logging = new CliLoggerProvider(console.Error, result.GetValue(verbose) ? LogLevel.Debug : LogLevel.Information);
            using ILoggerFactory loggerFactory = LoggerFactory.Create(builder =>
            {
                builder.SetMinimumLevel(LogLevel.Trace);
                builder.AddProvider(logging);
            });
            return await RunAsync(console, options, loggerFactory, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>The startup line: where version 2.0 (and 1.0) offers are taken.</summary>
    public static string FormatStarted(IReadOnlyList<IPEndPoint> http, IReadOnlyList<IPEndPoint> https)
    {
        string v2 = string.Join(", ", http.Select(e => $"http://{e}/"));
        return https.Count == 0
            ? $"{StartedPrefix}MS-PCHC v2 on {v2} (no certificate: v1 over HTTPS is off)"
            : $"{StartedPrefix}MS-PCHC v2 on {v2}, v1 on {string.Join(", ", https.Select(e => $"https://{e}/"))}";
    }

    private static int CheckPort(string name, int port) =>
        port is < 0 or > IPEndPoint.MaxPort ? throw CliException.Usage($"{name} {port} is not a port (0 to 65535)") : port;

    private static List<IPAddress> ParseAddresses(string[] listen)
    {
        if (listen.Length == 0)
        {
            return [.. PeerDistNodeOptions.CreateDefaultListenEndPoints().Select(e => e.Address)];
        }

        var addresses = new List<IPAddress>(listen.Length);
        foreach (string text in listen)
        {
            addresses.Add(IPAddress.TryParse(text, out IPAddress? address) ? address : throw CliException.Usage($"--listen '{text}' is not an IP address"));
        }

        return addresses;
    }

    private static PeerDistNodeOptions BuildOptions(string? cache, long? size, List<IPAddress> addresses, int port, int tlsPort, X509Certificate2? certificate)
    {
        try
        {
            var options = new PeerDistNodeOptions
            {
                Mode = PeerDistNodeMode.HostedCache,
                CachePath = cache,
                CacheMaxSizeBytes = size,
                ListenEndPoints = [.. addresses.Select(a => new IPEndPoint(a, port))],
                TlsListenEndPoints = [.. addresses.Select(a => new IPEndPoint(a, tlsPort))],
                Certificate = certificate,
            };
            options.Validate();
            return options;
        }
        catch (ArgumentException e)
        {
            throw CliException.Usage(e.Message);
        }
    }

    private static async Task<int> RunAsync(CliConsole console, PeerDistNodeOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        PeerDistNode node;
        try
        {
            node = new PeerDistNode(options, loggerFactory);
        }
        catch (PeerDistNodeStartException e)
        {
            throw CliException.BadInput(e.Message);
        }

        await using (node.ConfigureAwait(false))
        {
            try
            {
                await node.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PeerDistNodeStartException e)
            {
                throw CliException.BadInput(e.Message);
            }

            string[] lines =
            [
                FormatStarted(node.EndPoints, node.TlsEndPoints),
                .. node.EndPoints.Select(e => ServeCommand.ServingPrefix + e.ToString()),
            ];
            await CacheCommand.WriteLinesAsync(console, lines, CancellationToken.None).ConfigureAwait(false);
            await console.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            if (options.CachePath is null)
            {
                CommandRunner.WriteWarning(console, "the cache is in memory: nothing is kept after exit (use --cache DIR)");
            }

            console.Error.WriteLine("peerdist: press Ctrl-C to stop");
            console.Error.Flush();
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C: the normal way to stop a server; exit 0.
            }

            await node.StopAsync(CancellationToken.None).ConfigureAwait(false);
            PeerDistNodeStatistics statistics = node.GetStatistics();
            PeerDist.HostedCache.HostedCacheStatistics offers = statistics.HostedCache!;
            console.Error.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"peerdist: stopped; answered {offers.OffersAnswered} offer(s) ({offers.OffersDropped} dropped), pulled {offers.PullsCompleted} segment(s) ({ByteSize.Format(offers.BytesPulled)}), served {statistics.BlocksServed} block(s); the cache holds {statistics.Cache.SegmentCount} segment(s), {ByteSize.Format(statistics.Cache.Bytes)}"));
            console.Error.Flush();
        }

        return ExitCodes.Success;
    }
}
