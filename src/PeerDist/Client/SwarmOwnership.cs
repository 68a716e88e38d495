using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace PeerDist.Client;

/// <summary>
/// Rendezvous (highest random weight) hashing of origin work units over downloading nodes: every node computes the same
/// owner for a unit from the same set of endpoints, with no messages beyond the protocol's own. Endpoints are hashed by
/// their text form (as the <c>XAddrs</c> of MS-PCCRD carry them), units by the segment identifier and the unit's index in
/// the segment, so nodes holding differently range-restricted content information still agree.
/// </summary>
internal static class SwarmOwnership
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>The hash seed of a node's endpoint.</summary>
    public static ulong Seed(EndPoint endPoint)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(endPoint.ToString() ?? string.Empty), hash);
        return BinaryPrimitives.ReadUInt64LittleEndian(hash);
    }

    /// <summary>The key of unit <paramref name="unitInSegment"/> of the segment with <paramref name="segmentId"/>.</summary>
    public static ulong UnitKey(ReadOnlySpan<byte> segmentId, int unitInSegment) =>
        BinaryPrimitives.ReadUInt64LittleEndian(segmentId) ^ ((ulong)(unitInSegment + 1) * Golden);

    /// <summary>The weight of a node (by seed) for a unit (by key); the highest weight owns the unit.</summary>
    public static ulong Score(ulong seed, ulong unitKey)
    {
        // SplitMix64's finaliser: a cheap, well-mixed 64-bit permutation.
        ulong z = seed ^ unitKey;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
