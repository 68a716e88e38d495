using System.Text.Json;

namespace PeerDist.Tests.Shared;

/// <summary>
/// Loads the vectors of <c>spec-vectors/</c> (copied next to the test assembly under TestVectors/). Each <c>.bin</c>
/// has a sibling <c>.json</c> with the expected fields and the provenance (see spec-vectors/README.md).
/// </summary>
public static class TestVectors
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "TestVectors");

    /// <summary>One <see cref="TestCaseData"/> per vector in <paramref name="folder"/> (e.g. "pccrc/v1"), named after the file.</summary>
    public static IEnumerable<TestCaseData> Enumerate(string folder) =>
        Names(folder).Select(name => new TestCaseData(Load(folder, name)).SetName($"{folder.Replace('/', '_')}_{name}"));

    public static IEnumerable<string> Names(string folder) =>
        Directory.EnumerateFiles(Path.Combine(Root, folder), "*.json")
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .Order(StringComparer.Ordinal);

    public static Vector Load(string folder, string name)
    {
        string basePath = Path.Combine(Root, folder, name);
        byte[] bytes = File.ReadAllBytes(basePath + ".bin");
        JsonDocument json = JsonDocument.Parse(File.ReadAllBytes(basePath + ".json"));
        return new Vector(name, bytes, json.RootElement);
    }

    /// <summary>A vector: its bytes and its expected fields.</summary>
    public sealed record Vector(string Name, byte[] Bytes, JsonElement Json)
    {
        public string? String(string property) => Json.TryGetProperty(property, out JsonElement e) ? e.GetString() : null;

        public byte[]? Hex(string property) => String(property) is { } hex ? Convert.FromHexString(hex) : null;

        /// <summary>The content length when the content is the mod-251 pattern, else null.</summary>
        public long? ContentLength =>
            Json.TryGetProperty("content", out JsonElement c) && c.GetProperty("pattern").GetString() == "mod251"
                ? c.GetProperty("length").GetInt64()
                : null;

        public override string ToString() => Name;
    }
}
