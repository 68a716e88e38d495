using System.Globalization;

namespace PeerDist.Cli;

/// <summary>
/// A one-line progress bar on standard error, redrawn in place with <c>\r</c> at most once per interval, and erased
/// when disposed so that it never mixes with the messages that follow.
/// </summary>
internal sealed class ProgressBar : IProgress<long>, IDisposable
{
    private const int BarWidth = 30;

    private readonly TextWriter _writer;
    private readonly string _label;
    private readonly long _total;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly Lock _lock = new();
    private long _lastDraw;
    private int _drawnWidth;
    private bool _disposed;

    private ProgressBar(TextWriter writer, string label, long total, TimeProvider time, TimeSpan interval)
    {
        _writer = writer;
        _label = label;
        _total = total;
        _time = time;
        _interval = interval;
        _lastDraw = long.MinValue;
    }

    /// <summary>
    /// A progress bar for <paramref name="total"/> bytes, or null when none should be drawn: standard error is not a
    /// terminal, or the work is too small to be worth one.
    /// </summary>
    public static ProgressBar? CreateIfUseful(CliConsole console, string label, long total) =>
        console.IsErrorRedirected || total < console.ProgressThreshold || total <= 0
            ? null
            : new ProgressBar(console.Error, label, total, console.Time, console.ProgressInterval);

    /// <inheritdoc />
    public void Report(long value)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            long now = _time.GetTimestamp();
            if (_lastDraw != long.MinValue && value < _total && _time.GetElapsedTime(_lastDraw, now) < _interval)
            {
                return;
            }

            _lastDraw = now;
            Draw(Math.Clamp(value, 0, _total));
        }
    }

    /// <summary>Erases the bar.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_drawnWidth > 0)
            {
                _writer.Write('\r');
                _writer.Write(new string(' ', _drawnWidth));
                _writer.Write('\r');
                _writer.Flush();
            }
        }
    }

    /// <summary>Formats a byte count with a binary unit: <c>512 B</c>, <c>1.5 MiB</c>, <c>2.0 GiB</c>.</summary>
    internal static string FormatBytes(long bytes)
    {
        string[] units = ["KiB", "MiB", "GiB", "TiB", "PiB"];
        if (bytes < 1024)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{bytes} B");
        }

        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]}");
    }

    private void Draw(long value)
    {
        int filled = (int)(value * BarWidth / _total);
        int percent = (int)(value * 100 / _total);
        string line = string.Create(
            CultureInfo.InvariantCulture,
            $"{_label} [{new string('#', filled)}{new string('.', BarWidth - filled)}] {percent,3}% {FormatBytes(value)} / {FormatBytes(_total)}");
        _writer.Write('\r');
        _writer.Write(line);
        if (line.Length < _drawnWidth)
        {
            // A shorter line than the last one: blank out what would be left behind.
            _writer.Write(new string(' ', _drawnWidth - line.Length));
        }

        _drawnWidth = Math.Max(_drawnWidth, line.Length);
        _writer.Flush();
    }
}
