using System.CommandLine;
using System.Net;
using Microsoft.Extensions.Logging;

namespace PeerDist.Cli;

/// <summary>
/// <c>peerdist get URL [-o FILE]</c>: downloads a file through <see cref="Http.PeerDistHttpHandler"/>: from the local
/// cache, from peers (<c>--peer</c> or <c>--discover</c>) and, for what they lack, from the origin; every block is
/// verified. Ends with a one-line summary of where the bytes came from.
/// </summary>
internal static class GetCommand
{
    public const string Name = "get";

    public static Command Create(CliConsole console)
    {
        var url = new Argument<string>("URL")
        {
            Description = "The http:// or https:// address of the file.",
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "Write the file here (replaced only once the download succeeded); - writes to standard output. Default: the last segment of the URL's path, in the current directory.",
            HelpName = "FILE",
        };
        var cache = new Option<string>("--cache")
        {
            Description = "The cache directory to read from and store verified blocks in (kept; must not be in use by a node). Default: a temporary cache, deleted on exit.",
            HelpName = "DIR",
        };
        var peers = new Option<string[]>("--peer")
        {
            Description = "A peer's (or hosted cache's) MS-PCCRR endpoint, ADDRESS:PORT (repeatable).",
            HelpName = "ADDR:PORT",
            AllowMultipleArgumentsPerToken = false,
        };
        var discover = new Option<bool>("--discover")
        {
            Description = "Find peers with MS-PCCRD discovery (multicast) on the network interfaces. Excludes --peer.",
        };
        var interfaces = new Option<string[]>("--interface")
        {
            Description = "With --discover: a network interface to probe on, by name (repeatable). Default: every interface that is up, multicast-capable and not loopback.",
            HelpName = "NAME",
        };
        var loopback = new Option<bool>("--loopback")
        {
            Description = "With --discover: probe on the loopback interface only (nodes on this machine).",
        };
        var discoveryPort = new Option<int>("--discovery-port")
        {
            Description = "With --discover: the MS-PCCRD UDP port (3702 on the wire).",
            DefaultValueFactory = _ => Discovery.PccrdConstants.Port,
        };
        var verbose = new Option<bool>("--verbose", "-v")
        {
            Description = "Log how the download went: the content information, each origin range request, the totals.",
        };

        var command = new Command(Name, "Download a file over HTTP through BranchCache (MS-PCCRTP): from the local cache and peers, the rest from the server; every byte is verified.")
        {
            url,
            output,
            cache,
            peers,
            discover,
            interfaces,
            loopback,
            discoveryPort,
            verbose,
        };
        CommandRunner.SetAction(command, console, async (result, cancellationToken) =>
        {
            var request = new GetRequest
            {
                Url = ParseUrl(result.GetRequiredValue(url)),
                Cache = result.GetValue(cache),
                Peers = ParsePeers(result.GetValue(peers) ?? []),
                Discover = result.GetValue(discover),
                Interfaces = result.GetValue(interfaces) ?? [],
                Loopback = result.GetValue(loopback),
                DiscoveryPort = result.GetValue(discoveryPort),
            };
            request = request with { Output = OutputPath(request.Url, result.GetValue(output)) };
            Validate(request);
            using var logging = new CliLoggerProvider(console.Error, result.GetValue(verbose) ? LogLevel.Debug : LogLevel.Warning);
            using ILoggerFactory loggerFactory = LoggerFactory.Create(builder =>
            {
                builder.SetMinimumLevel(LogLevel.Trace);
                builder.AddProvider(logging);
            });
            return await GetDownload.RunAsync(console, request, loggerFactory, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static Uri ParseUrl(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw CliException.Usage($"'{text}' is not an http:// or https:// URL");
        }

        return uri;
    }

    private static List<IPEndPoint> ParsePeers(string[] peers)
    {
        var endPoints = new List<IPEndPoint>();
        foreach (string text in peers)
        {
            if (!IPEndPoint.TryParse(text, out IPEndPoint? endPoint) || endPoint.Port == 0)
            {
                throw CliException.Usage($"--peer '{text}' is not ADDRESS:PORT");
            }

            endPoints.Add(endPoint);
        }

        return endPoints;
    }

    /// <summary>The output file: as given, or the URL's last path segment in the current directory.</summary>
    private static string OutputPath(Uri url, string? output)
    {
        if (output is not null)
        {
            return output;
        }

        string name = Uri.UnescapeDataString(url.Segments[^1]);
        if (name.Length == 0 || name.EndsWith('/') || name is "." or ".." || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.Contains('\\', StringComparison.Ordinal))
        {
            throw CliException.Usage($"cannot name the output file after '{url}'; give -o FILE (or -o - for standard output)");
        }

        return name;
    }

    private static void Validate(GetRequest request)
    {
        if (request.Discover && request.Peers.Count != 0)
        {
            throw CliException.Usage("--peer and --discover exclude each other");
        }

        if (!request.Discover && (request.Loopback || request.Interfaces.Count != 0))
        {
            throw CliException.Usage("--interface and --loopback are only used with --discover");
        }

        if (request.Loopback && request.Interfaces.Count != 0)
        {
            throw CliException.Usage("--loopback and --interface exclude each other");
        }

        if (request.DiscoveryPort is < 1 or > IPEndPoint.MaxPort)
        {
            throw CliException.Usage($"--discovery-port {request.DiscoveryPort} is not a port (1 to 65535)");
        }
    }
}
