namespace PeerDist.Discovery;

/// <summary>Random <c>urn:uuid:</c> identifiers (RFC 4122 version 4 layout) drawn from an injected <see cref="Random"/>, so tests are deterministic.</summary>
internal static class PccrdUuid
{
    public static string NewUrn(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4 (in Guid's little-endian field layout)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return "urn:uuid:" + new Guid(bytes).ToString("D");
    }
}
