using System.Text.Json;
using PeerDist.Tests.Shared;

namespace PeerDist.Cli.Tests;

/// <summary><c>peerdist inspect</c>, driven in-process as a user would run it.</summary>
[TestFixture]
public sealed class InspectCommandTests
{
    private TempDirectory _temp = null!;

    [SetUp]
    public void SetUp() => _temp = new TempDirectory();

    [TearDown]
    public void TearDown() => _temp.Dispose();

    public static IEnumerable<TestCaseData> AllValidVectors() =>
        PccrcTestData.ValidVectors().Where(c => ((TestVectors.Vector)c.Arguments[0]!).Name != PccrcTestData.FourGiBVector);

    [TestCase("pccrc/v1", "ipxe-iis85-v1")]
    [TestCase("pccrc/v2", "ipxe-iis85-v2")]
    public async Task Inspect_WindowsVector_ShowsThePublishedHashesAndSegmentIds(string folder, string name)
    {
        TestVectors.Vector vector = TestVectors.Load(folder, name);
        string ci = _temp.Write(name + ".bin", vector.Bytes);

        CliResult result = await Cli.RunAsync("inspect", ci);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Stderr, Is.Empty);
        string[] segmentLines = [.. result.Output.Split('\n').Where(l => l.StartsWith("  [", StringComparison.Ordinal))];
        JsonElement[] segments = [.. vector.Json.GetProperty("segments").EnumerateArray()];
        Assert.That(segmentLines, Has.Length.EqualTo(segments.Length));
        for (int i = 0; i < segments.Length; i++)
        {
            JsonElement s = segments[i];
            Assert.That(segmentLines[i], Does.StartWith($"  [{i}] index {s.GetProperty("index").GetInt64()} offset {s.GetProperty("offset").GetInt64()} length {s.GetProperty("length").GetInt32()} "));
            Assert.That(segmentLines[i], Does.Contain($" hod {s.GetProperty("hod").GetString()}"));
            Assert.That(segmentLines[i], Does.Contain($" id {s.GetProperty("segmentId").GetString()}"));
            Assert.That(segmentLines[i], Does.Not.Contain(s.GetProperty("kp").GetString()!), "Kp only with --show-secrets");
        }
    }

    [Test]
    public async Task Inspect_FileLargerThanTheLimit_IsRefusedWithoutReadingIt()
    {
        // A sparse file: the size check must come before any read, so this costs no disk and no memory.
        string ci = _temp.Write("huge.ci", []);
        using (var file = new FileStream(ci, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(InputFiles.MaxReadAllLength + 1L);
        }

        CliResult result = await Cli.RunAsync("inspect", ci);

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Stderr, Does.Contain("is larger than 1024 MiB"));
    }

    [Test]
    public async Task Inspect_V1Vector_ShowsHeaderFieldsAndBlockCounts()
    {
        string ci = _temp.Write("range.ci", TestVectors.Load("pccrc/v1", "spec-3-5-v1-125mb-range-100kb-to-124mb").Bytes);

        CliResult result = await Cli.RunAsync("inspect", ci);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Output, Does.StartWith("content information V1\n"));
        Assert.That(result.Output, Does.Contain("sha256 (dwHashAlgo 0x0000800C)"));
        Assert.That(result.Output, Does.Contain("[102400, 130023424), 129921024 bytes"));
        Assert.That(result.Output, Does.Contain("102400 (dwOffsetInFirstSegment)"));
        Assert.That(result.Output, Does.Contain("29360128 (dwReadBytesInLastSegment)"));
        Assert.That(result.Output, Does.Contain("4 (cSegments)"));
        Assert.That(result.Output, Does.Contain("[3] index 3 offset 100663296 length 30408704 blocks 448/464 hod "));
    }

    [Test]
    public async Task Inspect_V2Vector_ShowsHeaderFields()
    {
        string ci = _temp.Write("range.ci", TestVectors.Load("pccrc/v2", "spec-3-7-v2-189kb-range-100kb-to-110kb").Bytes);

        CliResult result = await Cli.RunAsync("inspect", ci);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Output, Does.StartWith("content information V2\n"));
        Assert.That(result.Output, Does.Contain("sha512-truncated (bHashAlgo 0x04)"));
        Assert.That(result.Output, Does.Contain("61440 (ullStartInContent)"));
        Assert.That(result.Output, Does.Contain("1 (ullIndexOfFirstSegment)"));
        Assert.That(result.Output, Does.Contain("40960 (dwOffsetInFirstSegment)"));
        Assert.That(result.Output, Does.Contain("10240 (ullLengthOfRange)"));
        Assert.That(result.Output, Does.Contain("[0] index 1 offset 61440 length 87040 hod "));
    }

    [TestCaseSource(nameof(AllValidVectors))]
    public async Task Inspect_Json_MatchesTheVectorJson(TestVectors.Vector vector)
    {
        string ci = _temp.Write(vector.Name + ".bin", vector.Bytes);

        CliResult result = await Cli.RunAsync("inspect", ci, "--json");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        using JsonDocument document = JsonDocument.Parse(result.Stdout);
        JsonElement actual = document.RootElement;
        JsonElement expected = vector.Json;
        Assert.That(actual.GetProperty("version").GetInt32(), Is.EqualTo(expected.GetProperty("version").GetInt32()));
        Assert.That(actual.GetProperty("hashAlgorithm").GetString(), Is.EqualTo(expected.GetProperty("hashAlgorithm").GetString()));
        Assert.That(actual.GetProperty("range").GetProperty("start").GetInt64(), Is.EqualTo(expected.GetProperty("range").GetProperty("start").GetInt64()));
        Assert.That(actual.GetProperty("range").GetProperty("end").GetInt64(), Is.EqualTo(expected.GetProperty("range").GetProperty("end").GetInt64()));
        string header = expected.TryGetProperty("v1Header", out _) ? "v1Header" : "v2Header";
        foreach (JsonProperty field in expected.GetProperty(header).EnumerateObject())
        {
            Assert.That(Canonical(actual.GetProperty(header).GetProperty(field.Name)), Is.EqualTo(Canonical(field.Value)), $"{header}.{field.Name}");
        }

        JsonElement[] actualSegments = [.. actual.GetProperty("segments").EnumerateArray()];
        JsonElement[] expectedSegments = [.. expected.GetProperty("segments").EnumerateArray()];
        Assert.That(actualSegments, Has.Length.EqualTo(expected.GetProperty(header).TryGetProperty("segmentCount", out JsonElement count) ? count.GetInt32() : expectedSegments.Length));
        foreach (JsonElement segment in expectedSegments)
        {
            JsonElement match = actualSegments.Single(s => s.GetProperty("index").GetInt64() == segment.GetProperty("index").GetInt64());
            foreach (JsonProperty field in segment.EnumerateObject().Where(f => f.Name != "kp"))
            {
                Assert.That(Canonical(match.GetProperty(field.Name)), Is.EqualTo(Canonical(field.Value)), $"segment {segment.GetProperty("index")}.{field.Name}");
            }

            Assert.That(match.TryGetProperty("kp", out _), Is.False, "Kp only with --show-secrets");
        }
    }

    [Test]
    public async Task Inspect_ShowSecrets_PrintsKpInTextAndJson()
    {
        TestVectors.Vector vector = TestVectors.Load("pccrc/v2", "ipxe-iis85-v2");
        string ci = _temp.Write("ci.bin", vector.Bytes);
        string[] kps = [.. vector.Json.GetProperty("segments").EnumerateArray().Select(s => s.GetProperty("kp").GetString()!)];

        CliResult text = await Cli.RunAsync("inspect", ci, "--show-secrets");
        CliResult json = await Cli.RunAsync("inspect", ci, "--show-secrets", "--json");

        Assert.That(text.ExitCode, Is.EqualTo(0), text.ToString());
        Assert.That(json.ExitCode, Is.EqualTo(0), json.ToString());
        using JsonDocument document = JsonDocument.Parse(json.Stdout);
        JsonElement[] segments = [.. document.RootElement.GetProperty("segments").EnumerateArray()];
        for (int i = 0; i < kps.Length; i++)
        {
            Assert.That(text.Output, Does.Contain($" kp {kps[i]}"));
            Assert.That(segments[i].GetProperty("kp").GetString(), Is.EqualTo(kps[i]));
        }
    }

    [Test]
    public async Task Inspect_CiFromStdin_ReadsStandardInput()
    {
        TestVectors.Vector vector = TestVectors.Load("pccrc/v1", "ipxe-iis85-v1");

        CliResult result = await Cli.RunAsync(["inspect", "-"], new CliOptions { Stdin = new MemoryStream(vector.Bytes) });

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Output, Does.Contain("id 491b217dbee2b5f12ca79b015e06f4bbe64f9745bad7867aef17de59927edce9"));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Inspect_HashThenVerify_RoundTripMatches(bool v2)
    {
        string content = _temp.Write("content.bin", ContentPatterns.Mod251(700_000));
        string ci = _temp.File("content.ci");
        string[] hashArgs = v2
            ? ["hash", content, "--v2", "--passphrase", "secret", "-o", ci]
            : ["hash", content, "--passphrase", "secret", "-o", ci];
        CliResult hashed = await Cli.RunAsync(hashArgs);
        Assert.That(hashed.ExitCode, Is.EqualTo(0), hashed.ToString());

        CliResult result = await Cli.RunAsync("inspect", ci, "--content", content, "--passphrase", "secret");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Stderr, Is.Empty);
        Assert.That(result.Output, Does.Contain($"verification of '{content}'"));
        Assert.That(result.Output, Does.Match(@"segment secrets\s+\d+ checked against the server secret"));
        Assert.That(result.Output, Does.Match(@"result\s+match\n"));
    }

    [Test]
    public async Task Inspect_FlippedByte_NamesTheSegmentAndBlockAndExitsOne()
    {
        byte[] bytes = ContentPatterns.Mod251(3 * 65536 + 100);
        string content = _temp.Write("content.bin", bytes);
        string ci = _temp.File("content.ci");
        Assert.That((await Cli.RunAsync("hash", content, "--passphrase", "secret", "-o", ci)).ExitCode, Is.EqualTo(0));
        bytes[(2 * 65536) + 5] ^= 0x01;
        File.WriteAllBytes(content, bytes);

        CliResult text = await Cli.RunAsync("inspect", ci, "--content", content, "--passphrase", "secret");
        CliResult json = await Cli.RunAsync("inspect", ci, "--content", content, "--json");

        Assert.That(text.ExitCode, Is.EqualTo(1));
        Assert.That(text.Output, Does.Match(@"result\s+1 mismatch\n"));
        Assert.That(text.Output, Does.Contain("mismatch").And.Contain("BlockHash: segment 0 (listed 0), block 2, bytes [131072, 196608)"));
        Assert.That(text.ErrorLines, Has.Count.EqualTo(1));
        Assert.That(text.ErrorLines[0], Does.StartWith("peerdist: error: ").And.Contain("does not match").And.Contain("block 2"));

        Assert.That(json.ExitCode, Is.EqualTo(1));
        using JsonDocument document = JsonDocument.Parse(json.Stdout);
        JsonElement verification = document.RootElement.GetProperty("verification");
        Assert.That(verification.GetProperty("match").GetBoolean(), Is.False);
        JsonElement mismatch = verification.GetProperty("mismatches").EnumerateArray().Single();
        Assert.That(mismatch.GetProperty("kind").GetString(), Is.EqualTo("BlockHash"));
        Assert.That(mismatch.GetProperty("segmentIndex").GetInt64(), Is.EqualTo(0));
        Assert.That(mismatch.GetProperty("blockIndex").GetInt32(), Is.EqualTo(2));
        Assert.That(mismatch.GetProperty("start").GetInt64(), Is.EqualTo(131072));
    }

    [Test]
    public async Task Inspect_ContentWithoutSecret_SaysSegmentSecretsAreUnverified()
    {
        string content = _temp.Write("content.bin", ContentPatterns.Mod251(128000));
        string ci = _temp.Write("content.ci", TestVectors.Load("pccrc/v1", "spec-3-2-v1-125kb-full-dwread-0").Bytes);

        CliResult text = await Cli.RunAsync("inspect", ci, "--content", content);
        CliResult json = await Cli.RunAsync("inspect", ci, "--content", content, "--json");

        Assert.That(text.ExitCode, Is.EqualTo(0), text.ToString());
        Assert.That(text.Output, Does.Contain("not checked: no server secret given, so Kp and the segment IDs are unverified"));
        Assert.That(text.Output, Does.Match(@"result\s+match\n"));
        using JsonDocument document = JsonDocument.Parse(json.Stdout);
        Assert.That(document.RootElement.GetProperty("verification").GetProperty("segmentSecretsChecked").GetInt32(), Is.EqualTo(0));
        Assert.That(document.RootElement.GetProperty("verification").GetProperty("blockHashesChecked").GetInt32(), Is.EqualTo(2));
    }

    [Test]
    public async Task Inspect_WrongSecret_ReportsEverySegmentSecret()
    {
        string content = _temp.Write("content.bin", ContentPatterns.Mod251(128000));
        string ci = _temp.Write("content.ci", TestVectors.Load("pccrc/v1", "spec-3-2-v1-125kb-full-dwread-0").Bytes);

        CliResult result = await Cli.RunAsync("inspect", ci, "--content", content, "--passphrase", "no more secrets");

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Output, Does.Contain("SegmentSecret: segment 0 (listed 0), bytes [0, 128000)"));
        Assert.That(result.ErrorLines, Has.Count.EqualTo(1));
        Assert.That(result.ErrorLines[0], Does.Contain("SegmentSecret"));
    }

    [Test]
    public async Task Inspect_KeyFileSecret_ChecksSegmentSecrets()
    {
        string content = _temp.Write("content.bin", ContentPatterns.Mod251(128000));
        string ci = _temp.Write("content.ci", TestVectors.Load("pccrc/v1", "spec-3-2-v1-125kb-full-dwread-0").Bytes);
        string keyFile = Path.Combine(TestVectors.Root, "pccrc", "keyfile", "exportkey-no-more-secrets.bin");

        CliResult result = await Cli.RunAsync("inspect", ci, "--content", content, "--key-file", keyFile, "--key-password", "Pässwörd€");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Output, Does.Match(@"segment secrets\s+1 checked against the server secret"));
    }

    [Test]
    public async Task Inspect_TruncatedContent_ReportsContentTooShort()
    {
        string content = _temp.Write("content.bin", ContentPatterns.Mod251(100_000));
        string ci = _temp.Write("content.ci", TestVectors.Load("pccrc/v1", "spec-3-2-v1-125kb-full-dwread-0").Bytes);

        CliResult result = await Cli.RunAsync("inspect", ci, "--content", content);

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Output, Does.Contain("ContentTooShort: segment 0 (listed 0), block 1, bytes [100000, 128000)"));
    }

    [Test]
    public async Task Inspect_LargeContentWithTerminalStderr_DrawsAndErasesAProgressBar()
    {
        string content = _temp.Write("content.bin", ContentPatterns.Mod251(5 * 1024 * 1024));
        string ci = _temp.File("content.ci");
        Assert.That((await Cli.RunAsync("hash", content, "--passphrase", "secret", "-o", ci)).ExitCode, Is.EqualTo(0));

        CliResult result = await Cli.RunAsync(
            ["inspect", ci, "--content", content],
            new CliOptions { StderrIsTerminal = true, ProgressThreshold = 1024 * 1024 });

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Stderr, Does.StartWith("\rverifying [").And.Contain("100%").And.EndWith("\r"));
    }

    /// <summary>The element without its layout, so that values compare whatever the indentation.</summary>
    private static string Canonical(JsonElement element) => JsonSerializer.Serialize(element);
}
