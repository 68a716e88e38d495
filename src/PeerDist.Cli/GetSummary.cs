using System.Globalization;
using PeerDist.Client;
using PeerDist.Http;

namespace PeerDist.Cli;

/// <summary>
/// The last line of <c>peerdist get</c>: how many bytes, how long, and where they came from. For example
/// <c>got 'big.iso': 1.50 GiB in 12.3 s; peerdist: 1.20 GiB from the cache, 300.00 MiB from peers, 0 bytes from the origin</c>,
/// or <c>...; plain HTTP (the server did not offer peerdist)</c>.
/// </summary>
internal static class GetSummary
{
    /// <summary>The text that marks a download that was not peerdist.</summary>
    public const string Plain = "plain HTTP (the server did not offer peerdist)";

    public static string Format(string output, long bytes, TimeSpan elapsed, HttpResponseMessage response)
    {
        string head = string.Create(CultureInfo.InvariantCulture, $"got '{output}': {ByteSize.Format(bytes)} in {elapsed.TotalSeconds:0.0} s; ");
        if (response.Content is not PeerDistResponseContent content)
        {
            return head + (IsHashing(response)
                ? "plain HTTP (the server is still hashing this file; the next download can use peerdist)"
                : Plain);
        }

        PeerDistContentStatistics statistics = content.GetStatistics();
        string peers = statistics.BytesByPeer.Count == 0
            ? string.Empty
            : " (" + string.Join(", ", statistics.BytesByPeer.Select(p => $"{p.Key}: {ByteSize.Format(p.Value)}")) + ")";
        string rejected = statistics.BlocksRejected == 0
            ? string.Empty
            : string.Create(CultureInfo.InvariantCulture, $"; {statistics.BlocksRejected} block(s) rejected and fetched again");
        return head + $"peerdist: {ByteSize.Format(statistics.BytesFromCache)} from the cache, {ByteSize.Format(statistics.BytesFromPeers)} from peers{peers}, {ByteSize.Format(statistics.BytesFromOrigin)} from the origin{rejected}";
    }

    /// <summary>Whether a plain answer said the server has started hashing the file (<c>MakeHashRequest=true</c>, MS-PCCRTP 2.2.3).</summary>
    private static bool IsHashing(HttpResponseMessage response) =>
        response.Headers.TryGetValues(PccrtpHeaderNames.PeerDistEx, out IEnumerable<string>? values)
        && values.Any(value => PeerDistExHeader.TryParse(value, out PeerDistExHeader? header) && header.MakeHashRequest);
}
