using System.Text.Json;
using System.Text.Json.Nodes;

namespace PeerDist.BranchOffice;

/// <summary>One node's download in a scenario, from its own events.</summary>
internal sealed class NodeResult
{
    public required string Name { get; init; }

    public double CapMbit { get; init; }

    public bool Completed { get; set; }

    public bool Verified { get; set; }

    public bool Killed { get; set; }

    public string? Error { get; set; }

    /// <summary>Seconds from the common start to the node's completion.</summary>
    public double Seconds { get; set; }

    public double ThroughputMbit { get; set; }

    public double CapRatio => CapMbit > 0 ? ThroughputMbit / CapMbit : 0;

    public long FromOrigin { get; set; }

    public long FromPeers { get; set; }

    public long FromCache { get; set; }

    public long BlocksRejected { get; set; }

    public long BytesServed { get; set; }

    /// <summary>From the download call to the first verified block (any source).</summary>
    public double? FirstBlockMs { get; set; }

    /// <summary>From the download call to the first verified block from the origin.</summary>
    public double? FirstOriginBlockMs { get; set; }

    /// <summary>From the download call to the first byte of an origin response on the wire.</summary>

    public double? FirstOriginByteMs { get; set; }

    public double InfoMs { get; set; }

    public long InfoBytes { get; set; }

    public JsonElement? Complete { get; set; }

    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["name"] = Name,
            ["capMbit"] = CapMbit,
            ["completed"] = Completed,
            ["verified"] = Verified,
            ["killed"] = Killed,
            ["error"] = Error,
            ["seconds"] = Math.Round(Seconds, 3),
            ["throughputMbit"] = Math.Round(ThroughputMbit, 2),
            ["capRatio"] = Math.Round(CapRatio, 3),
            ["fromOrigin"] = FromOrigin,
            ["fromPeers"] = FromPeers,
            ["fromCache"] = FromCache,
            ["blocksRejected"] = BlocksRejected,
            ["bytesServed"] = BytesServed,
            ["firstBlockMs"] = FirstBlockMs,
            ["firstOriginBlockMs"] = FirstOriginBlockMs,
            ["firstOriginByteMs"] = FirstOriginByteMs,
            ["contentInformationMs"] = Math.Round(InfoMs, 3),
            ["contentInformationBytes"] = InfoBytes,
        };
        if (Complete is { } complete)
        {
            json["complete"] = JsonNode.Parse(complete.GetRawText());
        }

        return json;
    }
}
