using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PeerDist.AspNetCore;

namespace PeerDist.Cli;

/// <summary>
/// <c>peerdist origin DIR</c>: serves a folder over HTTP as a BranchCache content server (MS-PCCRTP) on Kestrel, with the
/// PeerDist.AspNetCore middleware in front of the static file middleware, until Ctrl-C. Prints one line per bound
/// address, <c>serving DIR on http://ADDRESS:PORT/ (MS-PCCRTP)</c>.
/// </summary>
internal static class OriginCommand
{
    public const string Name = "origin";

    /// <summary>The start of the line printed for each bound address (tests and scripts read the URL from it).</summary>
    public const string ServingPrefix = "serving ";

    /// <summary>The end of that line.</summary>
    public const string ServingSuffix = " (MS-PCCRTP)";

    /// <summary>The default port, as a web server's.</summary>
    public const int DefaultPort = 80;

    public static Command Create(CliConsole console)
    {
        var directory = new Argument<string>("DIR")
        {
            Description = "The folder to serve; its files are served under / (hidden files excluded).",
        };
        var port = new Option<int>("--port")
        {
            Description = "The HTTP port; 0 picks a free one. Ports below 1024 need privileges on Linux.",
            DefaultValueFactory = _ => DefaultPort,
        };
        var listen = new Option<string[]>("--listen")
        {
            Description = "An address to listen on (repeatable). Default: every IPv4 and IPv6 address.",
            HelpName = "ADDR",
            AllowMultipleArgumentsPerToken = false,
        };
        var hashCache = new Option<string>("--hash-cache")
        {
            Description = "Where content information is kept across restarts (created if missing). Default: a temporary folder, deleted on exit.",
            HelpName = "DIR",
        };
        var minSize = new Option<string>("--min-size")
        {
            Description = "Files smaller than this are always served plain, e.g. 64K (default 64 KiB, as Windows).",
            HelpName = "SIZE",
        };
        var verbose = new Option<bool>("--verbose", "-v")
        {
            Description = "Log each PeerDist decision and each request (by default only warnings and errors are logged).",
        };
        var secrets = new SecretOptions();

        var command = new Command(Name, "Serve a folder over HTTP as a BranchCache content server (MS-PCCRTP) until Ctrl-C. Without a secret option a random server secret is used for this run.")
        {
            directory,
            port,
            listen,
            hashCache,
            minSize,
            verbose,
        };
        secrets.AddTo(command);

        CommandRunner.SetAction(command, console, async (result, cancellationToken) =>
        {
            // Every usage check first, then the files.
            int portNumber = result.GetValue(port);
            if (portNumber is < 0 or > IPEndPoint.MaxPort)
            {
                throw CliException.Usage($"--port {portNumber} is not a port (0 to 65535)");
            }

            IReadOnlyList<IPAddress> addresses = ParseAddresses(result.GetValue(listen) ?? []);
            long minimum = ParseMinSize(result.GetValue(minSize));
            SecretSource? source = secrets.Validate(result);

            string root = result.GetRequiredValue(directory);
            if (!Directory.Exists(root))
            {
                throw CliException.BadInput(File.Exists(root) ? $"'{root}' is a file, not a directory" : $"directory '{root}' does not exist");
            }

            root = Path.GetFullPath(root);
            var settings = new OriginSettings(root, portNumber, addresses, minimum, result.GetValue(hashCache), result.GetValue(verbose));
            Action<PeerDistOriginOptions> secret = await ConfigureSecretAsync(console, secrets, result, source, cancellationToken).ConfigureAwait(false);
            return await RunAsync(console, settings, secret, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static List<IPAddress> ParseAddresses(string[] listen)
    {
        var addresses = new List<IPAddress>();
        foreach (string text in listen)
        {
            if (!IPAddress.TryParse(text, out IPAddress? address))
            {
                throw CliException.Usage($"--listen '{text}' is not an IP address");
            }

            addresses.Add(address);
        }

        return addresses;
    }

    private static long ParseMinSize(string? text)
    {
        if (text is null)
        {
            return PeerDistOriginOptions.DefaultMinimumContentLength;
        }

        return ByteSize.TryParse(text, out long bytes)
            ? bytes
            : throw CliException.Usage($"--min-size '{text}' is not a size (bytes, or a number with K, M, G, T, KiB, MiB, GiB or TiB)");
    }

    /// <summary>
    /// Turns the secret options into origin options. A key file is opened and decrypted here, so that a wrong password is
    /// one line and exit 1 before anything listens; the origin then reads it again itself.
    /// </summary>
    private static async Task<Action<PeerDistOriginOptions>> ConfigureSecretAsync(
        CliConsole console,
        SecretOptions secrets,
        ParseResult result,
        SecretSource? source,
        CancellationToken cancellationToken)
    {
        switch (source?.Kind)
        {
            case SecretKind.Hex:
                string hex = result.GetValue(secrets.SecretHex)!.Trim();
                byte[] key = Convert.FromHexString(hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex);
                return options => options.ServerSecretKey = key;

            case SecretKind.Passphrase:
                string passphrase = result.GetValue(secrets.Passphrase)!;
                return options => options.ServerSecretPassphrase = passphrase;

            case SecretKind.KeyFile:
                using (await source.LoadAsync(cancellationToken).ConfigureAwait(false))
                {
                    string file = Path.GetFullPath(result.GetValue(secrets.KeyFile)!);
                    string password = result.GetValue(secrets.KeyPassword)!;
                    return options =>
                    {
                        options.ServerSecretKeyFile = file;
                        options.ServerSecretKeyFilePassword = password;
                    };
                }

            default:
                // Windows makes a random secret when BranchCache is installed; here it lives as long as the process.
                CommandRunner.WriteWarning(console, "no server secret given: using a random one for this run (give --passphrase, --secret-hex or --key-file to share hashes with other servers)");
                byte[] random = RandomNumberGenerator.GetBytes(32);
                return options => options.ServerSecretKey = random;
        }
    }

    private static async Task<int> RunAsync(CliConsole console, OriginSettings settings, Action<PeerDistOriginOptions> secret, CancellationToken cancellationToken)
    {
        string? temporaryHashCache = null;
        string hashCache;
        if (settings.HashCache is null)
        {
            temporaryHashCache = Directory.CreateTempSubdirectory("peerdist-origin-").FullName;
            hashCache = temporaryHashCache;
        }
        else
        {
            try
            {
                hashCache = Directory.CreateDirectory(settings.HashCache).FullName;
            }
            catch (Exception e) when (InputFiles.IsFileError(e))
            {
                throw CliException.BadInput($"--hash-cache '{settings.HashCache}' cannot be created: {InputFiles.OneLine(e.Message)}");
            }
        }

        try
        {
            using var logging = new CliLoggerProvider(console.Error, LogLevel.Trace);
            WebApplication app = Build(settings, hashCache, secret, logging);
            await using (app.ConfigureAwait(false))
            {
                try
                {
                    await app.StartAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    throw DescribeStartFailure(e, settings);
                }

                ICollection<string> bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
                await CacheCommand.WriteLinesAsync(console, [.. bound.Select(address => $"{ServingPrefix}{settings.Root} on {address.TrimEnd('/')}/{ServingSuffix}")], CancellationToken.None).ConfigureAwait(false);
                await console.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
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

                await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
                PeerDistOriginStatistics statistics = app.Services.GetRequiredService<PeerDistOrigin>().GetStatistics();
                console.Error.WriteLine(FormattableString.Invariant(
                    $"peerdist: stopped; {statistics.PeerDistResponses} peerdist response(s) ({ByteSize.Format(statistics.ContentInformationBytes)} of content information), {statistics.PlainResponses} plain, {statistics.MissingDataRequests} missing-data request(s), {statistics.Generations} file(s) hashed"));
                console.Error.Flush();
            }
        }
        finally
        {
            if (temporaryHashCache is not null)
            {
                TryDelete(temporaryHashCache);
            }
        }

        return ExitCodes.Success;
    }

    private static WebApplication Build(OriginSettings settings, string hashCache, Action<PeerDistOriginOptions> secret, CliLoggerProvider logging)
    {
        // The empty builder reads no configuration (no appsettings.json from the served folder, no ASPNETCORE_URLS):
        // what is served and where is exactly what the command line says.
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = settings.Root });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logging);
        builder.Logging.SetMinimumLevel(settings.Verbose ? LogLevel.Information : LogLevel.Warning);
        builder.Logging.AddFilter("PeerDist", settings.Verbose ? LogLevel.Debug : LogLevel.Warning);
        builder.Services.AddSingleton<IHostLifetime, OriginHostLifetime>();
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (settings.Addresses.Count == 0)
            {
                kestrel.ListenAnyIP(settings.Port);
            }
            else
            {
                foreach (IPAddress address in settings.Addresses)
                {
                    kestrel.Listen(address, settings.Port);
                }
            }
        });
        builder.Services.AddDirectoryBrowser();
        builder.Services.AddPeerDistOrigin(options =>
        {
            secret(options);
            options.CacheDirectory = hashCache;
            options.MinimumContentLength = settings.MinimumContentLength;
        });

        WebApplication app = builder.Build();
        var files = new PhysicalFileProvider(settings.Root);
        try
        {
            app.UsePeerDist();
        }
        catch (Exception e) when (e is IOException or PeerDistFormatException or InvalidOperationException or Microsoft.Extensions.Options.OptionsValidationException)
        {
            files.Dispose();
            ((IDisposable)app).Dispose();
            throw CliException.BadInput($"the PeerDist origin cannot start: {e.Message}");
        }

        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,

            // A folder server serves every file, whatever its extension.
            ServeUnknownFileTypes = true,
            DefaultContentType = "application/octet-stream",
        });
        app.UseDirectoryBrowser(new DirectoryBrowserOptions { FileProvider = files });
        return app;
    }

    private static CliException DescribeStartFailure(Exception e, OriginSettings settings)
    {
        string where = settings.Addresses.Count == 0
            ? FormattableString.Invariant($"port {settings.Port}")
            : string.Join(", ", settings.Addresses.Select(a => new IPEndPoint(a, settings.Port).ToString()));
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            SocketError? error = inner switch
            {
                AddressInUseException => SocketError.AddressAlreadyInUse,
                SocketException socket => socket.SocketErrorCode,
                _ => null,
            };
            switch (error)
            {
                case SocketError.AddressAlreadyInUse:
                    return CliException.BadInput($"Cannot listen on {where}: the port is already in use by another program. Choose another port with --port, or --port 0 for any free one.");
                case SocketError.AccessDenied:
                    return CliException.BadInput(settings.Port is > 0 and < 1024 && !OperatingSystem.IsWindows()
                        ? $"Cannot listen on {where}: port {settings.Port} is a privileged port on this system. Use a port >= 1024 (--port), or grant the program CAP_NET_BIND_SERVICE."
                        : $"Cannot listen on {where}: permission denied. Choose another port with --port.");
                case SocketError.AddressNotAvailable:
                    return CliException.BadInput($"Cannot listen on {where}: the address is not one of this machine's. Choose another with --listen.");
            }
        }

        return e switch
        {
            Microsoft.Extensions.Options.OptionsValidationException or IOException or PeerDistFormatException =>
                CliException.BadInput($"the PeerDist origin cannot start: {e.Message}"),
            _ => CliException.BadInput($"Cannot listen on {where}: {e.Message}"),
        };
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a temporary folder left behind is not worth failing a clean exit for.
        }
    }

    /// <summary>What the command line asked for, checked.</summary>
    private sealed record OriginSettings(
        string Root,
        int Port,
        IReadOnlyList<IPAddress> Addresses,
        long MinimumContentLength,
        string? HashCache,
        bool Verbose);
}
