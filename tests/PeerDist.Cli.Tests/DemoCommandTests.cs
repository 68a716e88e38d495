namespace PeerDist.Cli.Tests;

/// <summary>
/// <c>peerdist demo</c> as a user runs it, at a small size: origin, three nodes with loopback multicast discovery, every
/// download verified against the file's SHA-256, nodes 2 and 3 served by peers, nothing left in the temp folder.
/// </summary>
[TestFixture]
[Category("Socket")]
[Category("Multicast")]
[CancelAfter(120_000)]
public sealed class DemoCommandTests
{
    [Test]
    public async Task Demo_SmallFile_ExitZeroVerifiedAndNodesTwoAndThreeFromPeers(CancellationToken cancellationToken)
    {
        string[] before = DemoDirectories();

        CliResult result = await Cli.RunAsync(["demo", "--size", "8MiB", "--wan-rate", "0"], new CliOptions(), cancellationToken);

        string output = result.Output;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
            Assert.That(output, Does.Contain("every byte of every download matched the file's SHA-256."));
            Assert.That(Row(output, 1), Does.Match(@"^1\s+8\.00 MiB\s+0 bytes\s+0 bytes\s+8\.00 MiB\s"), "node 1: all from the origin");
            Assert.That(Row(output, 2), Does.Match(@"^2\s+8\.00 MiB\s+\S+ \S+\s+8\.00 MiB\s+0 bytes\s"), "node 2: all from peers");
            Assert.That(Row(output, 3), Does.Match(@"^3\s+8\.00 MiB\s+\S+ \S+\s+8\.00 MiB\s+0 bytes\s"), "node 3: all from peers");
            Assert.That(DemoDirectories(), Is.EquivalentTo(before), "the temporary directory is removed");
        }
    }

    [TestCase("--size", "abc")]
    [TestCase("--size", "1K")]
    [TestCase("--wan-rate", "fast")]
    public async Task Demo_BadOption_UsageError(string option, string value)
    {
        CliResult result = await Cli.RunAsync("demo", option, value);

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Stderr, Does.Contain(option));
    }

    private static string Row(string output, int node) =>
        output.Split('\n').FirstOrDefault(line => line.StartsWith($"{node} ", StringComparison.Ordinal)) ?? string.Empty;

    private static string[] DemoDirectories() => Directory.GetDirectories(Path.GetTempPath(), "peerdist-demo-*");
}
