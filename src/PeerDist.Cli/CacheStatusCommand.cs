using System.CommandLine;
using System.Globalization;
using PeerDist.Caching;

namespace PeerDist.Cli;

/// <summary><c>peerdist cache status --cache DIR</c>: segments, blocks, bytes and the cap of a cache directory.</summary>
internal static class CacheStatusCommand
{
    public const string Name = "status";

    public static Command Create(CliConsole console)
    {
        Option<string> cache = CacheCommand.CacheOption();
        var command = new Command(Name, "Show what a cache directory holds: segments, blocks, bytes and the size cap.") { cache };
        CommandRunner.SetAction(command, console, async (result, cancellationToken) =>
        {
            string path = result.GetRequiredValue(cache);
            ContentCacheStatistics statistics;
            using (FileContentCache opened = CacheDirectory.Open(path, maxSizeBytes: null, create: false))
            {
                statistics = opened.GetStatistics();
            }

            await CacheCommand.WriteLinesAsync(console, Describe(path, statistics), cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The status lines of an opened cache.</summary>
    public static IEnumerable<string> Describe(string path, ContentCacheStatistics statistics)
    {
        long? cap = CacheDirectory.DefaultCapacity(path);
        yield return $"cache:    {Path.GetFullPath(path)}";
        yield return $"segments: {statistics.SegmentCount.ToString(CultureInfo.InvariantCulture)}";
        yield return $"blocks:   {statistics.BlockCount.ToString(CultureInfo.InvariantCulture)}";
        yield return $"bytes:    {statistics.Bytes.ToString(CultureInfo.InvariantCulture)} ({ByteSize.Format(statistics.Bytes)})";
        yield return cap is long bytes
            ? $"cap:      {ByteSize.Format(bytes)} by default (5 % of the volume; 'peerdist serve --cache-size' sets another)"
            : "cap:      unknown (the volume size cannot be read; 'peerdist serve --cache-size' sets one)";
        if (statistics.DamagedBlocks != 0)
        {
            yield return $"damaged:  {statistics.DamagedBlocks.ToString(CultureInfo.InvariantCulture)} block file(s) failed their check on opening and were deleted";
        }
    }
}
