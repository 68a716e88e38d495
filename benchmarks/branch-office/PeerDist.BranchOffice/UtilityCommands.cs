using System.CommandLine;
using System.Diagnostics;

namespace PeerDist.BranchOffice;

/// <summary>Small children: <c>warm</c> (ask the origin until it has hashed a file) and <c>plain-get</c> (the baseline).</summary>
internal static class UtilityCommands
{
    /// <summary>
    /// <c>warm --url U</c>: the origin answers a file's first peerdist request plain and hashes it in the background;
    /// ask again (every 200 ms, bounded by the caller) until the answer is content information, then print <c>info</c>.
    /// </summary>
    public static Command CreateWarm()
    {
        var url = new Option<string>("--url") { Required = true };
        var ciVersion = new Option<int>("--ci-version") { DefaultValueFactory = _ => 1 };
        var command = new Command("warm", "Ask the origin for a file's content information until it has it.") { url, ciVersion };
        command.SetAction(async (result, cancellationToken) =>
        {
            var events = new EventWriter(Console.Out);
            using HttpClient http = ContentInformationRequest.CreateClient();
            var uri = new Uri(result.GetRequiredValue(url));
            int attempts = 0;
            while (true)
            {
                attempts++;
                byte[]? information = await ContentInformationRequest.TryGetAsync(http, uri, result.GetValue(ciVersion), cancellationToken);
                if (information is not null)
                {
                    events.Emit("info", w =>
                    {
                        w.WriteNumber("bytes", information.Length);
                        w.WriteNumber("attempts", attempts);
                    });
                    return 0;
                }

                await Task.Delay(200, cancellationToken);
            }
        });
        return command;
    }

    /// <summary><c>plain-get --url U</c>: one plain HTTP GET (no peerdist), body read and dropped; prints <c>plain</c>.</summary>
    public static Command CreatePlainGet()
    {
        var url = new Option<string>("--url") { Required = true };
        var command = new Command("plain-get", "A plain HTTP GET of the whole file, timed.") { url };
        command.SetAction(async (result, cancellationToken) =>
        {
            var events = new EventWriter(Console.Out);
            using HttpClient http = ContentInformationRequest.CreateClient();
            byte[] buffer = new byte[1024 * 1024];
            long start = Stopwatch.GetTimestamp();
            double? firstByte = null;
            long total = 0;
            using (HttpResponseMessage response = await http.GetAsync(new Uri(result.GetRequiredValue(url)), HttpCompletionOption.ResponseHeadersRead, cancellationToken))
            {
                response.EnsureSuccessStatusCode();
                Stream body = await response.Content.ReadAsStreamAsync(cancellationToken);
                await using (body)
                {
                    int read;
                    while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
                    {
                        firstByte ??= Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                        total += read;
                    }
                }
            }

            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            events.Emit("plain", w =>
            {
                w.WriteNumber("ms", ms);
                w.WriteNumber("firstByteMs", firstByte ?? ms);
                w.WriteNumber("bytes", total);
            });
            return 0;
        });
        return command;
    }
}
