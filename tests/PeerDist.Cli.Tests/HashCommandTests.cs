using System.Text;
using PeerDist.Content;
using PeerDist.Tests.Shared;

namespace PeerDist.Cli.Tests;

/// <summary><c>peerdist hash</c>, driven in-process as a user would run it.</summary>
[TestFixture]
public sealed class HashCommandTests
{
    private const string DerivedVector = "spec-3-2-v1-125kb-full-dwread-0";

    private TempDirectory _temp = null!;

    [SetUp]
    public void SetUp() => _temp = new TempDirectory();

    [TearDown]
    public void TearDown() => _temp.Dispose();

    /// <summary>
    /// The V1 vectors with known content that the tool can reproduce: Windows style (dwReadBytesInLastSegment = 0 for a
    /// whole content) or range vectors; the 4 GiB one is left to the Core tests.
    /// </summary>
    public static IEnumerable<TestCaseData> ReproducibleV1Vectors() =>
        TestVectors.Names("pccrc/v1")
            .Select(name => TestVectors.Load("pccrc/v1", name))
            .Where(v => v.ContentLength is { } length && length < 256L * 1024 * 1024)
            .Where(v =>
            {
                long start = v.Json.GetProperty("range").GetProperty("start").GetInt64();
                long end = v.Json.GetProperty("range").GetProperty("end").GetInt64();
                bool whole = start == 0 && end == v.ContentLength;
                return !whole || v.Json.GetProperty("v1Header").GetProperty("readBytesInLastSegment").GetUInt32() == 0;
            })
            .Select(v => new TestCaseData(v).SetName($"{{m}}({v.Name})"));

    [Test]
    public async Task Hash_DerivedVectorContent_WritesExactlyTheVectorBytes()
    {
        // The .bin was produced by an independent Python script (spec-vectors/pccrc/tools/derive_pccrc.py).
        string content = _temp.Write("content.bin", ContentPatterns.Mod251(128000));
        string output = _temp.File("out.ci");

        CliResult result = await Cli.RunAsync("hash", content, "--secret-hex", Cli.NoMoreSecretsHex, "-o", output);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Stderr, Is.Empty);
        Assert.That(result.Stdout, Is.Empty);
        ByteAssert.AreEqual(File.ReadAllBytes(output), TestVectors.Load("pccrc/v1", DerivedVector).Bytes, DerivedVector);
    }

    [TestCaseSource(nameof(ReproducibleV1Vectors))]
    public async Task Hash_VectorContentOnStdin_WritesVectorBytesToStdout(TestVectors.Vector vector)
    {
        long length = vector.ContentLength!.Value;
        var args = new List<string> { "hash", "-", "--secret-hex", Cli.NoMoreSecretsHex };
        string algorithm = vector.Json.GetProperty("hashAlgorithm").GetString()!;
        if (algorithm != "sha256")
        {
            args.AddRange(["--hash", algorithm]);
        }

        long start = vector.Json.GetProperty("range").GetProperty("start").GetInt64();
        long end = vector.Json.GetProperty("range").GetProperty("end").GetInt64();
        if (start != 0 || end != length)
        {
            args.AddRange(["--range", $"{start}:{end - start}"]);
        }

        CliResult result = await Cli.RunAsync([.. args], new CliOptions { Stdin = ContentPatterns.Mod251Stream(length) });

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        ByteAssert.AreEqual(result.Stdout, vector.Bytes, vector.Name);
    }

    [Test]
    public async Task Hash_Passphrase_EqualsSecretHexOfUtf16LittleEndianBytes()
    {
        string content = _temp.Write("content.bin", ContentPatterns.Mod251(100_000));
        const string passphrase = "Pässwörd € secret";
        string hex = Convert.ToHexString(Encoding.Unicode.GetBytes(passphrase));

        CliResult byPassphrase = await Cli.RunAsync("hash", content, "--passphrase", passphrase);
        CliResult byHex = await Cli.RunAsync("hash", content, "--secret-hex", hex);
        CliResult byAscii = await Cli.RunAsync("hash", content, "--secret-hex", Convert.ToHexString(Encoding.UTF8.GetBytes(passphrase)));

        Assert.That(byPassphrase.ExitCode, Is.EqualTo(0), byPassphrase.ToString());
        Assert.That(byPassphrase.Stdout, Is.EqualTo(byHex.Stdout));
        Assert.That(byPassphrase.Stdout, Is.Not.EqualTo(byAscii.Stdout));
    }

    [Test]
    public async Task Hash_KeyFile_EqualsSecretHexOfTheExportedKey()
    {
        // exportkey-no-more-secrets.bin was made with openssl only; it wraps the secret of the derived vectors.
        string keyFile = Path.Combine(TestVectors.Root, "pccrc", "keyfile", "exportkey-no-more-secrets.bin");
        string content = _temp.Write("content.bin", ContentPatterns.Mod251(128000));

        CliResult result = await Cli.RunAsync("hash", content, "--key-file", keyFile, "--key-password", "Pässwörd€");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        ByteAssert.AreEqual(result.Stdout, TestVectors.Load("pccrc/v1", DerivedVector).Bytes);
    }

    [Test]
    public async Task Hash_V2_OutputParsesAsV2CoveringTheWholeContent()
    {
        string content = _temp.Write("content.bin", ContentPatterns.Mod251(300_000));

        CliResult result = await Cli.RunAsync("hash", content, "--v2", "--passphrase", "secret");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        ContentInformation info = ContentInformation.Parse(result.Stdout);
        Assert.That(info, Is.TypeOf<ContentInformationV2>());
        Assert.That(info.HashAlgorithm, Is.EqualTo(ContentHashAlgorithm.Sha512Truncated));
        Assert.That(info.Range, Is.EqualTo(new ContentRange(0, 300_000)));
        Assert.That(info.Segments.Sum(s => (long)s.Length), Is.EqualTo(300_000));
    }

    [TestCase("sha256", ContentHashAlgorithm.Sha256)]
    [TestCase("sha384", ContentHashAlgorithm.Sha384)]
    [TestCase("SHA-512", ContentHashAlgorithm.Sha512)]
    public async Task Hash_HashOption_SelectsTheV1Algorithm(string name, ContentHashAlgorithm expected)
    {
        string content = _temp.Write("content.bin", ContentPatterns.Mod251(70_000));

        CliResult result = await Cli.RunAsync("hash", content, "--hash", name, "--passphrase", "secret");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(ContentInformation.Parse(result.Stdout).HashAlgorithm, Is.EqualTo(expected));
    }

    [Test]
    public async Task Hash_Range_DescribesOnlyThatRange()
    {
        string content = _temp.Write("content.bin", ContentPatterns.Mod251(128000));

        CliResult result = await Cli.RunAsync("hash", content, "--range", "102400:25600", "--secret-hex", Cli.NoMoreSecretsHex);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        var info = (ContentInformationV1)ContentInformation.Parse(result.Stdout);
        Assert.That(info.Range, Is.EqualTo(new ContentRange(102400, 25600)));
        Assert.That(info.OffsetInFirstSegment, Is.EqualTo(102400u));
        ByteAssert.AreEqual(result.Stdout, TestVectors.Load("pccrc/v1", "spec-3-3-v1-125kb-range-100kb-to-end").Bytes);
    }

    [Test]
    public async Task Hash_OneThread_GivesTheSameBytesAsAllThreads()
    {
        string content = _temp.Write("content.bin", ContentPatterns.Mod251(5 * 1024 * 1024 + 17));

        CliResult one = await Cli.RunAsync("hash", content, "--threads", "1", "--passphrase", "secret");
        CliResult all = await Cli.RunAsync("hash", content, "--passphrase", "secret");

        Assert.That(one.ExitCode, Is.EqualTo(0), one.ToString());
        ByteAssert.AreEqual(one.Stdout, all.Stdout);
    }

    [Test]
    public async Task Hash_OutputFile_WritesNothingToStdout()
    {
        string content = _temp.Write("content.bin", ContentPatterns.Mod251(1000));
        string output = _temp.File("out.ci");

        CliResult result = await Cli.RunAsync(["hash", content, "--passphrase", "secret", "-o", output], new CliOptions { StdoutIsTerminal = true });

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Stdout, Is.Empty);
        Assert.That(ContentInformation.Parse(File.ReadAllBytes(output)).Range.Length, Is.EqualTo(1000));
    }

    [Test]
    public async Task Hash_TerminalStdoutWithoutOutput_RefusesWithExitTwoAndAHint()
    {
        string content = _temp.Write("content.bin", ContentPatterns.Mod251(1000));

        CliResult result = await Cli.RunAsync(["hash", content, "--passphrase", "secret"], new CliOptions { StdoutIsTerminal = true });

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Stdout, Is.Empty);
        Assert.That(result.ErrorLines, Has.Count.EqualTo(1));
        Assert.That(result.ErrorLines[0], Does.StartWith("peerdist: error: refusing to write binary").And.Contain("-o"));
    }

    [Test]
    public async Task Hash_TerminalStdoutWithDashOutput_WritesTheBytesAnyway()
    {
        string content = _temp.Write("content.bin", ContentPatterns.Mod251(1000));

        CliResult result = await Cli.RunAsync(["hash", content, "--passphrase", "secret", "-o", "-"], new CliOptions { StdoutIsTerminal = true });

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(ContentInformation.Parse(result.Stdout).Range.Length, Is.EqualTo(1000));
    }

    [Test]
    public async Task Hash_LargeFileWithTerminalStderr_DrawsAndErasesAProgressBar()
    {
        string content = _temp.Write("content.bin", ContentPatterns.Mod251(6 * 1024 * 1024));

        CliResult result = await Cli.RunAsync(
            ["hash", content, "--passphrase", "secret"],
            new CliOptions { StderrIsTerminal = true, ProgressThreshold = 1024 * 1024 });

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Stderr, Does.StartWith("\rhashing ["));
        Assert.That(result.Stderr, Does.Contain("100%"));
        Assert.That(result.Stderr, Does.EndWith("\r"), "the bar is erased when done");
        Assert.That(result.Stderr, Does.Not.Contain("\n"));
        Assert.That(ContentInformation.Parse(result.Stdout).Range.Length, Is.EqualTo(6 * 1024 * 1024));
    }

    [Test]
    public async Task Hash_SmallFileWithTerminalStderr_DrawsNoProgressBar()
    {
        string content = _temp.Write("content.bin", ContentPatterns.Mod251(6 * 1024 * 1024));

        CliResult result = await Cli.RunAsync(["hash", content, "--passphrase", "secret"], new CliOptions { StderrIsTerminal = true });

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Stderr, Is.Empty);
    }

    [Test]
    public async Task Hash_LargeFileWithRedirectedStderr_DrawsNoProgressBar()
    {
        string content = _temp.Write("content.bin", ContentPatterns.Mod251(6 * 1024 * 1024));

        CliResult result = await Cli.RunAsync(["hash", content, "--passphrase", "secret"], new CliOptions { ProgressThreshold = 1024 });

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Stderr, Is.Empty);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task Hash_CancelledWhileReading_ExitsWith130AndWritesNothing(CancellationToken testToken)
    {
        string output = _temp.File("out.ci");
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(testToken);
        await using var stdin = new EndlessStream(cancellation);

        CliResult result = await Cli.RunAsync(["hash", "-", "--passphrase", "secret", "-o", output], new CliOptions { Stdin = stdin }, cancellation.Token);

        Assert.That(result.ExitCode, Is.EqualTo(130));
        Assert.That(result.ErrorLines, Is.EqualTo(new[] { "peerdist: cancelled" }));
        Assert.That(File.Exists(output), Is.False);
    }

    [Test]
    public async Task Hash_EmptyFile_ExitsOneWithOneLine()
    {
        string content = _temp.Write("empty.bin", []);

        CliResult result = await Cli.RunAsync("hash", content, "--passphrase", "secret");

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.ErrorLines, Has.Count.EqualTo(1));
        Assert.That(result.ErrorLines[0], Does.StartWith("peerdist: error: ").And.Contain("empty"));
    }

    [Test]
    public async Task Hash_RangePastTheEnd_ExitsOneWithOneLine()
    {
        string content = _temp.Write("content.bin", ContentPatterns.Mod251(1000));

        CliResult result = await Cli.RunAsync("hash", content, "--range", "900:101", "--passphrase", "secret");

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.ErrorLines, Has.Count.EqualTo(1));
        Assert.That(result.ErrorLines[0], Does.StartWith("peerdist: error: ").And.Contain("range"));
    }

    /// <summary>Standard input that never ends: it yields bytes until the test has seen some read, then cancels the run.</summary>
    private sealed class EndlessStream(CancellationTokenSource cancellation) : ForwardOnlyStream
    {
        private long _position;

        public override long Position => _position;

        public override int Read(Span<byte> buffer) => throw new NotSupportedException("Async only.");

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position >= 8 * 1024 * 1024)
            {
                // Like a user pressing Ctrl-C while the tool waits for more input.
                await cancellation.CancelAsync();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            ContentPatterns.FillMod251(buffer.Span, _position);
            _position += buffer.Length;
            return buffer.Length;
        }
    }
}
