using System.CommandLine;
using System.Globalization;
using PeerDist.Caching;
using PeerDist.Content;

namespace PeerDist.Cli;

/// <summary>
/// <c>peerdist cache export --cache DIR -o FILE [CI...]</c>: writes the cache's segments (all, or those of the given content
/// information files) and their blocks to one package file (<see cref="CachePackage"/>).
/// </summary>
internal static class CacheExportCommand
{
    public const string Name = "export";

    public static Command Create(CliConsole console)
    {
        Option<string> cache = CacheCommand.CacheOption();
        var output = new Option<string>("--output", "-o")
        {
            Description = "The package file to write (replaced if it exists). It holds segment secrets: protect it as the cache.",
            HelpName = "FILE",
            Required = true,
        };
        var contents = new Argument<string[]>("CI")
        {
            Description = "Content information files: export only their segments. None: export every segment.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command(Name, "Write segments and their blocks to one package file, to pre-load another cache with 'cache import'.")
        {
            cache,
            output,
            contents,
        };
        CommandRunner.SetAction(command, console, async (result, cancellationToken) =>
        {
            string path = result.GetRequiredValue(cache);
            string target = result.GetRequiredValue(output);
            string[] ciPaths = result.GetValue(contents) ?? [];
            using FileContentCache opened = CacheDirectory.Open(path, maxSizeBytes: null, create: false);
            List<SegmentMetadata> segments = await SelectAsync(console, opened, ciPaths, cancellationToken).ConfigureAwait(false);

            string temporary = target + ".tmp";
            CachePackageWriter writer;
            try
            {
                FileStream file = new(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                await using (file.ConfigureAwait(false))
                {
                    writer = new CachePackageWriter(file);
                    using (writer)
                    {
                        await writer.WriteHeaderAsync(segments.Count, cancellationToken).ConfigureAwait(false);
                        foreach (SegmentMetadata segment in segments)
                        {
                            await writer.WriteSegmentAsync(opened, segment, cancellationToken).ConfigureAwait(false);
                        }

                        await writer.WriteChecksumAsync(cancellationToken).ConfigureAwait(false);
                    }
                }

                File.Move(temporary, target, overwrite: true);
            }
            catch
            {
                File.Delete(temporary);
                throw;
            }

            var lines = new List<string>
            {
                $"exported {segments.Count.ToString(CultureInfo.InvariantCulture)} segment(s), {writer.BlocksWritten.ToString(CultureInfo.InvariantCulture)} block(s), {ByteSize.Format(writer.BytesWritten)} to {target}",
            };
            if (writer.BlocksSkipped != 0)
            {
                CommandRunner.WriteWarning(console, $"{writer.BlocksSkipped} block(s) held only as encrypted records or damaged on disk were left out");
            }

            await CacheCommand.WriteLinesAsync(console, lines, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<List<SegmentMetadata>> SelectAsync(CliConsole console, ContentCache cache, string[] ciPaths, CancellationToken cancellationToken)
    {
        if (ciPaths.Length == 0)
        {
            return [.. cache.GetSegments()];
        }

        var selected = new List<SegmentMetadata>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int missing = 0;
        foreach (string ciPath in ciPaths)
        {
            byte[] bytes = await InputFiles.ReadAllBytesAsync(console, ciPath, "content information", cancellationToken).ConfigureAwait(false);
            ContentInformation information;
            try
            {
                information = ContentInformation.Parse(bytes);
            }
            catch (PeerDistFormatException e)
            {
                throw CliException.BadInput($"'{ciPath}': {e.Message}");
            }

            foreach (ContentSegment segment in information.Segments)
            {
                if (!seen.Add(Convert.ToHexString(segment.SegmentId.Span)))
                {
                    continue;
                }

                if (cache.TryGetSegment(segment.SegmentId.Span, out SegmentMetadata? metadata))
                {
                    selected.Add(metadata);
                }
                else
                {
                    missing++;
                }
            }
        }

        if (selected.Count == 0)
        {
            throw CliException.BadInput("none of the segments of the content information are in the cache; nothing to export");
        }

        if (missing != 0)
        {
            CommandRunner.WriteWarning(console, $"{missing} segment(s) of the content information are not in the cache and are not exported");
        }

        return selected;
    }
}
