using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace PeerDist.Tests.Hosting;

/// <summary>Sums every long measurement of one meter, by instrument name and "source" tag (empty when untagged).</summary>
internal sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Name, string Source), long> _sums = new();

    public MetricsRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string source = string.Empty;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "source")
                {
                    source = (string)tag.Value!;
                }
            }

            _sums.AddOrUpdate((instrument.Name, source), value, (_, sum) => sum + value);
        });
        _listener.Start();
    }

    /// <summary>The sum of <paramref name="name"/> over every tag value.</summary>
    public long Total(string name) => _sums.Where(p => p.Key.Name == name).Sum(p => p.Value);

    /// <summary>The sum of <paramref name="name"/> with source tag <paramref name="source"/>.</summary>
    public long BySource(string name, string source) => _sums.GetValueOrDefault((name, source));

    public IReadOnlyCollection<(string Name, string Source)> Keys => [.. _sums.Keys];

    public void Dispose() => _listener.Dispose();
}
