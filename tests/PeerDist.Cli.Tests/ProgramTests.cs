using PeerDist.Tests.Shared;

namespace PeerDist.Cli.Tests;

/// <summary>
/// The command line as a whole: help, and every error path with its exit code (1 bad input, 2 usage) and its single
/// <c>peerdist: error:</c> line on standard error. "{content}", "{ci}" and "{keyfile}" stand for files that exist.
/// </summary>
[TestFixture]
public sealed class ProgramTests
{
    private TempDirectory _temp = null!;
    private string _content = null!;
    private string _ci = null!;
    private string _keyFile = null!;

    [SetUp]
    public void SetUp()
    {
        _temp = new TempDirectory();
        _content = _temp.Write("content.bin", ContentPatterns.Mod251(128000));
        _ci = _temp.Write("content.ci", TestVectors.Load("pccrc/v1", "spec-3-2-v1-125kb-full-dwread-0").Bytes);
        _keyFile = Path.Combine(TestVectors.Root, "pccrc", "keyfile", "exportkey-no-more-secrets.bin");
    }

    [TearDown]
    public void TearDown() => _temp.Dispose();

    [TestCase(new[] { "hash", "{content}" }, "a server secret is required", TestName = "{m}(HashWithoutSecret)")]
    [TestCase(new[] { "hash", "{content}", "--secret-hex", "00", "--passphrase", "x" }, "only once", TestName = "{m}(TwoSecrets)")]
    [TestCase(new[] { "hash", "{content}", "--passphrase", "x", "--key-file", "{keyfile}", "--key-password", "p" }, "only once", TestName = "{m}(PassphraseAndKeyFile)")]
    [TestCase(new[] { "hash", "{content}", "--secret-hex", "abc" }, "--secret-hex", TestName = "{m}(OddHex)")]
    [TestCase(new[] { "hash", "{content}", "--secret-hex", "zz" }, "--secret-hex", TestName = "{m}(NonHexDigits)")]
    [TestCase(new[] { "hash", "{content}", "--secret-hex", "" }, "--secret-hex", TestName = "{m}(EmptyHex)")]
    [TestCase(new[] { "hash", "{content}", "--passphrase", "" }, "--passphrase", TestName = "{m}(EmptyPassphrase)")]
    [TestCase(new[] { "hash", "{content}", "--passphrase", "x", "--hash", "md5" }, "--hash must be", TestName = "{m}(UnknownHash)")]
    [TestCase(new[] { "hash", "{content}", "--passphrase", "x", "--hash", "sha256", "--v2" }, "--v2", TestName = "{m}(HashWithV2)")]
    [TestCase(new[] { "hash", "{content}", "--passphrase", "x", "--range", "10" }, "--range", TestName = "{m}(RangeWithoutColon)")]
    [TestCase(new[] { "hash", "{content}", "--passphrase", "x", "--range", "-1:10" }, "--range", TestName = "{m}(NegativeRangeStart)")]
    [TestCase(new[] { "hash", "{content}", "--passphrase", "x", "--range", "10:0" }, "--range", TestName = "{m}(EmptyRange)")]
    [TestCase(new[] { "hash", "{content}", "--passphrase", "x", "--threads", "0" }, "--threads", TestName = "{m}(ZeroThreads)")]
    [TestCase(new[] { "hash", "{content}", "--passphrase", "x", "--threads", "many" }, "--threads", TestName = "{m}(NonNumericThreads)")]
    [TestCase(new[] { "hash", "{content}", "--key-file", "{keyfile}" }, "--key-password", TestName = "{m}(KeyFileWithoutPassword)")]
    [TestCase(new[] { "hash", "{content}", "--passphrase", "x", "--key-password", "p" }, "--key-password", TestName = "{m}(KeyPasswordWithoutKeyFile)")]
    [TestCase(new[] { "hash", "--passphrase", "x" }, "", TestName = "{m}(HashWithoutFile)")]
    [TestCase(new[] { "hash", "{content}", "--passphrase", "x", "--frobnicate" }, "--frobnicate", TestName = "{m}(UnknownOption)")]
    [TestCase(new[] { "inspect" }, "", TestName = "{m}(InspectWithoutFile)")]
    [TestCase(new[] { "inspect", "{ci}", "--passphrase", "x" }, "only used with --content", TestName = "{m}(SecretWithoutContent)")]
    [TestCase(new[] { "inspect", "-", "--content", "-" }, "standard input", TestName = "{m}(BothFromStdin)")]
    [TestCase(new[] { "frobnicate" }, "frobnicate", TestName = "{m}(UnknownCommand)")]
    [TestCase(new string[0], "", TestName = "{m}(NoCommand)")]
    public async Task Run_UsageError_ExitsTwoWithOneLineNamingTheProblem(string[] args, string expected)
    {
        CliResult result = await Cli.RunAsync(Expand(args));

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Stdout, Is.Empty);
        Assert.That(result.ErrorLines, Has.Count.EqualTo(1), result.Stderr);
        Assert.That(result.ErrorLines[0], Does.StartWith("peerdist: error: ").And.Contain(expected).And.Contain("--help"));
    }

    [TestCase(new[] { "hash", "{missing}", "--passphrase", "x" }, "does not exist", TestName = "{m}(MissingContent)")]
    [TestCase(new[] { "hash", "{dir}", "--passphrase", "x" }, "is a directory", TestName = "{m}(DirectoryAsContent)")]
    [TestCase(new[] { "hash", "{content}", "--key-file", "{missing}", "--key-password", "p" }, "does not exist", TestName = "{m}(MissingKeyFile)")]
    [TestCase(new[] { "hash", "{content}", "--key-file", "{keyfile}", "--key-password", "Passwörd€" }, "password is wrong", TestName = "{m}(WrongKeyPassword)")]
    [TestCase(new[] { "hash", "{content}", "--key-file", "{content}", "--key-password", "p" }, "malformed", TestName = "{m}(NotAKeyFile)")]
    [TestCase(new[] { "hash", "{content}", "--passphrase", "x", "-o", "{missing}/out.ci" }, "cannot be written", TestName = "{m}(OutputDirectoryMissing)")]
    [TestCase(new[] { "inspect", "{missing}" }, "does not exist", TestName = "{m}(MissingCi)")]
    [TestCase(new[] { "inspect", "{content}" }, "UnsupportedHashAlgorithm", TestName = "{m}(ContentGivenAsCi)")]
    [TestCase(new[] { "inspect", "{ci}", "--content", "{missing}" }, "does not exist", TestName = "{m}(MissingContentToVerify)")]
    [TestCase(new[] { "inspect", "{ci}", "--content", "{content}", "--key-file", "{keyfile}", "--key-password", "nope" }, "password is wrong", TestName = "{m}(InspectWrongKeyPassword)")]
    public async Task Run_BadInput_ExitsOneWithOneLineNamingTheProblem(string[] args, string expected)
    {
        CliResult result = await Cli.RunAsync(Expand(args));

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Stdout, Is.Empty);
        Assert.That(result.ErrorLines, Has.Count.EqualTo(1), result.Stderr);
        Assert.That(result.ErrorLines[0], Does.StartWith("peerdist: error: ").And.Contain(expected));
    }

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.InvalidVectors))]
    public async Task Run_InspectMalformedCi_ExitsOneNamingTheReasonAndOffset(TestVectors.Vector vector)
    {
        string ci = _temp.Write(vector.Name + ".bin", vector.Bytes);

        CliResult result = await Cli.RunAsync("inspect", ci);

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Stdout, Is.Empty);
        Assert.That(result.ErrorLines, Has.Count.EqualTo(1), result.Stderr);
        Assert.That(result.ErrorLines[0], Does.StartWith($"peerdist: error: '{ci}': ").And.Contain($"({PccrcTestData.Reason(vector)})").And.Match(@"at byte \d+"));
    }

    [Test]
    public async Task Run_Help_PrintsCommandsAndExitsZero()
    {
        CliResult result = await Cli.RunAsync("--help");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Output, Does.Contain("hash").And.Contain("inspect"));
        Assert.That(result.Stderr, Is.Empty);
    }

    [TestCase("hash", "--secret-hex", "--passphrase", "--key-file", "--range", "--threads", "--v2", "--hash")]
    [TestCase("inspect", "--json", "--content", "--show-secrets", "--secret-hex", "--passphrase", "--key-file", "docs/cli.md")]
    public async Task Run_CommandHelp_ListsEveryOption(string command, params string[] expected)
    {
        CliResult result = await Cli.RunAsync(command, "--help");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        foreach (string text in expected)
        {
            Assert.That(result.Output, Does.Contain(text));
        }
    }

    private string[] Expand(string[] args) =>
    [
        .. args.Select(a => a
            .Replace("{content}", _content, StringComparison.Ordinal)
            .Replace("{ci}", _ci, StringComparison.Ordinal)
            .Replace("{keyfile}", _keyFile, StringComparison.Ordinal)
            .Replace("{missing}", _temp.File("missing"), StringComparison.Ordinal)
            .Replace("{dir}", _temp.Path, StringComparison.Ordinal)),
    ];
}
