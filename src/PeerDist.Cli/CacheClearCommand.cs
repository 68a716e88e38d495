using System.CommandLine;
using System.Globalization;
using PeerDist.Caching;

namespace PeerDist.Cli;

/// <summary><c>peerdist cache clear --cache DIR</c>: removes every segment and block from a cache directory.</summary>
internal static class CacheClearCommand
{
    public const string Name = "clear";

    public static Command Create(CliConsole console)
    {
        Option<string> cache = CacheCommand.CacheOption();
        var command = new Command(Name, "Remove every segment and block from a cache directory.") { cache };
        CommandRunner.SetAction(command, console, async (result, cancellationToken) =>
        {
            string path = result.GetRequiredValue(cache);
            int removed = 0;
            ContentCacheStatistics before;
            using (FileContentCache opened = CacheDirectory.Open(path, maxSizeBytes: null, create: false))
            {
                before = opened.GetStatistics();
                foreach (SegmentMetadata segment in opened.GetSegments())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    removed += opened.RemoveSegment(segment.SegmentId.Span) ? 1 : 0;
                }
            }

            await CacheCommand.WriteLinesAsync(
                console,
                [$"removed {removed.ToString(CultureInfo.InvariantCulture)} segment(s), {before.BlockCount.ToString(CultureInfo.InvariantCulture)} block(s), {ByteSize.Format(before.Bytes)}"],
                cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }
}
