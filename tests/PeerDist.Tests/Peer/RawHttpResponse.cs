namespace PeerDist.Tests.Peer;

/// <summary>One response as it came off the wire.</summary>
internal sealed record RawHttpResponse(int StatusCode, string Head, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public bool ConnectionClose => Headers.TryGetValue("Connection", out string? value) && value.Equals("close", StringComparison.OrdinalIgnoreCase);
}
