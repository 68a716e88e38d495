using System.CommandLine;
using System.Globalization;
using PeerDist.Caching;

namespace PeerDist.Cli;

/// <summary>
/// <c>peerdist cache import --cache DIR FILE</c>: pre-loads a cache directory from a package written by <c>cache export</c>.
/// The checksum and every block are verified before anything is stored.
/// </summary>
internal static class CacheImportCommand
{
    public const string Name = "import";

    public static Command Create(CliConsole console)
    {
        Option<string> cache = CacheCommand.CacheOption();
        var size = new Option<string>("--cache-size")
        {
            Description = "The cache's size cap (e.g. 20GiB, 512M); default 5 % of the volume. Least recently used segments go first.",
            HelpName = "SIZE",
        };
        var package = new Argument<string>("FILE") { Description = "The package file written by 'peerdist cache export'." };
        var command = new Command(Name, "Pre-load a cache directory from a package file; every block is verified before it is stored.")
        {
            cache,
            size,
            package,
        };
        CommandRunner.SetAction(command, console, async (result, cancellationToken) =>
        {
            string path = result.GetRequiredValue(cache);
            string packagePath = result.GetRequiredValue(package);
            long? cap = ServeCommand.ParseSize(result.GetValue(size));
            Stream input = InputFiles.OpenRead(console, packagePath, "package", out _);
            await using (input.ConfigureAwait(false))
            {
                if (!input.CanSeek)
                {
                    throw CliException.Usage("the package must be a file (it is read more than once)");
                }

                using var buffered = new BufferedStream(input, 1 << 16);
                var reader = new CachePackageReader(buffered, packagePath);

                // Checksum, then a full validating read, before the cache is even opened: a damaged or forged package
                // stores nothing.
                await reader.VerifyChecksumAsync(cancellationToken).ConfigureAwait(false);
                await reader.ReadAsync(static _ => Task.CompletedTask, static (_, _, _) => Task.CompletedTask, cancellationToken).ConfigureAwait(false);

                int segments = 0;
                long stored = 0;
                long held = 0;
                long bytes = 0;
                using FileContentCache opened = CacheDirectory.Open(path, cap, create: true);
                await reader.ReadAsync(
                    segment =>
                    {
                        opened.RegisterSegment(segment);
                        segments++;
                        return Task.CompletedTask;
                    },
                    (segment, index, block) =>
                    {
                        BlockPutResult put = opened.PutBlock(segment.SegmentId.Span, index, block.Span);
                        switch (put)
                        {
                            case BlockPutResult.Stored:
                                stored++;
                                bytes += block.Length;
                                break;
                            case BlockPutResult.AlreadyHeld:
                                held++;
                                break;
                            default:
                                throw CliException.BadInput($"'{packagePath}': block {index} of segment {Convert.ToHexStringLower(segment.SegmentId.Span)} was refused by the cache ({put})");
                        }

                        return Task.CompletedTask;
                    },
                    cancellationToken).ConfigureAwait(false);

                await CacheCommand.WriteLinesAsync(
                    console,
                    [$"imported {segments.ToString(CultureInfo.InvariantCulture)} segment(s), {stored.ToString(CultureInfo.InvariantCulture)} block(s), {ByteSize.Format(bytes)}; {held.ToString(CultureInfo.InvariantCulture)} block(s) were already held"],
                    cancellationToken).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
