using System.Net;
using PeerDist.Discovery;

namespace PeerDist.Tests.Discovery;

/// <summary>A segment lookup backed by a dictionary of hex identifiers (the responder's Available Segment List, MS-PCCRD 3.2.1).</summary>
internal sealed class FakeSegmentLookup : IPccrdSegmentLookup
{
    private readonly Dictionary<string, PccrdHeldSegment> _held = new(StringComparer.OrdinalIgnoreCase);

    public int Calls { get; private set; }

    public FakeSegmentLookup Hold(byte[] segmentId, PccrdHeldSegment segment)
    {
        _held[Convert.ToHexString(segmentId)] = segment;
        return this;
    }

    public bool TryGetSegment(ReadOnlySpan<byte> segmentId, out PccrdHeldSegment segment)
    {
        Calls++;
        return _held.TryGetValue(Convert.ToHexString(segmentId), out segment);
    }
}

/// <summary>A seeded <see cref="Random"/> whose <see cref="NextDouble"/> answers come from a script (for the probabilistic branch).</summary>
internal sealed class ScriptedRandom(params double[] doubles) : Random(7)
{
    private int _next;

    public override double NextDouble() => doubles[_next++ % doubles.Length];
}

internal static class DiscoveryIds
{
    /// <summary>A 32-byte segment identifier filled with <paramref name="fill"/> (distinct per fill byte).</summary>
    public static byte[] Id(byte fill, int length = 32)
    {
        byte[] id = new byte[length];
        Array.Fill(id, fill);
        id[0] = 0xA0;
        return id;
    }

    public static readonly IPEndPoint PeerXAddr = new(IPAddress.Parse("192.168.10.7"), 54321);

    public static readonly IPNetwork Lan = IPNetwork.Parse("192.168.10.0/24");
}
