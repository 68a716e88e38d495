using System.Buffers.Binary;
using System.Security.Cryptography;
using PeerDist.Hosting;

namespace PeerDist.Cli.Tests;

/// <summary>
/// <c>peerdist cache status|clear|export|import</c> and <c>peerdist status</c>, run in-process as a user runs them: exit
/// codes, what is printed, the package file, and what the cache directories hold afterwards (read back through the
/// cache API and compared with the original file bytes).
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class CacheCommandTests
{
    private TempDirectory _contents = null!;
    private TempDirectory _temp = null!;
    private CacheFixture _v1 = null!;
    private CacheFixture _v2 = null!;

    [OneTimeSetUp]
    public async Task CreateContents()
    {
        _contents = new TempDirectory();

        // V1: one whole segment and a short second one; V2: several small segments.
        _v1 = await CacheFixture.CreateAsync(_contents, "v1.bin", 51, (int)PeerDistConstants.SegmentSize + (3 * PeerDistConstants.BlockSize) + 99);
        _v2 = await CacheFixture.CreateAsync(_contents, "v2.bin", 52, 500_000, v2: true);
    }

    [OneTimeTearDown]
    public void DeleteContents() => _contents?.Dispose();

    [SetUp]
    public void SetUp() => _temp = new TempDirectory();

    [TearDown]
    public void TearDown() => _temp.Dispose();

    [Test]
    public async Task Status_FilledCache_PrintsSegmentsBlocksAndBytesOfWhatWasPut()
    {
        string cache = _temp.File("cache");
        _v1.Fill(cache);

        CliResult result = await Cli.RunAsync("cache", "status", "--cache", cache);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            Assert.That(result.Output, Does.Contain($"segments: {_v1.Information.Segments.Count}\n"));
            Assert.That(result.Output, Does.Contain($"blocks:   {_v1.BlockCount}\n"));
            Assert.That(result.Output, Does.Contain($"bytes:    {_v1.Content.Length} "));
            Assert.That(result.Output, Does.Contain("cap:"));
            Assert.That(result.Stderr, Is.Empty);
        }
    }

    [Test]
    public async Task Status_DirectoryThatIsNotACache_ExitsOneAndCreatesNothing()
    {
        string plain = _temp.File("plain");
        Directory.CreateDirectory(plain);

        CliResult result = await Cli.RunAsync("cache", "status", "--cache", plain);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.ErrorLines, Is.EqualTo(new[] { $"peerdist: error: '{plain}' is not a PeerDist cache directory (it has neither 'cache.lock' nor 'segments/')" }));
            Assert.That(Directory.EnumerateFileSystemEntries(plain), Is.Empty);
        }
    }

    [Test]
    public async Task Status_MissingCacheOption_ExitsTwo()
    {
        CliResult result = await Cli.RunAsync("cache", "status");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
    }

    [Test]
    public async Task Clear_FilledCache_RemovesEverySegment()
    {
        string cache = _temp.File("cache");
        _v1.Fill(cache);

        CliResult cleared = await Cli.RunAsync("cache", "clear", "--cache", cache);
        CliResult status = await Cli.RunAsync("cache", "status", "--cache", cache);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(cleared.ExitCode, Is.Zero, cleared.ToString());
            Assert.That(cleared.Output, Does.StartWith($"removed {_v1.Information.Segments.Count} segment(s), {_v1.BlockCount} block(s)"));
            Assert.That(status.Output, Does.Contain("segments: 0\n").And.Contain("blocks:   0\n"));
        }
    }

    [Test]
    public async Task ExportThenImport_AllSegments_SecondCacheHoldsEveryBlockByteForByte()
    {
        string source = _temp.File("source");
        string target = _temp.File("target");
        string package = _temp.File("all.pdcpkg");
        _v1.Fill(source);
        _v2.Fill(source);
        int segments = _v1.Information.Segments.Count + _v2.Information.Segments.Count;
        int blocks = _v1.BlockCount + _v2.BlockCount;

        CliResult exported = await Cli.RunAsync("cache", "export", "--cache", source, "-o", package);
        CliResult imported = await Cli.RunAsync("cache", "import", "--cache", target, package);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exported.ExitCode, Is.Zero, exported.ToString());
            Assert.That(exported.Output, Does.StartWith($"exported {segments} segment(s), {blocks} block(s)"));
            Assert.That(File.Exists(package + ".tmp"), Is.False, "no temporary file left");
            Assert.That(File.ReadAllBytes(package).AsSpan(0, 8).SequenceEqual("PDCPKG\r\n"u8), Is.True, "the documented magic");
            Assert.That(imported.ExitCode, Is.Zero, imported.ToString());
            Assert.That(imported.Output, Does.StartWith($"imported {segments} segment(s), {blocks} block(s)"));
        }

        _v1.AssertHeldBy(target);
        _v2.AssertHeldBy(target);
    }

    [Test]
    public async Task Export_WithContentInformation_OnlyThatContentsSegments()
    {
        string source = _temp.File("source");
        string target = _temp.File("target");
        string package = _temp.File("v2.pdcpkg");
        _v1.Fill(source);
        _v2.Fill(source);

        CliResult exported = await Cli.RunAsync("cache", "export", "--cache", source, "-o", package, _v2.CiPath);
        CliResult imported = await Cli.RunAsync("cache", "import", "--cache", target, package);
        CliResult status = await Cli.RunAsync("cache", "status", "--cache", target);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exported.ExitCode, Is.Zero, exported.ToString());
            Assert.That(imported.ExitCode, Is.Zero, imported.ToString());
            Assert.That(status.Output, Does.Contain($"segments: {_v2.Information.Segments.Count}\n").And.Contain($"blocks:   {_v2.BlockCount}\n"));
        }

        _v2.AssertHeldBy(target);
    }

    [Test]
    public async Task Export_ContentNotInCache_ExitsOneAndWritesNoFile()
    {
        string source = _temp.File("source");
        string package = _temp.File("none.pdcpkg");
        _v1.Fill(source);

        CliResult result = await Cli.RunAsync("cache", "export", "--cache", source, "-o", package, _v2.CiPath);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.ErrorLines, Has.Some.Contains("none of the segments"));
            Assert.That(File.Exists(package), Is.False);
        }
    }

    [Test]
    public async Task Import_OneByteFlipped_ExitsOneOnTheChecksumAndStoresNothing()
    {
        string package = await ExportAsync(_v1);
        byte[] bytes = await File.ReadAllBytesAsync(package);
        bytes[bytes.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(package, bytes);
        string target = _temp.File("target");

        CliResult result = await Cli.RunAsync("cache", "import", "--cache", target, package);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.ErrorLines, Has.Count.EqualTo(1));
            Assert.That(result.ErrorLines[0], Does.StartWith($"peerdist: error: '{package}': not a valid cache package").And.Contain("checksum does not match"));
            Assert.That(Directory.Exists(target), Is.False, "the cache was never opened");
        }
    }

    [Test]
    public async Task Import_BlockChangedAndChecksumRecomputed_ExitsOneOnTheBlockHashAndStoresNothing()
    {
        string package = await ExportAsync(_v2);
        byte[] bytes = await File.ReadAllBytesAsync(package);

        // A forged package: a byte inside the last block changed, and a fresh SHA-256 over the body so the checksum
        // passes. Only the block hash from the segment metadata can catch it.
        int body = bytes.Length - 32;
        bytes[body - 10] ^= 0x01;
        SHA256.HashData(bytes.AsSpan(0, body), bytes.AsSpan(body));
        await File.WriteAllBytesAsync(package, bytes);
        string target = _temp.File("target");

        CliResult result = await Cli.RunAsync("cache", "import", "--cache", target, package);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.ErrorLines, Has.Count.EqualTo(1));
            Assert.That(result.ErrorLines[0], Does.Contain("does not match its hash"));
            Assert.That(Directory.Exists(target), Is.False, "nothing stored");
        }
    }

    [Test]
    public async Task Import_Truncated_ExitsOne()
    {
        string package = await ExportAsync(_v2);
        byte[] bytes = await File.ReadAllBytesAsync(package);
        await File.WriteAllBytesAsync(package, bytes.AsSpan(0, bytes.Length / 3).ToArray());

        CliResult result = await Cli.RunAsync("cache", "import", "--cache", _temp.File("target"), package);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.ErrorLines, Has.Count.EqualTo(1));
            Assert.That(result.ErrorLines[0], Does.Contain("not a valid cache package"));
        }
    }

    [Test]
    public async Task Import_NotAPackage_ExitsOneSayingSo()
    {
        string notPackage = _temp.Write("random.bin", RandomNumberGenerator.GetBytes(1000));

        CliResult result = await Cli.RunAsync("cache", "import", "--cache", _temp.File("target"), notPackage);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.ErrorLines[0], Does.Contain("not a PeerDist cache package (wrong magic)"));
        }
    }

    [Test]
    public async Task Import_NewerVersionWithValidChecksum_ExitsOneNamingTheVersion()
    {
        string package = await ExportAsync(_v2);
        byte[] bytes = await File.ReadAllBytesAsync(package);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), 2);
        SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32), bytes.AsSpan(bytes.Length - 32));
        await File.WriteAllBytesAsync(package, bytes);

        CliResult result = await Cli.RunAsync("cache", "import", "--cache", _temp.File("target"), package);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.ErrorLines[0], Does.Contain("package version 2 is not supported"));
        }
    }

    [Test]
    public async Task CacheCommands_DirectoryHeldByRunningNode_ExitOneAndStatusCountsFiles(CancellationToken cancellationToken)
    {
        string cache = _temp.File("cache");
        _v1.Fill(cache);
        await using var node = new PeerDistNode(new PeerDistNodeOptions { Mode = PeerDistNodeMode.LocalOnly, CachePath = cache, CacheMaxSizeBytes = 1L << 30 });
        await node.StartAsync(cancellationToken);

        CliResult cacheStatus = await Cli.RunAsync("cache", "status", "--cache", cache);
        CliResult status = await Cli.RunAsync("status", "--cache", cache);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(cacheStatus.ExitCode, Is.EqualTo(1));
            Assert.That(cacheStatus.ErrorLines, Is.EqualTo(new[] { $"peerdist: error: '{cache}' is in use by a running node (peerdist serve) or another cache command; stop it first" }));
            Assert.That(status.ExitCode, Is.Zero, status.ToString());
            Assert.That(status.Output, Does.Contain("in use by a running node"));
            Assert.That(status.Output, Does.Contain($"segments: {_v1.Information.Segments.Count}\n").And.Contain($"blocks:   {_v1.BlockCount}\n").And.Contain($"bytes:    {_v1.Content.Length} "));
        }
    }

    [Test]
    public async Task Status_CacheNotInUse_SaysSoAndCounts()
    {
        string cache = _temp.File("cache");
        _v2.Fill(cache);

        CliResult status = await Cli.RunAsync("status", "--cache", cache);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(status.ExitCode, Is.Zero, status.ToString());
            Assert.That(status.Output, Does.Contain("not in use").And.Contain($"blocks:   {_v2.BlockCount}\n"));
            Assert.That(status.Output, Does.Contain("discovery:"));
        }
    }

    private async Task<string> ExportAsync(CacheFixture content)
    {
        string source = _temp.File("export-source");
        content.Fill(source);
        string package = _temp.File("export.pdcpkg");
        CliResult exported = await Cli.RunAsync("cache", "export", "--cache", source, "-o", package);
        Assert.That(exported.ExitCode, Is.Zero, exported.ToString());
        return package;
    }
}
