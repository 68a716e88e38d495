using PeerDist.Content;
using static System.FormattableString;

namespace PeerDist.Cli;

/// <summary>
/// The text form of <c>inspect</c>: a header block, one line per segment, then the verification if one ran. Each line is
/// "label value" pairs so that it reads well and greps well; the layout is documented in docs/cli.md.
/// </summary>
internal static class InspectTextWriter
{
    private const int LabelWidth = 25;

    public static void Write(InspectReport report, TextWriter writer)
    {
        ContentInformation info = report.Info;
        writer.WriteLine(Invariant($"content information V{(int)info.Version}"));
        Field(writer, "hash algorithm", info is ContentInformationV1
            ? Invariant($"{InspectReport.GetAlgorithmName(info.HashAlgorithm)} (dwHashAlgo 0x{(int)info.HashAlgorithm:X8})")
            : Invariant($"{InspectReport.GetAlgorithmName(info.HashAlgorithm)} (bHashAlgo 0x{(int)info.HashAlgorithm:X2})"));
        Field(writer, "range", Invariant($"{info.Range}, {Count(info.Range.Length, "byte")}"));

        switch (info)
        {
            case ContentInformationV1 v1:
                Field(writer, "segments", Invariant($"{v1.Segments.Count} (cSegments)"));
                Field(writer, "offset in first segment", Invariant($"{v1.OffsetInFirstSegment} (dwOffsetInFirstSegment)"));
                Field(writer, "read bytes in last", v1.ReadBytesInLastSegment == 0
                    ? "0 (dwReadBytesInLastSegment: the whole last segment)"
                    : Invariant($"{v1.ReadBytesInLastSegment} (dwReadBytesInLastSegment)"));
                break;
            case ContentInformationV2 v2:
                Field(writer, "segments", Invariant($"{v2.Segments.Count} in {Count(v2.ChunkSegmentCounts.Count, "chunk")}"));
                Field(writer, "start in content", Invariant($"{v2.StartInContent} (ullStartInContent)"));
                Field(writer, "index of first segment", Invariant($"{v2.IndexOfFirstSegment} (ullIndexOfFirstSegment)"));
                Field(writer, "offset in first segment", Invariant($"{v2.OffsetInFirstSegment} (dwOffsetInFirstSegment)"));
                Field(writer, "length of range", v2.LengthOfRange == 0
                    ? "0 (ullLengthOfRange: the whole content)"
                    : Invariant($"{v2.LengthOfRange} (ullLengthOfRange)"));
                break;
        }

        writer.WriteLine("segments");
        for (int i = 0; i < info.Segments.Count; i++)
        {
            ContentSegment segment = info.Segments[i];
            writer.Write(Invariant($"  [{i}] index {segment.Index} offset {segment.Offset} length {segment.Length}"));
            if (info.Version == ContentInformationVersion.V1)
            {
                writer.Write(Invariant($" blocks {segment.ListedBlockCount}/{segment.BlockCount}"));
            }

            writer.Write(" hod ");
            writer.Write(Convert.ToHexStringLower(segment.HashOfData.Span));
            writer.Write(" id ");
            writer.Write(Convert.ToHexStringLower(segment.SegmentId.Span));
            if (report.ShowSecrets)
            {
                writer.Write(" kp ");
                writer.Write(Convert.ToHexStringLower(segment.SegmentSecret.Span));
            }

            writer.WriteLine();
        }

        if (report.Verification is { } verification)
        {
            WriteVerification(writer, verification);
        }
    }

    private static void WriteVerification(TextWriter writer, Verification verification)
    {
        ContentVerificationResult result = verification.Result;
        writer.WriteLine(Invariant($"verification of '{verification.ContentPath}'"));
        Field(writer, "checked", Invariant(
            $"{Count(result.SegmentCount, "segment")}, {Count(result.BlockHashesChecked, "block hash", "block hashes")}, {Count(result.HashesOfDataChecked, "hash of data", "hashes of data")}, {Count(result.BytesRead, "byte")} read"));
        Field(writer, "segment secrets", result.SegmentSecretsChecked > 0
            ? Invariant($"{result.SegmentSecretsChecked} checked against the server secret")
            : "not checked: no server secret given, so Kp and the segment IDs are unverified");
        Field(writer, "result", result.IsMatch
            ? "match"
            : Count(result.Mismatches.Count, "mismatch", "mismatches"));
        foreach (ContentMismatch mismatch in result.Mismatches)
        {
            Field(writer, "mismatch", mismatch.ToString());
        }
    }

    private static void Field(TextWriter writer, string label, string value)
    {
        writer.Write("  ");
        writer.Write(label.PadRight(LabelWidth));
        writer.WriteLine(value);
    }

    private static string Count(long count, string singular, string? plural = null) =>
        Invariant($"{count} {(count == 1 ? singular : plural ?? singular + "s")}");
}
