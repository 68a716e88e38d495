using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using PeerDist.Client;
using PeerDist.Hosting;

namespace PeerDist.BranchOffice;

/// <summary>
/// <c>crowd</c>: scenario 5's flash crowd, many independent nodes in one process (each its own memory cache and its own
/// MS-PCCRR address on loopback, 127.0.1.1 onwards, discovery on loopback), all downloading at the same start.
/// </summary>
internal static class CrowdCommand
{
    public static Command Create()
    {
        var nodes = new Option<int>("--nodes") { DefaultValueFactory = _ => 64 };
        var url = new Option<string>("--origin") { Required = true };
        var sha = new Option<string>("--sha256") { Required = true };
        var ciVersion = new Option<int>("--ci-version") { DefaultValueFactory = _ => 1 };
        var discoveryWait = new Option<int?>("--discovery-wait-ms");
        var command = new Command("crowd", "A flash crowd of nodes in one process (run by the orchestrator).") { nodes, url, sha, ciVersion, discoveryWait };
        command.SetAction(async (result, cancellationToken) =>
        {
            var events = new EventWriter(Console.Out);
            int count = result.GetValue(nodes);
            var uri = new Uri(result.GetRequiredValue(url));
            string expected = result.GetRequiredValue(sha);
            int version = result.GetValue(ciVersion);
            var list = new List<PeerDistNode>();
            try
            {
                for (int i = 0; i < count; i++)
                {
                    var options = new PeerDistNodeOptions
                    {
                        ListenEndPoints = [new IPEndPoint(IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"127.0.1.{i + 1}")), 80)],
                        DiscoveryOnLoopback = true,
                    };
                    if (result.GetValue(discoveryWait) is { } ms)
                    {
                        options = options with { DiscoveryWait = TimeSpan.FromMilliseconds(ms) };
                    }

                    list.Add(new PeerDistNode(options));
                }

                foreach (PeerDistNode node in list)
                {
                    await node.StartAsync(cancellationToken);
                }

                var start = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
                var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _ = Task.Run(() => ReadCommands(start, stop), CancellationToken.None);
                events.Emit("ready", w => w.WriteNumber("nodes", count));
                double at = await start.Task;
                double delay = at - EventWriter.Now();
                if (delay > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(delay), cancellationToken);
                }

                using HttpClient http = ContentInformationRequest.CreateClient();
                double[] ends = new double[count];
                long[] fromOrigin = new long[count];
                long[] fromPeers = new long[count];
                bool[] verified = new bool[count];
                bool[] flashCrowd = new bool[count];
                string?[] errors = new string?[count];
                await Task.WhenAll(list.Select(async (node, i) =>
                {
                    try
                    {
                        byte[] information = await ContentInformationRequest.TryGetAsync(http, uri, version, cancellationToken)
                            ?? throw new InvalidOperationException("no content information");
                        await using PeerDistContent content = node.Client.OpenContent(information, new HttpOriginSource(http, uri));
                        flashCrowd[i] = await Download.RunAsync(content, cancellationToken);
                        ends[i] = EventWriter.Now();
                        PeerDistContentStatistics statistics = content.GetStatistics();
                        fromOrigin[i] = statistics.BytesFromOrigin;
                        fromPeers[i] = statistics.BytesFromPeers;
                    }
#pragma warning disable CA1031 // Each node's failure is reported, the others go on.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        errors[i] = ex.Message;
                    }
                }));

                // Verify one at a time (64 contents hashed at once would only compete for the two cores).
                for (int i = 0; i < count; i++)
                {
                    if (errors[i] is null)
                    {
                        await using PeerDistContent content = list[i].Client.OpenContent(
                            (await ContentInformationRequest.TryGetAsync(http, uri, version, cancellationToken))!);
                        verified[i] = string.Equals(await HashLocalAsync(content, cancellationToken), expected, StringComparison.OrdinalIgnoreCase);
                    }
                }

                events.Emit("crowd-complete", w =>
                {
                    w.WriteNumber("start", at);
                    WriteArray(w, "ends", ends);
                    WriteArray(w, "fromOrigin", fromOrigin.Select(v => (double)v));
                    WriteArray(w, "fromPeers", fromPeers.Select(v => (double)v));
                    w.WriteNumber("verified", verified.Count(v => v));
                    w.WriteNumber("flashCrowd", flashCrowd.Count(v => v));
                    w.WriteNumber("failed", errors.Count(e => e is not null));
                    w.WriteString("firstError", errors.FirstOrDefault(e => e is not null));
                });
                await stop.Task;
                return 0;
            }
            finally
            {
                foreach (PeerDistNode node in list)
                {
                    await node.DisposeAsync();
                }
            }
        });
        return command;
    }

    private static void WriteArray(System.Text.Json.Utf8JsonWriter w, string name, IEnumerable<double> values)
    {
        w.WriteStartArray(name);
        foreach (double v in values)
        {
            w.WriteNumberValue(Math.Round(v, 3));
        }

        w.WriteEndArray();
    }

    private static void ReadCommands(TaskCompletionSource<double> start, TaskCompletionSource stop)
    {
        string? line;
        while ((line = Console.In.ReadLine()) is not null)
        {
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts is ["start", var at])
            {
                start.TrySetResult(double.Parse(at, CultureInfo.InvariantCulture));
            }
            else if (parts is ["stop"])
            {
                break;
            }
        }

        stop.TrySetResult();
    }

    /// <summary>Hashes what the node's cache holds (no origin: a missing block fails the check).</summary>
    private static async Task<string> HashLocalAsync(PeerDistContent content, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[1024 * 1024];
        for (long offset = content.Range.Start; offset < content.Range.End;)
        {
            int read = await content.ReadAsync(offset, buffer, TimeSpan.Zero, cancellationToken);
            if (read <= 0)
            {
                break;
            }

            hash.AppendData(buffer, 0, read);
            offset += read;
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
