namespace PeerDist.Cli.Tests;

/// <summary>The progress bar: when it appears, how often it redraws, and that it leaves nothing behind.</summary>
[TestFixture]
public sealed class ProgressBarTests
{
    [TestCase(false, 100, 64, ExpectedResult = true)]
    [TestCase(true, 100, 64, ExpectedResult = false)] // standard error redirected
    [TestCase(false, 63, 64, ExpectedResult = false)] // below the threshold
    [TestCase(false, -1, 64, ExpectedResult = false)] // unknown length (standard input)
    public bool CreateIfUseful_TerminalAndSize_DecidesWhetherToDraw(bool errorRedirected, long total, long threshold)
    {
        using var bar = ProgressBar.CreateIfUseful(Console(new StringWriter(), new ManualTime(), errorRedirected, threshold), "hashing", total);
        return bar is not null;
    }

    [Test]
    public void Report_WithinTheInterval_RedrawsOnlyWhenDueOrDone()
    {
        var time = new ManualTime();
        using var error = new StringWriter();
        using ProgressBar bar = ProgressBar.CreateIfUseful(Console(error, time, errorRedirected: false, threshold: 1), "hashing", 1000)!;

        bar.Report(100); // first report: drawn
        time.Advance(TimeSpan.FromMilliseconds(50));
        bar.Report(200); // 50 ms later: skipped
        time.Advance(TimeSpan.FromMilliseconds(60));
        bar.Report(300); // 110 ms after the last draw: drawn
        bar.Report(1000); // done: always drawn

        string[] frames = error.ToString().Split('\r', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(frames, Has.Length.EqualTo(3));
        Assert.That(frames[0], Does.StartWith("hashing [###...").And.Contain(" 10% 100 B / 1000 B"));
        Assert.That(frames[1], Does.Contain(" 30% 300 B / 1000 B"));
        Assert.That(frames[2], Does.Contain("[##############################] 100%"));
    }

    [Test]
    public void Dispose_AfterDrawing_ErasesTheLine()
    {
        using var error = new StringWriter();
        ProgressBar bar = ProgressBar.CreateIfUseful(Console(error, new ManualTime(), errorRedirected: false, threshold: 1), "verifying", 10)!;
        bar.Report(5);
        int width = error.ToString().Length - 1;

        bar.Dispose();
        bar.Report(10);

        Assert.That(error.ToString(), Does.EndWith("\r" + new string(' ', width) + "\r"));
    }

    [TestCase(0, ExpectedResult = "0 B")]
    [TestCase(1023, ExpectedResult = "1023 B")]
    [TestCase(1536, ExpectedResult = "1.5 KiB")]
    [TestCase(64L * 1024 * 1024, ExpectedResult = "64.0 MiB")]
    [TestCase(5L * 1024 * 1024 * 1024 * 1024, ExpectedResult = "5.0 TiB")]
    public string FormatBytes_Count_UsesBinaryUnits(long bytes) => ProgressBar.FormatBytes(bytes);

    private static CliConsole Console(TextWriter error, TimeProvider time, bool errorRedirected, long threshold) => new()
    {
        Out = Stream.Null,
        Error = error,
        IsErrorRedirected = errorRedirected,
        ProgressThreshold = threshold,
        Time = time,
    };

    /// <summary>A clock that moves only when told to.</summary>
    private sealed class ManualTime : TimeProvider
    {
        private long _timestamp = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _timestamp;

        public void Advance(TimeSpan by) => _timestamp += by.Ticks;
    }
}
