using System.CommandLine;
using System.Globalization;
using PeerDist.Content;
using PeerDist.Cryptography;

namespace PeerDist.Cli;

/// <summary>
/// <c>peerdist hash FILE</c>: hashes a file into content information (MS-PCCRC 2.3 V1 or 2.4 V2) and writes the bytes.
/// </summary>
internal static class HashCommand
{
    public const string Name = "hash";

    public static Command Create(CliConsole console)
    {
        var file = new Argument<string>("FILE")
        {
            Description = "The content to hash; - reads standard input.",
        };
        var v2 = new Option<bool>("--v2")
        {
            Description = "Produce V2 content information (Windows 8 and later; truncated SHA-512, content-defined segments). Default V1.",
        };
        var hash = new Option<string>("--hash")
        {
            Description = "The V1 hash: sha256 (default; the only one Windows 7 reads), sha384 or sha512. Not with --v2.",
            HelpName = "sha256|sha384|sha512",
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "Write the content information to this file. Without it, binary goes to standard output, which must not be a terminal (use -o - to force).",
            HelpName = "OUT",
        };
        var range = new Option<string>("--range")
        {
            Description = "Describe only bytes START to START+LENGTH-1 of the content (a range content information). The whole file is still hashed.",
            HelpName = "START:LENGTH",
        };
        var threads = new Option<int>("--threads")
        {
            Description = "How many threads hash at once. Default: one per processor.",
            HelpName = "N",
        };
        var secrets = new SecretOptions();

        var command = new Command(Name, "Hash a file into BranchCache content information. Exactly one of --secret-hex, --passphrase or --key-file is required.")
        {
            file,
            v2,
            hash,
            output,
            range,
            threads,
        };
        secrets.AddTo(command);

        CommandRunner.SetAction(command, console, async (result, cancellationToken) =>
        {
            // Every usage check comes before any file is touched.
            string path = result.GetRequiredValue(file);
            ContentInformationBuilderOptions options = new()
            {
                Version = result.GetValue(v2) ? ContentInformationVersion.V2 : ContentInformationVersion.V1,
                HashAlgorithm = ParseHashAlgorithm(result.GetValue(hash), result.GetValue(v2)),
                Range = result.GetValue(range) is { } text ? ParseRange(text) : null,
                MaxDegreeOfParallelism = result.GetResult(threads) is null ? -1 : ParseThreads(result.GetValue(threads)),
            };
            string? outputPath = result.GetValue(output);
            if (outputPath is null && !console.IsOutputRedirected)
            {
                throw CliException.Usage("refusing to write binary content information to a terminal; use -o FILE, redirect standard output, or -o - to force");
            }

            SecretSource source = secrets.Validate(result)
                ?? throw CliException.Usage("a server secret is required: give --secret-hex, --passphrase or --key-file with --key-password");

            using ServerSecret secret = await source.LoadAsync(cancellationToken).ConfigureAwait(false);
            ContentInformation info = await HashAsync(console, path, secret, options, cancellationToken).ConfigureAwait(false);
            byte[] bytes = info.ToArray();
            await WriteOutputAsync(console, outputPath, bytes, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Parses <c>--hash</c>: null (not given) is SHA-256.</summary>
    internal static ContentHashAlgorithm ParseHashAlgorithm(string? value, bool v2)
    {
        if (value is null)
        {
            return ContentHashAlgorithm.Sha256;
        }

        if (v2)
        {
            throw CliException.Usage("--hash does not apply to --v2, which always uses truncated SHA-512");
        }

        return value.ToUpperInvariant() switch
        {
            "SHA256" or "SHA-256" => ContentHashAlgorithm.Sha256,
            "SHA384" or "SHA-384" => ContentHashAlgorithm.Sha384,
            "SHA512" or "SHA-512" => ContentHashAlgorithm.Sha512,
            _ => throw CliException.Usage($"--hash must be sha256, sha384 or sha512, not '{value}'"),
        };
    }

    /// <summary>Parses <c>--range START:LENGTH</c> (decimal byte counts; LENGTH at least 1).</summary>
    internal static ContentRange ParseRange(string value)
    {
        int colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0
            || !long.TryParse(value.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out long start)
            || !long.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long length))
        {
            throw CliException.Usage($"--range must be START:LENGTH in bytes, for example 102400:25600, not '{value}'");
        }

        if (length == 0 || start > long.MaxValue - length)
        {
            throw CliException.Usage($"--range LENGTH must be at least 1 and START+LENGTH must fit in 63 bits, not '{value}'");
        }

        return new ContentRange(start, length);
    }

    private static int ParseThreads(int value) =>
        value >= 1 ? value : throw CliException.Usage($"--threads must be at least 1, not {value}");

    private static async Task<ContentInformation> HashAsync(
        CliConsole console,
        string path,
        ServerSecret secret,
        ContentInformationBuilderOptions options,
        CancellationToken cancellationToken)
    {
        Stream content = InputFiles.OpenRead(console, path, "file", out long length);
        await using (content.ConfigureAwait(false))
        {
            using ProgressBar? progress = ProgressBar.CreateIfUseful(console, "hashing", length);
            try
            {
                return await ContentInformationBuilder.CreateAsync(content, secret, options, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException e)
            {
                // The content cannot be described: it is empty, or the range reaches past its end.
                throw CliException.BadInput($"'{path}': {e.Message}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw InputFiles.Describe(path, "file", e);
            }
        }
    }

    private static async Task WriteOutputAsync(CliConsole console, string? outputPath, byte[] bytes, CancellationToken cancellationToken)
    {
        if (outputPath is null or InputFiles.StandardStream)
        {
            // Raw bytes: content information is binary, never text.
            await console.Out.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        try
        {
            await File.WriteAllBytesAsync(outputPath, bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (InputFiles.IsFileError(e))
        {
            throw CliException.BadInput($"output '{outputPath}' cannot be written: {InputFiles.OneLine(e.Message)}");
        }
    }
}
