using System.Globalization;
using System.Net;
using System.Net.Sockets;
using PeerDist.Tests.Shared;

namespace PeerDist.Cli.Tests;

/// <summary>
/// <c>peerdist get URL -o FILE</c> run in-process as a user runs it, against <c>peerdist origin</c> (also in-process, on
/// 127.0.0.1 port 0) and a <c>peerdist serve</c> node: the exact bytes land in FILE, the summary says where they came
/// from, and a failed download leaves no file behind.
/// </summary>
[TestFixture]
[Category("Socket")]
[CancelAfter(60_000)]
public sealed class GetCommandTests
{
    private TempDirectory _temp = null!;

    [SetUp]
    public void SetUp() => _temp = new TempDirectory();

    [TearDown]
    public void TearDown() => _temp.Dispose();

    [Test]
    public async Task Get_FromOrigin_WritesExactBytesAndSummaryCountsTheOrigin(CancellationToken cancellationToken)
    {
        byte[] content = PseudoRandomContent.Create(61, 300_000);
        await using OriginSite site = await StartOriginAsync(content, cancellationToken);
        string output = _temp.File("out.bin");

        CliResult result = await Cli.RunAsync(["get", site.Url("file.bin"), "-o", output], new CliOptions(), cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            ByteAssert.AreEqual(File.ReadAllBytes(output), content);
            Assert.That(result.Output, Does.StartWith($"got '{output}': 292.97 KiB in ").And.EndWith("s; peerdist: 0 bytes from the cache, 0 bytes from peers, 292.97 KiB from the origin\n"));
            Assert.That(Directory.GetFiles(_temp.Path), Is.EqualTo(new[] { output }), "no temporary file is left");
        }
    }

    [Test]
    [Category("Multicast")]
    public async Task Get_WithPeerHoldingTheContent_GetsEveryByteFromThePeer(CancellationToken cancellationToken)
    {
        byte[] content = PseudoRandomContent.Create(62, 300_000);
        await using OriginSite site = await StartOriginAsync(content, cancellationToken);

        // A first client downloads into a kept cache, which a node then serves (peerdist serve --cache).
        string peerCache = _temp.File("peer-cache");
        CliResult first = await Cli.RunAsync(["get", site.Url("file.bin"), "-o", _temp.File("first.bin"), "--cache", peerCache], new CliOptions(), cancellationToken);
        Assert.That(first.ExitCode, Is.Zero, first.ToString());

        var serveOut = new WatchedOutput();
        using var stopServe = new CancellationTokenSource();
        Task<int> serve = Program.RunAsync(
            ["serve", "--cache", peerCache, "--listen", "127.0.0.1", "--port", "0", "--loopback", "--discovery-port", FreeUdpPort().ToString(CultureInfo.InvariantCulture)],
            new CliConsole { Out = serveOut, Error = TextWriter.Synchronized(new StringWriter(CultureInfo.InvariantCulture)) },
            stopServe.Token);
        string line = await serveOut.WaitForLineAsync("serving MS-PCCRR on ", cancellationToken);
        IPEndPoint peer = IPEndPoint.Parse(line["serving MS-PCCRR on ".Length..]);

        string output = _temp.File("second.bin");
        CliResult second = await Cli.RunAsync(["get", site.Url("file.bin"), "-o", output, "--peer", peer.ToString()], new CliOptions(), cancellationToken);
        await stopServe.CancelAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await serve, Is.Zero);
            Assert.That(second.ExitCode, Is.Zero, second.ToString());
            ByteAssert.AreEqual(File.ReadAllBytes(output), content);
            Assert.That(second.Output, Does.EndWith($"s; peerdist: 0 bytes from the cache, 292.97 KiB from peers ({peer}: 292.97 KiB), 0 bytes from the origin\n"));
        }
    }

    [Test]
    public async Task Get_ToStandardOutput_WritesBytesThereAndSummaryToStandardError(CancellationToken cancellationToken)
    {
        byte[] content = PseudoRandomContent.Create(63, 150_000);
        await using OriginSite site = await StartOriginAsync(content, cancellationToken);

        CliResult result = await Cli.RunAsync(["get", site.Url("file.bin"), "-o", "-"], new CliOptions(), cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            ByteAssert.AreEqual(result.Stdout, content);
            Assert.That(result.ErrorLines, Has.Count.EqualTo(1));
            Assert.That(result.ErrorLines[0], Does.StartWith("peerdist: got 'standard output': 146.48 KiB in ").And.Contain("from the origin"));
        }
    }

    [Test]
    public async Task Get_ServerWithoutPeerDist_SummarySaysPlainHttp(CancellationToken cancellationToken)
    {
        byte[] content = PseudoRandomContent.Create(64, 100_000);
        await using var origin = new LoopbackHttpOrigin(content);
        string output = _temp.File("plain.bin");

        CliResult result = await Cli.RunAsync(["get", origin.Uri.ToString(), "-o", output], new CliOptions(), cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            ByteAssert.AreEqual(File.ReadAllBytes(output), content);
            Assert.That(result.Output, Does.EndWith("s; plain HTTP (the server did not offer peerdist)\n"));
        }
    }

    [Test]
    public async Task Get_NotFound_ExitsOneWithTheStatusAndKeepsTheOldFile(CancellationToken cancellationToken)
    {
        await using OriginSite site = await StartOriginAsync(PseudoRandomContent.Create(65, 100_000), cancellationToken);
        string output = _temp.Write("out.bin", [1, 2, 3]);

        CliResult result = await Cli.RunAsync(["get", site.Url("missing.bin"), "-o", output], new CliOptions(), cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
            Assert.That(result.ErrorLines, Is.EqualTo(new[] { $"peerdist: error: '{site.Url("missing.bin")}': the server answered 404 Not Found" }));
            Assert.That(File.ReadAllBytes(output), Is.EqualTo(new byte[] { 1, 2, 3 }), "the existing file is untouched");
            Assert.That(Directory.GetFiles(_temp.Path), Is.EqualTo(new[] { output }));
        }
    }

    [Test]
    public async Task Get_UnreachableOrigin_ExitsOneAndWritesNothing(CancellationToken cancellationToken)
    {
        int port = ClosedTcpPort();
        string output = _temp.File("out.bin");

        CliResult result = await Cli.RunAsync([
            "get", FormattableString.Invariant($"http://127.0.0.1:{port}/file.bin"), "-o", output], new CliOptions(), cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
            Assert.That(result.ErrorLines, Has.Count.EqualTo(1));
            Assert.That(result.ErrorLines[0], Does.StartWith(FormattableString.Invariant($"peerdist: error: cannot reach 127.0.0.1:{port}: ")));
            Assert.That(Directory.GetFiles(_temp.Path), Is.Empty);
        }
    }

    [Test]
    public async Task Get_ConnectionEndsMidway_ExitsOneAndLeavesNoPartialFile(CancellationToken cancellationToken)
    {
        await using var server = new GetBrokenServer();
        string output = _temp.File("broken.bin");

        CliResult result = await Cli.RunAsync(["get", server.Url.ToString(), "-o", output], new CliOptions(), cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
            Assert.That(result.ErrorLines, Has.Count.EqualTo(1));
            Assert.That(result.ErrorLines[0], Does.StartWith($"peerdist: error: '{server.Url}': "));
            Assert.That(Directory.GetFiles(_temp.Path), Is.Empty, "neither the file nor a temporary file is left");
        }
    }

    [Test]
    public async Task Get_CtrlCMidway_ExitsOneThirtyAndLeavesNoPartialFile(CancellationToken cancellationToken)
    {
        await using var server = new GetBrokenServer(stall: true);
        string output = _temp.File("stalled.bin");
        using var ctrlC = new CancellationTokenSource();
        Task<CliResult> run = Cli.RunAsync(["get", server.Url.ToString(), "-o", output], new CliOptions(), ctrlC.Token);
        while (Directory.GetFiles(_temp.Path, "*.part").Length == 0 || new FileInfo(Directory.GetFiles(_temp.Path, "*.part")[0]).Length == 0)
        {
            await Task.Delay(20, cancellationToken);
        }

        await ctrlC.CancelAsync();
        CliResult result = await run;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(130), result.ToString());
            Assert.That(Directory.GetFiles(_temp.Path), Is.Empty, "the temporary file is deleted");
        }
    }

    [Test]
    public async Task Get_StderrIsTerminal_DrawsProgressAndErasesIt(CancellationToken cancellationToken)
    {
        byte[] content = PseudoRandomContent.Create(66, 400_000);
        await using OriginSite site = await StartOriginAsync(content, cancellationToken);
        string output = _temp.File("out.bin");

        CliResult result = await Cli.RunAsync(
            ["get", site.Url("file.bin"), "-o", output],
            new CliOptions { StderrIsTerminal = true, ProgressThreshold = 1 },
            cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            Assert.That(result.Stderr, Does.Contain("\rget [").And.Contain("100% 390.6 KiB / 390.6 KiB"));
            Assert.That(result.Stderr, Does.EndWith("\r"), "the bar is erased at the end");
            ByteAssert.AreEqual(File.ReadAllBytes(output), content);
        }
    }

    [Test]
    [Category("Multicast")]
    public async Task Get_DiscoverOnLoopback_FindsTheNodeHoldingTheContent(CancellationToken cancellationToken)
    {
        byte[] content = PseudoRandomContent.Create(67, 300_000);
        await using OriginSite site = await StartOriginAsync(content, cancellationToken);
        string peerCache = _temp.File("peer-cache");
        CliResult first = await Cli.RunAsync(["get", site.Url("file.bin"), "-o", _temp.File("first.bin"), "--cache", peerCache], new CliOptions(), cancellationToken);
        Assert.That(first.ExitCode, Is.Zero, first.ToString());

        string discoveryPort = FreeUdpPort().ToString(CultureInfo.InvariantCulture);
        var serveOut = new WatchedOutput();
        using var stopServe = new CancellationTokenSource();
        Task<int> serve = Program.RunAsync(
            ["serve", "--cache", peerCache, "--listen", "127.0.0.1", "--port", "0", "--loopback", "--discovery-port", discoveryPort],
            new CliConsole { Out = serveOut, Error = TextWriter.Synchronized(new StringWriter(CultureInfo.InvariantCulture)) },
            stopServe.Token);
        string line = await serveOut.WaitForLineAsync("serving MS-PCCRR on ", cancellationToken);
        IPEndPoint peer = IPEndPoint.Parse(line["serving MS-PCCRR on ".Length..]);

        string output = _temp.File("second.bin");
        CliResult second = await Cli.RunAsync(["get", site.Url("file.bin"), "-o", output, "--discover", "--loopback", "--discovery-port", discoveryPort], new CliOptions(), cancellationToken);
        await stopServe.CancelAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await serve, Is.Zero);
            Assert.That(second.ExitCode, Is.Zero, second.ToString());
            ByteAssert.AreEqual(File.ReadAllBytes(output), content);
            Assert.That(second.Output, Does.EndWith($"s; peerdist: 0 bytes from the cache, 292.97 KiB from peers ({peer}: 292.97 KiB), 0 bytes from the origin\n"));
        }
    }

    [Test]
    public async Task Get_CacheHeldByARunningNode_ExitsOneAndWritesNothing(CancellationToken cancellationToken)
    {
        string cache = _temp.File("cache");
        var serveOut = new WatchedOutput();
        using var stopServe = new CancellationTokenSource();
        Task<int> serve = Program.RunAsync(["serve", "--mode", "local", "--cache", cache], new CliConsole { Out = serveOut, Error = TextWriter.Synchronized(new StringWriter(CultureInfo.InvariantCulture)) }, stopServe.Token);
        await serveOut.WaitForLineAsync("running local only", cancellationToken);
        string output = _temp.File("out.bin");

        CliResult result = await Cli.RunAsync(["get", "http://127.0.0.1:1/file.bin", "-o", output, "--cache", cache], new CliOptions(), cancellationToken);
        await stopServe.CancelAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await serve, Is.Zero);
            Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
            Assert.That(result.ErrorLines, Is.EqualTo(new[] { $"peerdist: error: the cache '{cache}' is in use by a running node (peerdist serve) or another command; stop it first, or give another --cache" }));
            Assert.That(File.Exists(output), Is.False);
        }
    }

    [TestCase("ftp://127.0.0.1/file.bin")]
    [TestCase("http://127.0.0.1:1/dir/")]
    [TestCase("http://127.0.0.1:1/f", "--peer", "127.0.0.1")]
    [TestCase("http://127.0.0.1:1/f", "--peer", "127.0.0.1:1", "--discover")]
    [TestCase("http://127.0.0.1:1/f", "--loopback")]
    [TestCase("http://127.0.0.1:1/f", "--discover", "--loopback", "--interface", "lo")]
    [TestCase("http://127.0.0.1:1/f", "--discover", "--discovery-port", "0")]
    public async Task Get_CommandLineMistake_ExitsTwoWithOneLine(params string[] args)
    {
        CliResult result = await Cli.RunAsync(["get", .. args]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.ErrorLines, Has.Count.EqualTo(1));
            Assert.That(result.ErrorLines[0], Does.StartWith("peerdist: error: ").And.EndWith("(see 'peerdist get --help')"));
        }
    }

    [Test]
    public async Task Help_Get_ListsEveryOption()
    {
        CliResult help = await Cli.RunAsync("get", "--help");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(help.Output, Does.Contain("\n  peerdist get <URL> [options]"));
            foreach (string option in (string[])["--output", "--cache", "--peer", "--discover", "--interface", "--loopback", "--discovery-port", "--verbose"])
            {
                Assert.That(help.Output, Does.Contain(option));
            }
        }
    }

    /// <summary>Starts <c>peerdist origin</c> on a folder holding <paramref name="content"/> as file.bin, hashed already.</summary>
    private async Task<OriginSite> StartOriginAsync(byte[] content, CancellationToken cancellationToken)
    {
        string root = Directory.CreateDirectory(_temp.File("www")).FullName;
        File.WriteAllBytes(Path.Combine(root, "file.bin"), content);
        OriginSite site = await OriginSite.StartAsync(root, cancellationToken);
        (await site.WaitForContentInformationAsync("file.bin", cancellationToken)).Dispose();
        return site;
    }

    private static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static int ClosedTcpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
