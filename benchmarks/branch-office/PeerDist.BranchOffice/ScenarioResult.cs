using System.Text.Json.Nodes;

namespace PeerDist.BranchOffice;

/// <summary>What one scenario measured: its figures against their goals, per-node data, WAN bytes and CPU.</summary>
internal sealed class ScenarioResult
{
    public ScenarioResult(string id, string title)
    {
        Id = id;
        Title = title;
    }

    public string Id { get; }

    public string Title { get; }

    /// <summary>Null when the scenario ran to its end; else why it could not.</summary>
    public string? Error { get; set; }

    public List<Figure> Figures { get; } = [];

    public List<NodeResult> Nodes { get; } = [];

    public List<string> Notes { get; } = [];

    public JsonObject Data { get; } = [];

    public long ContentBytes { get; set; }

    public long WanEgressBytes { get; set; }

    public long WanIngressBytes { get; set; }

    public double WallSeconds { get; set; }

    public double CpuSeconds { get; set; }

    public double CoresBusy => WallSeconds > 0 ? CpuSeconds / WallSeconds : 0;

    public void Add(string name, string value, string goal, bool? pass) => Figures.Add(new Figure(name, value, goal, pass));

    public JsonObject ToJson()
    {
        var figures = new JsonArray();
        foreach (Figure f in Figures)
        {
            figures.Add(new JsonObject { ["name"] = f.Name, ["value"] = f.Value, ["goal"] = f.Goal, ["pass"] = f.Pass });
        }

        var nodes = new JsonArray();
        foreach (NodeResult n in Nodes)
        {
            nodes.Add(n.ToJson());
        }

        return new JsonObject
        {
            ["id"] = Id,
            ["title"] = Title,
            ["completed"] = Error is null,
            ["error"] = Error,
            ["contentBytes"] = ContentBytes,
            ["wanEgressBytes"] = WanEgressBytes,
            ["wanIngressBytes"] = WanIngressBytes,
            ["wallSeconds"] = Math.Round(WallSeconds, 3),
            ["cpuSeconds"] = Math.Round(CpuSeconds, 3),
            ["coresBusy"] = Math.Round(CoresBusy, 3),
            ["figures"] = figures,
            ["nodes"] = nodes,
            ["notes"] = new JsonArray([.. Notes.Select(n => (JsonNode?)JsonValue.Create(n))]),
            ["data"] = Data.DeepClone(),
        };
    }
}
