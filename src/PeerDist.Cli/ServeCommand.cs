using System.CommandLine;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using PeerDist.Hosting;

namespace PeerDist.Cli;

/// <summary>
/// <c>peerdist serve</c>: runs a node (cache, MS-PCCRR server, MS-PCCRD discovery) until Ctrl-C. Prints each bound endpoint
/// on standard output as <c>serving MS-PCCRR on ADDRESS:PORT</c>; logs go to standard error.
/// </summary>
internal static class ServeCommand
{
    public const string Name = "serve";

    /// <summary>The line printed for each bound endpoint (tests and scripts read the port from it).</summary>
    public const string ServingPrefix = "serving MS-PCCRR on ";

    public static Command Create(CliConsole console)
    {
        var cache = new Option<string>("--cache")
        {
            Description = "The cache directory (created if missing; locked while the node runs). Default: a cache in memory, gone on exit.",
            HelpName = "DIR",
        };
        var cacheSize = new Option<string>("--cache-size")
        {
            Description = "The cache's size cap, e.g. 20GiB or 512M (units are powers of 1024). Default: 5 % of the volume (no cap in memory).",
            HelpName = "SIZE",
        };
        var port = new Option<int>("--port")
        {
            Description = "The MS-PCCRR port; 0 picks a free one. Ports below 1024 need privileges on Linux.",
            DefaultValueFactory = _ => PeerDistNodeOptions.DefaultPort,
        };
        var listen = new Option<string[]>("--listen")
        {
            Description = "An address to listen on (repeatable). Default: every IPv4 and IPv6 address, as Windows.",
            HelpName = "ADDR",
            AllowMultipleArgumentsPerToken = false,
        };
        var mode = new Option<string>("--mode")
        {
            Description = "distributed (serve peers, discovery), hosted-cache-client (ask only --hosted-cache; serve it, no discovery) or local (no network).",
            DefaultValueFactory = _ => "distributed",
        };
        mode.AcceptOnlyFromAmong("distributed", "hosted-cache-client", "local");
        var hostedCache = new Option<string>("--hosted-cache")
        {
            Description = "The hosted cache, for --mode hosted-cache-client: ADDRESS:PORT or http://ADDRESS:PORT/ (its MS-PCCRR server; MS-PCHC 2.0 offers go there too).",
            HelpName = "ENDPOINT",
        };
        var offerUrl = new Option<string>("--offer-url")
        {
            Description = "Where offers go (hosted-cache-client): http://ADDRESS:PORT/ for MS-PCHC 2.0, https://HOST:PORT/ for 1.0. Default: the --hosted-cache address, 2.0.",
            HelpName = "URL",
        };
        var thumbprint = new Option<string>("--hosted-cache-thumbprint")
        {
            Description = "Pin the hosted cache's TLS certificate (SHA-1 or SHA-256 hex) for https:// offers instead of trusting the system store.",
            HelpName = "HEX",
        };
        var noOffer = new Option<bool>("--no-offer")
        {
            Description = "In hosted-cache-client mode, do not offer completed content to the hosted cache.",
        };
        var interfaces = new Option<string[]>("--interface")
        {
            Description = "A network interface to run discovery on, by name (repeatable). Default: every interface that is up, multicast-capable and not loopback.",
            HelpName = "NAME",
        };
        var loopback = new Option<bool>("--loopback")
        {
            Description = "Run discovery on the loopback interface only (tests, demos on one machine).",
        };
        var discoveryPort = new Option<int>("--discovery-port")
        {
            Description = "The MS-PCCRD UDP port (3702 on the wire; another port keeps a test away from real peers).",
            DefaultValueFactory = _ => Discovery.PccrdConstants.Port,
        };
        var verbose = new Option<bool>("--verbose", "-v")
        {
            Description = "Log every served block and dropped request (debug level).",
        };

        var command = new Command(Name, "Run a PeerDist node until Ctrl-C: serve the cache to peers (MS-PCCRR) and answer discovery (MS-PCCRD).")
        {
            cache,
            cacheSize,
            port,
            listen,
            mode,
            hostedCache,
            offerUrl,
            thumbprint,
            noOffer,
            interfaces,
            loopback,
            discoveryPort,
            verbose,
        };
        CommandRunner.SetAction(command, console, async (result, cancellationToken) =>
        {
            PeerDistNodeOptions options = BuildOptions(
                result.GetValue(cache),
                ParseSize(result.GetValue(cacheSize)),
                result.GetValue(port),
                result.GetValue(listen) ?? [],
                result.GetValue(mode)!,
                result.GetValue(hostedCache),
                result.GetValue(interfaces) ?? [],
                result.GetValue(loopback),
                result.GetValue(discoveryPort),
                new OfferSettings(result.GetValue(offerUrl), result.GetValue(thumbprint), result.GetValue(noOffer)));
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

    /// <summary>Parses <c>--cache-size</c>; null when not given.</summary>
    public static long? ParseSize(string? text)
    {
        if (text is null)
        {
            return null;
        }

        return ByteSize.TryParse(text, out long bytes)
            ? bytes
            : throw CliException.Usage($"--cache-size '{text}' is not a size (bytes, or a number with K, M, G, T, KiB, MiB, GiB or TiB)");
    }

    private static PeerDistNodeOptions BuildOptions(
        string? cache,
        long? cacheSize,
        int port,
        string[] listen,
        string mode,
        string? hostedCache,
        string[] interfaces,
        bool loopback,
        int discoveryPort,
        OfferSettings offer)
    {
        if (port is < 0 or > IPEndPoint.MaxPort)
        {
            throw CliException.Usage($"--port {port} is not a port (0 to 65535)");
        }

        PeerDistNodeMode nodeMode = mode switch
        {
            "hosted-cache-client" => PeerDistNodeMode.HostedCacheClient,
            "local" => PeerDistNodeMode.LocalOnly,
            _ => PeerDistNodeMode.Distributed,
        };
        if (loopback && interfaces.Length != 0)
        {
            throw CliException.Usage("--loopback and --interface exclude each other");
        }

        if (nodeMode != PeerDistNodeMode.HostedCacheClient && hostedCache is not null)
        {
            throw CliException.Usage("--hosted-cache is only used with --mode hosted-cache-client");
        }

        if (nodeMode != PeerDistNodeMode.HostedCacheClient && (offer.Url is not null || offer.Thumbprint is not null || offer.Disabled))
        {
            throw CliException.Usage("--offer-url, --hosted-cache-thumbprint and --no-offer are only used with --mode hosted-cache-client");
        }

        IPEndPoint? hosted = null;
        Uri? offerUri = null;
        if (nodeMode == PeerDistNodeMode.HostedCacheClient)
        {
            if (hostedCache is null)
            {
                throw CliException.Usage("--mode hosted-cache-client needs --hosted-cache ADDRESS:PORT");
            }

            hosted = ParseHostedCache(hostedCache);
            if (offer.Url is not null && !(Uri.TryCreate(offer.Url, UriKind.Absolute, out offerUri) && (offerUri.Scheme == Uri.UriSchemeHttp || offerUri.Scheme == Uri.UriSchemeHttps)))
            {
                throw CliException.Usage($"--offer-url '{offer.Url}' is not an http:// or https:// URL");
            }
        }

        var endPoints = new List<IPEndPoint>();
        if (listen.Length == 0)
        {
            endPoints.AddRange(PeerDistNodeOptions.CreateDefaultListenEndPoints().Select(e => new IPEndPoint(e.Address, port)));
        }
        else
        {
            foreach (string text in listen)
            {
                if (!IPAddress.TryParse(text, out IPAddress? address))
                {
                    throw CliException.Usage($"--listen '{text}' is not an IP address");
                }

                endPoints.Add(new IPEndPoint(address, port));
            }
        }

        try
        {
            var options = new PeerDistNodeOptions
            {
                CachePath = cache,
                CacheMaxSizeBytes = cacheSize,
                Mode = nodeMode,
                ListenEndPoints = endPoints,
                HostedCacheEndPoint = hosted,
                HostedCacheOfferUri = offerUri,
                HostedCacheCertificateThumbprint = offer.Thumbprint,
                OfferToHostedCache = !offer.Disabled,
                DiscoveryInterfaces = interfaces,
                DiscoveryOnLoopback = loopback,
                DiscoveryPort = discoveryPort,
            };
            options.Validate();
            return options;
        }
        catch (ArgumentException e)
        {
            throw CliException.Usage(e.Message);
        }
    }

    private static IPEndPoint ParseHostedCache(string text)
    {
        if (text.Contains("://", StringComparison.Ordinal))
        {
            // http://ADDRESS[:PORT]/: the hosted cache's plain HTTP server (MS-PCCRR and MS-PCHC 2.0), port 80 by default.
            if (Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) && uri.Scheme == Uri.UriSchemeHttp && uri.AbsolutePath == "/"
                && IPEndPoint.TryParse($"{uri.Host}:{uri.Port}", out IPEndPoint? fromUri) && fromUri.Port != 0)
            {
                return fromUri;
            }

            throw CliException.Usage($"--hosted-cache '{text}' is not http://ADDRESS:PORT/ (the hosted cache's plain HTTP server; for MS-PCHC 1.0 add --offer-url https://HOST:PORT/)");
        }

        return IPEndPoint.TryParse(text, out IPEndPoint? endPoint) && endPoint.Port != 0
            ? endPoint
            : throw CliException.Usage($"--hosted-cache '{text}' is not ADDRESS:PORT");
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

            var lines = new List<string>();
            foreach (IPEndPoint endPoint in node.EndPoints)
            {
                lines.Add(ServingPrefix + endPoint.ToString());
            }

            if (options.Mode == PeerDistNodeMode.HostedCacheClient)
            {
                lines.Add($"asking only the hosted cache at {options.HostedCacheEndPoint}");
                if (options.OfferToHostedCache)
                {
                    lines.Add($"offering completed content to {options.HostedCacheOfferUri ?? new Uri($"http://{options.HostedCacheEndPoint}/")}");
                }
            }

            if (lines.Count == 0)
            {
                lines.Add("running local only; serving nobody");
            }

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
            console.Error.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"peerdist: stopped; served {statistics.BlocksServed} block(s), answered {statistics.ProbesAnswered} probe(s){(statistics.Offers is { } offers ? $", offered {offers.SegmentsOffered} segment(s) to the hosted cache ({offers.SegmentsDropped} given up)" : string.Empty)}; the cache holds {statistics.Cache.SegmentCount} segment(s), {ByteSize.Format(statistics.Cache.Bytes)}"));
            console.Error.Flush();
        }

        return ExitCodes.Success;
    }

    /// <summary>The offering switches of hosted-cache-client mode.</summary>
    private sealed record OfferSettings(string? Url, string? Thumbprint, bool Disabled);
}
