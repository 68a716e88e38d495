using System.Buffers;
using System.Text;
using System.Text.Json;

namespace PeerDist.BranchOffice;

/// <summary>Writes one JSON object per line to standard output: the events a child reports to the orchestrator.</summary>
internal sealed class EventWriter
{
    private readonly TextWriter _output;
    private readonly Lock _lock = new();

    public EventWriter(TextWriter output) => _output = output;

    /// <summary>Wall-clock time in milliseconds since the Unix epoch (all processes share the clock).</summary>
    public static double Now() => (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds;

    public void Emit(string name, Action<Utf8JsonWriter>? body = null)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("event", name);
            writer.WriteNumber("t", Math.Round(Now(), 3));
            body?.Invoke(writer);
            writer.WriteEndObject();
        }

        string line = Encoding.UTF8.GetString(buffer.WrittenSpan);
        lock (_lock)
        {
            _output.WriteLine(line);
            _output.Flush();
        }
    }
}
