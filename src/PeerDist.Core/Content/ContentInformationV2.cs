namespace PeerDist.Content;

/// <summary>A V2 content information (MS-PCCRC 2.4): content-defined segments of at most 128 KiB, truncated SHA-512.</summary>
public sealed class ContentInformationV2 : ContentInformation
{
    private readonly int[] _chunkSegmentCounts;

    internal ContentInformationV2(
        long startInContent,
        long indexOfFirstSegment,
        uint offsetInFirstSegment,
        long lengthOfRange,
        ContentRange range,
        ContentSegment[] segments,
        int[] chunkSegmentCounts)
        : base(ContentHashAlgorithm.Sha512Truncated, range, segments)
    {
        StartInContent = startInContent;
        IndexOfFirstSegment = indexOfFirstSegment;
        OffsetInFirstSegment = offsetInFirstSegment;
        LengthOfRange = lengthOfRange;
        _chunkSegmentCounts = chunkSegmentCounts;
    }

    /// <inheritdoc />
    public override ContentInformationVersion Version => ContentInformationVersion.V2;

    /// <summary><c>ullStartInContent</c>: where the first listed segment starts.</summary>
    public long StartInContent { get; }

    /// <summary><c>ullIndexOfFirstSegment</c>.</summary>
    public long IndexOfFirstSegment { get; }

    /// <summary><c>dwOffsetInFirstSegment</c>.</summary>
    public uint OffsetInFirstSegment { get; }

    /// <summary><c>ullLengthOfRange</c> as written: 0 means the whole content (what Windows sends, pccrc.md P12).</summary>
    public long LengthOfRange { get; }

    /// <summary>How many segments each chunk holds, in order (the grouping is kept so a round trip is byte-exact).</summary>
    public IReadOnlyList<int> ChunkSegmentCounts => _chunkSegmentCounts;

    /// <inheritdoc />
    public override int GetEncodedLength() => ContentInformationV2Writer.GetEncodedLength(this);

    /// <inheritdoc />
    public override bool TryWrite(Span<byte> destination, out int bytesWritten) =>
        ContentInformationV2Writer.TryWrite(this, destination, out bytesWritten);

    /// <inheritdoc />
    public override ContentInformation Restrict(ContentRange range)
    {
        (int first, int last) = CheckRestrictRange(range);
        ContentSegment[] segments = SegmentArray[first..(last + 1)];
        ContentSegment firstSegment = segments[0];
        bool whole = LengthOfRange == 0 && range == Range && first == 0 && last == SegmentArray.Length - 1;
        return new ContentInformationV2(
            firstSegment.Offset,
            firstSegment.Index,
            (uint)(range.Start - firstSegment.Offset),
            whole ? 0 : range.Length,
            range,
            segments,
            GroupIntoChunks(segments.Length));
    }

    /// <summary>
    /// How we group segments into chunks: one chunk, as Windows does (pccrc.md §2.2), split only where
    /// <c>dwChunkDataLength</c> (68 bytes a segment) would not fit in 32 bits.
    /// </summary>
    internal static int[] GroupIntoChunks(int segmentCount)
    {
        const int maxPerChunk = int.MaxValue / ContentInformationV2Reader.SegmentDescriptionLength;
        int[] chunks = new int[Math.Max(1, (segmentCount + maxPerChunk - 1) / maxPerChunk)];
        for (int i = 0; i < chunks.Length; i++)
        {
            chunks[i] = Math.Min(maxPerChunk, segmentCount - (i * maxPerChunk));
        }

        return chunks;
    }

    /// <summary>Materialises a validated reader. The input is copied once; segments slice that copy.</summary>
    internal static ContentInformationV2 FromReader(ref ContentInformationV2Reader reader, ReadOnlySpan<byte> data)
    {
        byte[] copy = GC.AllocateUninitializedArray<byte>(data.Length); // every byte is overwritten next
        data.CopyTo(copy);
        var segments = new ContentSegment[reader.SegmentCount];
        int[] chunkCounts = new int[reader.ChunkCount];
        int i = 0;
        while (reader.TryReadSegment(out SegmentDescriptionV2 s))
        {
            ReadOnlyMemory<byte> hod = ContentInformationV1.SliceOf(copy, data, s.HashOfData);
            segments[i++] = new ContentSegment(
                ContentHashAlgorithm.Sha512Truncated,
                s.Index,
                s.OffsetInContent,
                s.SegmentLength,
                s.SegmentLength,
                hod,
                ContentInformationV1.SliceOf(copy, data, s.SegmentSecret),
                0,
                hod);
            chunkCounts[s.ChunkIndex]++;
        }

        return new ContentInformationV2(
            reader.StartInContent,
            reader.IndexOfFirstSegment,
            reader.OffsetInFirstSegment,
            reader.LengthOfRange,
            reader.Range,
            segments,
            chunkCounts);
    }
}
