using System.Text.Json;
using PeerDist.Content;

namespace PeerDist.Cli;

/// <summary>
/// The <c>inspect --json</c> form: one JSON document written with <see cref="Utf8JsonWriter"/> (no reflection). Field
/// names follow the spec-vectors JSON where they overlap; the schema is documented in docs/cli.md.
/// </summary>
internal static class InspectJsonWriter
{
    /// <summary>The schema version, bumped on any incompatible change.</summary>
    public const int SchemaVersion = 1;

    public static async Task WriteAsync(InspectReport report, Stream output, CancellationToken cancellationToken)
    {
        var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        await using (writer.ConfigureAwait(false))
        {
            Write(report, writer);
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        output.WriteByte((byte)'\n');
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    internal static void Write(InspectReport report, Utf8JsonWriter writer)
    {
        ContentInformation info = report.Info;
        writer.WriteStartObject();
        writer.WriteNumber("schema", SchemaVersion);
        writer.WriteNumber("version", (int)info.Version);
        writer.WriteString("hashAlgorithm", InspectReport.GetAlgorithmName(info.HashAlgorithm));
        writer.WriteNumber("hashAlgorithmId", (int)info.HashAlgorithm);
        writer.WriteStartObject("range");
        writer.WriteNumber("start", info.Range.Start);
        writer.WriteNumber("end", info.Range.End);
        writer.WriteNumber("length", info.Range.Length);
        writer.WriteEndObject();
        writer.WriteNumber("segmentCount", info.Segments.Count);

        switch (info)
        {
            case ContentInformationV1 v1:
                writer.WriteStartObject("v1Header");
                writer.WriteNumber("offsetInFirstSegment", v1.OffsetInFirstSegment);
                writer.WriteNumber("readBytesInLastSegment", v1.ReadBytesInLastSegment);
                writer.WriteNumber("segmentCount", v1.Segments.Count);
                writer.WriteEndObject();
                break;
            case ContentInformationV2 v2:
                writer.WriteStartObject("v2Header");
                writer.WriteNumber("startInContent", v2.StartInContent);
                writer.WriteNumber("indexOfFirstSegment", v2.IndexOfFirstSegment);
                writer.WriteNumber("offsetInFirstSegment", v2.OffsetInFirstSegment);
                writer.WriteNumber("lengthOfRange", v2.LengthOfRange);
                writer.WriteStartArray("chunks");
                foreach (int count in v2.ChunkSegmentCounts)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("chunkType", 0);
                    writer.WriteNumber("segmentCount", count);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
                break;
        }

        writer.WriteStartArray("segments");
        for (int i = 0; i < info.Segments.Count; i++)
        {
            WriteSegment(writer, info, i, report.ShowSecrets);
        }

        writer.WriteEndArray();

        if (report.Verification is { } verification)
        {
            WriteVerification(writer, verification);
        }

        writer.WriteEndObject();
    }

    private static void WriteSegment(Utf8JsonWriter writer, ContentInformation info, int listIndex, bool showSecrets)
    {
        ContentSegment segment = info.Segments[listIndex];
        writer.WriteStartObject();
        writer.WriteNumber("listIndex", listIndex);
        writer.WriteNumber("index", segment.Index);
        writer.WriteNumber("offset", segment.Offset);
        writer.WriteNumber("length", segment.Length);
        if (info.Version == ContentInformationVersion.V1)
        {
            writer.WriteNumber("blockSize", segment.BlockSize);
            writer.WriteNumber("blockCount", segment.ListedBlockCount);
            writer.WriteNumber("totalBlockCount", segment.BlockCount);
            writer.WriteNumber("firstBlockIndex", segment.FirstListedBlockIndex);
        }

        writer.WriteString("hod", Convert.ToHexStringLower(segment.HashOfData.Span));
        writer.WriteString("segmentId", Convert.ToHexStringLower(segment.SegmentId.Span));
        if (showSecrets)
        {
            writer.WriteString("kp", Convert.ToHexStringLower(segment.SegmentSecret.Span));
        }

        if (info.Version == ContentInformationVersion.V1)
        {
            writer.WriteStartArray("blockHashes");
            for (int b = 0; b < segment.ListedBlockCount; b++)
            {
                writer.WriteStringValue(Convert.ToHexStringLower(segment.GetBlockHash(segment.FirstListedBlockIndex + b)));
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static void WriteVerification(Utf8JsonWriter writer, Verification verification)
    {
        ContentVerificationResult result = verification.Result;
        writer.WriteStartObject("verification");
        writer.WriteString("content", verification.ContentPath);
        writer.WriteBoolean("match", result.IsMatch);
        writer.WriteNumber("segmentsChecked", result.SegmentCount);
        writer.WriteNumber("blockHashesChecked", result.BlockHashesChecked);
        writer.WriteNumber("hashesOfDataChecked", result.HashesOfDataChecked);
        writer.WriteNumber("segmentSecretsChecked", result.SegmentSecretsChecked);
        writer.WriteNumber("bytesRead", result.BytesRead);
        writer.WriteStartArray("mismatches");
        foreach (ContentMismatch mismatch in result.Mismatches)
        {
            writer.WriteStartObject();
            writer.WriteString("kind", mismatch.Kind.ToString());
            writer.WriteNumber("segmentListIndex", mismatch.SegmentListIndex);
            writer.WriteNumber("segmentIndex", mismatch.SegmentIndex);
            writer.WriteNumber("blockIndex", mismatch.BlockIndex);
            writer.WriteNumber("start", mismatch.Range.Start);
            writer.WriteNumber("end", mismatch.Range.End);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
