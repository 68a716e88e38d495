using System.Net;
using System.Net.Sockets;

namespace PeerDist.Cli.Tests;

/// <summary>
/// <c>peerdist serve</c> run in-process as a user runs it: it prints the bound endpoint, serves until Ctrl-C (the
/// cancellation token Main cancels), then exits 0; start errors are one line and exit 1; command-line mistakes exit 2.
/// Listening is on 127.0.0.1 port 0 only, discovery (when on) on the loopback interface at a free port.
/// </summary>
[TestFixture]
[Category("Socket")]
[CancelAfter(30_000)]
public sealed class ServeCommandTests
{
    private TempDirectory _temp = null!;

    [SetUp]
    public void SetUp() => _temp = new TempDirectory();

    [TearDown]
    public void TearDown() => _temp.Dispose();

    [Test]
    [Category("Multicast")]
    public async Task Serve_LoopbackPortZero_PrintsEndPointServesThenExitsZeroOnCtrlC(CancellationToken cancellationToken)
    {
        string cache = _temp.File("cache");
        var stdout = new WatchedOutput();
        var stderr = new StringWriter();
        using var ctrlC = new CancellationTokenSource();
        Task<int> run = Program.RunAsync(
            ["serve", "--cache", cache, "--cache-size", "64MiB", "--listen", "127.0.0.1", "--port", "0", "--loopback", "--discovery-port", FreeUdpPort().ToString(System.Globalization.CultureInfo.InvariantCulture)],
            new CliConsole { Out = stdout, Error = TextWriter.Synchronized(stderr) },
            ctrlC.Token);

        string line = await stdout.WaitForLineAsync("serving MS-PCCRR on ", cancellationToken);
        IPEndPoint endPoint = IPEndPoint.Parse(line["serving MS-PCCRR on ".Length..]);
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(endPoint, cancellationToken);
        }

        CliResult status = await Cli.RunAsync("cache", "status", "--cache", cache);
        await ctrlC.CancelAsync();
        int exitCode = await run;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(endPoint.Address, Is.EqualTo(IPAddress.Loopback));
            Assert.That(endPoint.Port, Is.GreaterThan(0));
            Assert.That(exitCode, Is.Zero, stderr.ToString());
            Assert.That(status.ExitCode, Is.EqualTo(1), "the running node holds the cache directory");
            Assert.That(stderr.ToString(), Does.Contain("peerdist: info: PeerDist node started").And.Contain("peerdist: stopped"));
            Assert.That(File.Exists(Path.Combine(cache, "cache.lock")), Is.True, "the cache directory was created");
        }

        using var refused = new TcpClient();
        Assert.That(async () => await refused.ConnectAsync(endPoint, cancellationToken), Throws.InstanceOf<SocketException>(), "nobody listens after exit");
    }

    [Test]
    public async Task Serve_PortInUse_ExitsOneNamingThePortAndTheSwitch(CancellationToken cancellationToken)
    {
        using var occupant = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        occupant.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        occupant.Listen();
        int port = ((IPEndPoint)occupant.LocalEndPoint!).Port;

        CliResult result = await Cli.RunAsync(
            ["serve", "--listen", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--loopback", "--discovery-port", FreeUdpPort().ToString(System.Globalization.CultureInfo.InvariantCulture)],
            new CliOptions(),
            cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
            Assert.That(result.Output, Is.Empty);
            Assert.That(result.ErrorLines, Has.Some.StartsWith($"peerdist: error: Cannot listen on 127.0.0.1:{port}: the port is already in use").And.Some.Contains("--port"));
        }
    }

    [Test]
    public async Task Serve_CacheDirectoryHeldByAnotherServe_SecondExitsOne(CancellationToken cancellationToken)
    {
        string cache = _temp.File("cache");
        var stdout = new WatchedOutput();
        using var ctrlC = new CancellationTokenSource();
        Task<int> first = Program.RunAsync(["serve", "--mode", "local", "--cache", cache], new CliConsole { Out = stdout, Error = TextWriter.Synchronized(new StringWriter()) }, ctrlC.Token);
        await stdout.WaitForLineAsync("running local only", cancellationToken);

        CliResult second = await Cli.RunAsync(["serve", "--mode", "local", "--cache", cache], new CliOptions(), cancellationToken);
        await ctrlC.CancelAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await first, Is.Zero);
            Assert.That(second.ExitCode, Is.EqualTo(1), second.ToString());
            Assert.That(second.ErrorLines, Has.Some.Contains("is in use by another PeerDist node").And.Some.Contains("--cache"));
        }
    }

    [TestCase("--mode", "hosted-cache-client")]
    [TestCase("--mode", "hosted-cache-client", "--hosted-cache", "not-an-endpoint")]
    [TestCase("--mode", "local", "--hosted-cache", "127.0.0.1:80")]
    [TestCase("--loopback", "--interface", "eth0")]
    [TestCase("--cache-size", "lots")]
    [TestCase("--port", "70000")]
    [TestCase("--listen", "localhost")]
    [TestCase("--mode", "sometimes")]
    public async Task Serve_CommandLineMistake_ExitsTwoWithOneLine(params string[] args)
    {
        CliResult result = await Cli.RunAsync(["serve", .. args]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.ErrorLines, Has.Count.EqualTo(1));
            Assert.That(result.ErrorLines[0], Does.StartWith("peerdist: error: "));
        }
    }

    [Test]
    public async Task Help_RootAndSubcommands_UsageNamesTheToolPeerdist()
    {
        CliResult root = await Cli.RunAsync("--help");
        CliResult serve = await Cli.RunAsync("serve", "--help");
        CliResult export = await Cli.RunAsync("cache", "export", "--help");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(root.Output, Does.Contain("\n  peerdist [command] [options]"));
            Assert.That(root.Output, Does.Contain("serve").And.Contain("cache").And.Contain("status"));
            Assert.That(serve.Output, Does.Contain("\n  peerdist serve [options]"));
            Assert.That(export.Output, Does.Contain("\n  peerdist cache export"));
            foreach (string option in (string[])["--cache", "--cache-size", "--port", "--listen", "--mode", "--hosted-cache", "--interface", "--loopback", "--discovery-port"])
            {
                Assert.That(serve.Output, Does.Contain(option));
            }

            Assert.That(root.Output + serve.Output + export.Output, Does.Not.Contain("PeerDist.Cli").And.Not.Contain("testhost"));
        }
    }

    private static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
