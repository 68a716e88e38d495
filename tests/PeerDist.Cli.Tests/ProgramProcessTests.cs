using System.Diagnostics;
using PeerDist.Tests.Shared;

namespace PeerDist.Cli.Tests;

/// <summary>
/// The real executable (<c>dotnet PeerDist.Cli.dll</c>, copied next to the test assembly by the project reference), run as a
/// child process to check exit codes, standard output bytes and standard error end to end.
/// </summary>
[TestFixture]
[Category("Process")]
public sealed class ProgramProcessTests
{
    private TempDirectory _temp = null!;

    [SetUp]
    public void SetUp() => _temp = new TempDirectory();

    [TearDown]
    public void TearDown() => _temp.Dispose();

    [Test]
    [CancelAfter(60_000)]
    public async Task Executable_HashToRedirectedStdout_WritesTheVectorBytes(CancellationToken cancellationToken)
    {
        string content = _temp.Write("content.bin", ContentPatterns.Mod251(128000));

        CliResult result = await RunAsync(["hash", content, "--secret-hex", Cli.NoMoreSecretsHex], cancellationToken);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.Stderr, Is.Empty);
        ByteAssert.AreEqual(result.Stdout, TestVectors.Load("pccrc/v1", "spec-3-2-v1-125kb-full-dwread-0").Bytes);
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Executable_InspectFlippedContent_ExitsOneWithOneErrorLine(CancellationToken cancellationToken)
    {
        byte[] bytes = ContentPatterns.Mod251(128000);
        bytes[70_000] ^= 0x01;
        string content = _temp.Write("content.bin", bytes);
        string ci = _temp.Write("content.ci", TestVectors.Load("pccrc/v1", "spec-3-2-v1-125kb-full-dwread-0").Bytes);

        CliResult result = await RunAsync(["inspect", ci, "--content", content, "--secret-hex", Cli.NoMoreSecretsHex], cancellationToken);

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Output, Does.Contain("BlockHash: segment 0 (listed 0), block 1"));
        Assert.That(result.ErrorLines, Has.Count.EqualTo(1));
        Assert.That(result.ErrorLines[0], Does.StartWith("peerdist: error: ").And.Contain("block 1"));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Executable_MalformedCi_ExitsOneWithTheReasonAndOffset(CancellationToken cancellationToken)
    {
        string ci = _temp.Write("bad.ci", TestVectors.Load("pccrc/invalid", "v1-truncated-last-byte").Bytes);

        CliResult result = await RunAsync(["inspect", ci], cancellationToken);

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Stdout, Is.Empty);
        Assert.That(result.ErrorLines, Has.Count.EqualTo(1));
        Assert.That(result.ErrorLines[0], Does.StartWith("peerdist: error: ").And.Contain("(Truncated)").And.Contain("at byte"));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Executable_UsageError_ExitsTwoWithOneErrorLine(CancellationToken cancellationToken)
    {
        string content = _temp.Write("content.bin", ContentPatterns.Mod251(10));

        CliResult result = await RunAsync(["hash", content, "--secret-hex", "00", "--passphrase", "x"], cancellationToken);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Stdout, Is.Empty);
        Assert.That(result.ErrorLines, Has.Count.EqualTo(1));
        Assert.That(result.ErrorLines[0], Does.StartWith("peerdist: error: give the server secret only once"));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Executable_MissingFile_ExitsOneWithOneErrorLine(CancellationToken cancellationToken)
    {
        CliResult result = await RunAsync(["hash", _temp.File("missing.bin"), "--passphrase", "x"], cancellationToken);

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.ErrorLines, Is.EqualTo(new[] { $"peerdist: error: file '{_temp.File("missing.bin")}' does not exist" }));
    }

    [Test]
    [CancelAfter(60_000)]
    [Platform(Exclude = "Win", Reason = "Sends SIGINT with kill(1), as Ctrl-C in a terminal does.")]
    public async Task Executable_InterruptedWhileHashing_ExitsWith130AndWritesNoOutput(CancellationToken cancellationToken)
    {
        string output = _temp.File("out.ci");
        using Process process = Process.Start(CreateStartInfo(["hash", "-", "--passphrase", "x", "-o", output]))
            ?? throw new InvalidOperationException("The tool did not start.");
        try
        {
            Task<string> stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            byte[] chunk = ContentPatterns.Mod251(1024 * 1024);
            Stream stdin = process.StandardInput.BaseStream;
            bool interrupted = false;
            for (int sent = 0; !process.HasExited; sent++)
            {
                try
                {
                    // Keep feeding standard input so the tool is busy hashing when the signal comes.
                    await stdin.WriteAsync(chunk, cancellationToken);
                    await stdin.FlushAsync(cancellationToken);
                }
                catch (IOException)
                {
                    break; // The tool has exited and closed its end of the pipe.
                }

                if (sent == 8 && !interrupted)
                {
                    using Process kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                    await kill.WaitForExitAsync(cancellationToken);
                    interrupted = true;
                }
            }

            await process.WaitForExitAsync(cancellationToken);
            Assert.That(process.ExitCode, Is.EqualTo(130), await stderr);
            Assert.That(await stderr, Is.EqualTo("peerdist: cancelled\n"));
            Assert.That(File.Exists(output), Is.False);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static ProcessStartInfo CreateStartInfo(string[] args)
    {
        string tool = Path.Combine(AppContext.BaseDirectory, "PeerDist.Cli.dll");
        Assert.That(File.Exists(tool), Is.True, $"{tool} should be copied next to the tests by the project reference");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(tool);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    private static async Task<CliResult> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        using Process process = Process.Start(CreateStartInfo(args)) ?? throw new InvalidOperationException("The tool did not start.");
        try
        {
            process.StandardInput.Close();
            using var stdout = new MemoryStream();
            Task copy = process.StandardOutput.BaseStream.CopyToAsync(stdout, cancellationToken);
            Task<string> stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await Task.WhenAll(copy, stderr);
            await process.WaitForExitAsync(cancellationToken);
            return new CliResult(process.ExitCode, stdout.ToArray(), await stderr);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
