using System.Text.Json;
using PeerDist.Content;

namespace PeerDist.Tests.Shared;

/// <summary>
/// The expected fields of a valid content information vector (spec-vectors/README.md "JSON fields"), read once from its
/// JSON so the tests compare typed values instead of walking <see cref="JsonElement"/>s.
/// </summary>
public sealed record PccrcExpectation(
    ContentInformationVersion Version,
    ContentHashAlgorithm HashAlgorithm,
    long RangeStart,
    long RangeEnd,
    PccrcExpectation.V1HeaderFields? V1Header,
    PccrcExpectation.V2HeaderFields? V2Header,
    IReadOnlyList<PccrcExpectation.SegmentFields> Segments,
    byte[]? CiSha256)
{
    /// <summary>Reads the expectation of <paramref name="vector"/>.</summary>
    public static PccrcExpectation From(TestVectors.Vector vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        JsonElement json = vector.Json;
        var version = (ContentInformationVersion)json.GetProperty("version").GetInt32();
        ContentHashAlgorithm algorithm = json.GetProperty("hashAlgorithm").GetString() switch
        {
            "sha256" => ContentHashAlgorithm.Sha256,
            "sha384" => ContentHashAlgorithm.Sha384,
            "sha512" => ContentHashAlgorithm.Sha512,
            "sha512-truncated" => ContentHashAlgorithm.Sha512Truncated,
            string other => throw new InvalidDataException($"{vector.Name}: unknown hashAlgorithm '{other}'."),
            null => throw new InvalidDataException($"{vector.Name}: hashAlgorithm is null."),
        };

        JsonElement range = json.GetProperty("range");
        V1HeaderFields? v1 = null;
        if (json.TryGetProperty("v1Header", out JsonElement h1))
        {
            v1 = new V1HeaderFields(
                h1.GetProperty("offsetInFirstSegment").GetUInt32(),
                h1.GetProperty("readBytesInLastSegment").GetUInt32(),
                h1.GetProperty("segmentCount").GetInt32());
        }

        V2HeaderFields? v2 = null;
        if (json.TryGetProperty("v2Header", out JsonElement h2))
        {
            v2 = new V2HeaderFields(
                h2.GetProperty("startInContent").GetInt64(),
                h2.GetProperty("indexOfFirstSegment").GetInt64(),
                h2.GetProperty("offsetInFirstSegment").GetUInt32(),
                h2.GetProperty("lengthOfRange").GetInt64(),
                [.. h2.GetProperty("chunks").EnumerateArray().Select(c => c.GetProperty("chunkType").GetInt32())],
                [.. h2.GetProperty("chunks").EnumerateArray().Select(c => c.GetProperty("segmentCount").GetInt32())]);
        }

        var segments = new List<SegmentFields>();
        foreach (JsonElement s in json.GetProperty("segments").EnumerateArray())
        {
            segments.Add(new SegmentFields(
                s.GetProperty("index").GetInt64(),
                s.GetProperty("offset").GetInt64(),
                s.GetProperty("length").GetInt32(),
                s.TryGetProperty("blockSize", out JsonElement bs) ? bs.GetInt32() : null,
                s.TryGetProperty("blockCount", out JsonElement bc) ? bc.GetInt32() : null,
                s.TryGetProperty("firstBlockIndex", out JsonElement fb) ? fb.GetInt32() : null,
                Convert.FromHexString(s.GetProperty("hod").GetString()!),
                Convert.FromHexString(s.GetProperty("kp").GetString()!),
                Convert.FromHexString(s.GetProperty("segmentId").GetString()!),
                s.TryGetProperty("blockHashes", out JsonElement bh)
                    ? [.. bh.EnumerateArray().Select(h => Convert.FromHexString(h.GetString()!))]
                    : null));
        }

        return new PccrcExpectation(
            version,
            algorithm,
            range.GetProperty("start").GetInt64(),
            range.GetProperty("end").GetInt64(),
            v1,
            v2,
            segments,
            vector.Hex("ciSha256"));
    }

    /// <summary>The V1 header fields (<c>v1Header</c>).</summary>
    public sealed record V1HeaderFields(uint OffsetInFirstSegment, uint ReadBytesInLastSegment, int SegmentCount);

    /// <summary>The V2 header fields (<c>v2Header</c>), with the type and segment count of each chunk.</summary>
    public sealed record V2HeaderFields(
        long StartInContent,
        long IndexOfFirstSegment,
        uint OffsetInFirstSegment,
        long LengthOfRange,
        IReadOnlyList<int> ChunkTypes,
        IReadOnlyList<int> ChunkSegmentCounts);

    /// <summary>One listed segment. The V1-only fields are null for V2.</summary>
    public sealed record SegmentFields(
        long Index,
        long Offset,
        int Length,
        int? BlockSize,
        int? BlockCount,
        int? FirstBlockIndex,
        byte[] HashOfData,
        byte[] SegmentSecret,
        byte[] SegmentId,
        IReadOnlyList<byte[]>? BlockHashes);
}
