using System.Diagnostics;
using System.Globalization;
using System.Net;
using PeerDist.Caching;
using PeerDist.Content;
using PeerDist.Peer;
using PeerDist.Retrieval.Client;
using PeerDist.Transport.Http;

namespace PeerDist.Benchmarks.Retrieval;

/// <summary>
/// <c>server-memory [clients] [seconds]</c>: a serving node (a <see cref="FileContentCache"/> of 64 MiB in the temp folder,
/// so the content is not on the managed heap) under N concurrent clients, each on its own keep-alive connection asking for
/// one block after another. The clients run in a child process (<c>load-clients</c>) so that only the server's memory is
/// measured: the peak managed heap and working set, sampled every 50 ms, against the same figures when idle.
/// </summary>
internal static class ServerMemory
{
    private const long ContentLength = 64L * 1024 * 1024;

    public static async Task<int> RunServerAsync(string[] args)
    {
        int clients = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 256;
        int seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
        byte[] content = RetrievalNode.GenerateContent(ContentLength);
        ContentInformation information = RetrievalNode.Describe(content);
        string root = Directory.CreateTempSubdirectory("peerdist-server-memory-").FullName;
        try
        {
            var cache = new FileContentCache(new ContentCacheOptions { RootPath = root, MaxSizeBytes = 4 * ContentLength });
            await using RetrievalNode node = RetrievalNode.Start(cache, information, content, maxActiveClients: 1024);
            content = [];
            information = null!;
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            using Process self = Process.GetCurrentProcess();
            self.Refresh();
            long idleHeap = GC.GetTotalMemory(false);
            long idleWorkingSet = self.WorkingSet64;

            using var child = Process.Start(ChildStartInfo(node.EndPoint, clients, seconds))
                ?? throw new InvalidOperationException("could not start the load-clients process");
            long peakHeap = idleHeap;
            long peakWorkingSet = idleWorkingSet;
            long peakCommitted = 0;
            while (!child.HasExited)
            {
                await Task.Delay(50);
                self.Refresh();
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(false));
                peakWorkingSet = Math.Max(peakWorkingSet, self.WorkingSet64);
                peakCommitted = Math.Max(peakCommitted, GC.GetGCMemoryInfo().TotalCommittedBytes);
            }

            string report = await child.StandardOutput.ReadToEndAsync();
            Console.Write(report);
            Console.WriteLine($"server, idle before load (cache filled, collected): managed heap {idleHeap / 1048576.0:F1} MiB, working set {idleWorkingSet / 1048576.0:F1} MiB");
            Console.WriteLine($"server, under {clients} clients: peak managed heap {peakHeap / 1048576.0:F1} MiB, peak GC committed {peakCommitted / 1048576.0:F1} MiB, peak working set {peakWorkingSet / 1048576.0:F1} MiB");
            Console.WriteLine($"server, growth: heap +{(peakHeap - idleHeap) / 1048576.0:F1} MiB = {(peakHeap - idleHeap) / (double)clients / 1024:F1} KiB per client");
            return child.ExitCode;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The child: N clients, one connection each, one GETBLKS after another for the given time; prints what was served.</summary>
    public static async Task<int> RunClientsAsync(string[] args)
    {
        var peer = IPEndPoint.Parse(args[0]);
        int clients = int.Parse(args[1], CultureInfo.InvariantCulture);
        int seconds = int.Parse(args[2], CultureInfo.InvariantCulture);
        ContentInformation information = RetrievalNode.Describe(RetrievalNode.GenerateContent(ContentLength));
        var outcomes = new long[Enum.GetValues<BlockOutcome>().Length];
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            using var http = new PeerDistHttpClient(new PeerDistHttpClientOptions { MaxConnectionsPerEndPoint = 1, RequestTimeout = TimeSpan.FromSeconds(30) });
            var client = new PccrrClient(new HttpPccrrTransport(http), new PccrrClientOptions { RequestTimeout = TimeSpan.FromSeconds(30) });
            byte[] destination = new byte[PeerDistConstants.BlockSize];
            int i = c;
            while (!stop.IsCancellationRequested)
            {
                ContentSegment segment = information.Segments[i % information.Segments.Count];
                BlockOutcome outcome = await client.GetBlockAsync(peer, segment, i % segment.BlockCount, destination);
                Interlocked.Increment(ref outcomes[(int)outcome]);
                i += 7;
            }
        })));

        clock.Stop();
        long delivered = outcomes[(int)BlockOutcome.Delivered];
        Console.WriteLine($"clients: {clients} for {clock.Elapsed.TotalSeconds:F1} s: {delivered} blocks delivered and verified ({delivered * PeerDistConstants.BlockSize / clock.Elapsed.TotalSeconds / 1e6:F0} MB/s), " +
            string.Join(", ", Enum.GetValues<BlockOutcome>().Where(o => o != BlockOutcome.Delivered && outcomes[(int)o] != 0).Select(o => $"{outcomes[(int)o]} {o}")));
        return delivered > 0 ? 0 : 1;
    }

    private static ProcessStartInfo ChildStartInfo(IPEndPoint peer, int clients, int seconds)
    {
        string path = Environment.ProcessPath ?? "dotnet";
        var info = new ProcessStartInfo(path) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(path) == "dotnet")
        {
            info.ArgumentList.Add(typeof(ServerMemory).Assembly.Location);
        }

        info.ArgumentList.Add("load-clients");
        info.ArgumentList.Add(peer.ToString());
        info.ArgumentList.Add(clients.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add(seconds.ToString(CultureInfo.InvariantCulture));
        return info;
    }
}
