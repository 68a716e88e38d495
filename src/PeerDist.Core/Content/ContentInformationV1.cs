namespace PeerDist.Content;

/// <summary>A V1 content information (MS-PCCRC 2.3): 32 MiB segments of 64 KiB blocks, SHA-256/384/512.</summary>
public sealed class ContentInformationV1 : ContentInformation
{
    internal ContentInformationV1(
        ContentHashAlgorithm hashAlgorithm,
        uint offsetInFirstSegment,
        uint readBytesInLastSegment,
        ContentRange range,
        ContentSegment[] segments)
        : base(hashAlgorithm, range, segments)
    {
        OffsetInFirstSegment = offsetInFirstSegment;
        ReadBytesInLastSegment = readBytesInLastSegment;
    }

    /// <inheritdoc />
    public override ContentInformationVersion Version => ContentInformationVersion.V1;

    /// <summary><c>dwOffsetInFirstSegment</c>: where the range starts inside the first segment.</summary>
    public uint OffsetInFirstSegment { get; }

    /// <summary><c>dwReadBytesInLastSegment</c> as written: 0 means the whole last segment (what Windows sends).</summary>
    public uint ReadBytesInLastSegment { get; }

    /// <inheritdoc />
    public override int GetEncodedLength() => ContentInformationV1Writer.GetEncodedLength(this);

    /// <inheritdoc />
    public override bool TryWrite(Span<byte> destination, out int bytesWritten) =>
        ContentInformationV1Writer.TryWrite(this, destination, out bytesWritten);

    /// <inheritdoc />
    public override ContentInformation Restrict(ContentRange range)
    {
        (int first, int last) = CheckRestrictRange(range);
        int digest = HashAlgorithm.GetDigestLength();
        var segments = new ContentSegment[last - first + 1];
        for (int i = 0; i < segments.Length; i++)
        {
            ContentSegment source = SegmentArray[first + i];
            (int firstBlock, int count) = V1BlockListRule.ListedBlocksForWriting(source.Offset, source.Length, range);
            if (source.FirstListedBlockIndex > firstBlock || source.FirstListedBlockIndex + source.ListedBlockCount < firstBlock + count)
            {
                ThrowHelper.ThrowInvalidOperation("This content information does not list every block hash the range needs.");
            }

            ReadOnlyMemory<byte> hashes = source.BlockHashes.Slice((firstBlock - source.FirstListedBlockIndex) * digest, count * digest);
            segments[i] = new ContentSegment(HashAlgorithm, source.Index, source.Offset, source.Length, source.BlockSize, source.HashOfData, source.SegmentSecret, firstBlock, hashes);
        }

        ContentSegment firstSegment = segments[0];
        ContentSegment lastSegment = segments[^1];
        uint offsetInFirst = (uint)(range.Start - firstSegment.Offset);

        // Windows writes 0 when the range runs to the end of the last segment (pccrc.md P6).
        uint readInLast = range.End == lastSegment.Range.End
            ? 0
            : (uint)(segments.Length == 1 ? range.Length : range.End - lastSegment.Offset);
        return new ContentInformationV1(HashAlgorithm, offsetInFirst, readInLast, range, segments);
    }

    /// <summary>Materialises a validated reader. The input is copied once; segments slice that copy.</summary>
    internal static ContentInformationV1 FromReader(ref ContentInformationV1Reader reader, ReadOnlySpan<byte> data)
    {
        byte[] copy = GC.AllocateUninitializedArray<byte>(data.Length); // every byte is overwritten next
        data.CopyTo(copy);
        var segments = new ContentSegment[reader.SegmentCount];
        int i = 0;
        while (reader.TryReadSegment(out SegmentDescriptionV1 s))
        {
            segments[i++] = new ContentSegment(
                reader.HashAlgorithm,
                s.Index,
                s.OffsetInContent,
                s.SegmentLength,
                s.BlockSize,
                SliceOf(copy, data, s.HashOfData),
                SliceOf(copy, data, s.SegmentSecret),
                s.FirstBlockIndex,
                s.BlockCount == 0 ? ReadOnlyMemory<byte>.Empty : SliceOf(copy, data, s.BlockHashes));
        }

        return new ContentInformationV1(reader.HashAlgorithm, reader.OffsetInFirstSegment, reader.ReadBytesInLastSegment, reader.Range, segments);
    }

    /// <summary>The slice of <paramref name="copy"/> at the position <paramref name="part"/> has inside <paramref name="original"/>.</summary>
    internal static ReadOnlyMemory<byte> SliceOf(byte[] copy, ReadOnlySpan<byte> original, ReadOnlySpan<byte> part)
    {
        bool inside = original.Overlaps(part, out int offset);
        System.Diagnostics.Debug.Assert(inside, "The part must come from the original span.");
        return new ReadOnlyMemory<byte>(copy, offset, part.Length);
    }
}
