using PeerDist.Client;

namespace PeerDist.BranchOffice;

/// <summary>
/// Receives the library's per-block reports synchronously (not through <see cref="Progress{T}"/>, which would post them):
/// counts the bytes held and emits the first verified block and the first verified origin block once each.
/// </summary>
internal sealed class AgentProgress : IProgress<PeerDistProgress>
{
    private EventWriter? _events;
    private double _start;
    private long _held;
    private int _firstByte;
    private int _firstOriginBlock;

    /// <summary>Bytes obtained so far (verified blocks, from any source).</summary>
    public long Held => Interlocked.Read(ref _held);

    public void Attach(EventWriter events, double start)
    {
        _events = events;
        _start = start;
    }

    public void Report(PeerDistProgress value)
    {
        Interlocked.Exchange(ref _held, value.TotalBytesObtained);
        if (Interlocked.Exchange(ref _firstByte, 1) == 0)
        {
            _events?.Emit("first-block", w =>
            {
                w.WriteString("source", value.Source.ToString());
                w.WriteNumber("sinceStartMs", EventWriter.Now() - _start);
            });
        }

        if (value.Source == BlockDataSource.Origin && Interlocked.Exchange(ref _firstOriginBlock, 1) == 0)
        {
            _events?.Emit("first-origin-block", w => w.WriteNumber("sinceStartMs", EventWriter.Now() - _start));
        }
    }

    /// <summary>The first byte of an origin response arrived (from <see cref="FirstByteHandler"/>).</summary>
    public void OriginFirstByte() =>
        _events?.Emit("first-origin-byte", w => w.WriteNumber("sinceStartMs", EventWriter.Now() - _start));
}
