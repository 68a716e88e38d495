using System.CommandLine;
using System.Globalization;
using System.Net.NetworkInformation;
using PeerDist.Caching;
using PeerDist.Transport.Udp;

namespace PeerDist.Cli;

/// <summary>
/// <c>peerdist status [--cache DIR]</c>: what a node on this machine would run with: the cache directory's contents (or that
/// a running node holds it) and the interfaces discovery would use by default.
/// </summary>
internal static class StatusCommand
{
    public const string Name = "status";

    public static Command Create(CliConsole console)
    {
        var cache = new Option<string>("--cache")
        {
            Description = "A cache directory to report on.",
            HelpName = "DIR",
        };
        var command = new Command(Name, "Show a cache directory's contents (or that a node runs on it) and the interfaces discovery would use.") { cache };
        CommandRunner.SetAction(command, console, async (result, cancellationToken) =>
        {
            var lines = new List<string>();
            string? path = result.GetValue(cache);
            if (path is not null)
            {
                lines.AddRange(DescribeCache(path));
            }

            IReadOnlyList<NetworkInterface> interfaces = UdpMulticastInterface.GetMulticastInterfaces();
            lines.Add(interfaces.Count == 0
                ? "discovery: no interface is up, multicast-capable and not loopback ('peerdist serve --interface NAME' or --loopback)"
                : $"discovery: by default on {string.Join(", ", interfaces.Select(i => i.Name))} (UDP {Discovery.PccrdConstants.Port})");
            await CacheCommand.WriteLinesAsync(console, lines, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static IEnumerable<string> DescribeCache(string path)
    {
        if (!Directory.Exists(path))
        {
            throw CliException.BadInput($"'{path}': no such directory");
        }

        if (!CacheDirectory.IsCache(path))
        {
            throw CliException.BadInput($"'{path}' is not a PeerDist cache directory (it has neither '{CacheDirectory.LockFileName}' nor '{CacheDirectory.SegmentsDirectoryName}/')");
        }

        try
        {
            using var opened = new FileContentCache(new ContentCacheOptions { RootPath = path, MaxSizeBytes = long.MaxValue });
            return [.. CacheStatusCommand.Describe(path, opened.GetStatistics()), "state:    not in use (no node runs on it)"];
        }
        catch (ContentCacheLockedException)
        {
            // A running node holds the lock and the verified index; count the files instead (not verified).
            (long segments, long blocks, long bytes) = CountFiles(Path.Combine(path, CacheDirectory.SegmentsDirectoryName));
            return
            [
                $"cache:    {Path.GetFullPath(path)}",
                "state:    in use by a running node (peerdist serve); counts below are of files on disk, not verified",
                $"segments: {segments.ToString(CultureInfo.InvariantCulture)}",
                $"blocks:   {blocks.ToString(CultureInfo.InvariantCulture)}",
                $"bytes:    {bytes.ToString(CultureInfo.InvariantCulture)} ({ByteSize.Format(bytes)})",
            ];
        }
    }

    private static (long Segments, long Blocks, long Bytes) CountFiles(string segmentsPath)
    {
        long segments = 0;
        long blocks = 0;
        long bytes = 0;
        if (!Directory.Exists(segmentsPath))
        {
            return (0, 0, 0);
        }

        foreach (string bucket in Directory.EnumerateDirectories(segmentsPath))
        {
            foreach (string segment in Directory.EnumerateDirectories(bucket))
            {
                segments++;
                foreach (string file in Directory.EnumerateFiles(segment, "*.blk"))
                {
                    blocks++;
                    bytes += new FileInfo(file).Length;
                }
            }
        }

        return (segments, blocks, bytes);
    }
}
