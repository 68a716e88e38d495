using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using PeerDist.Caching;
using PeerDist.Content;

namespace PeerDist.Cli;

/// <summary>Writes a cache package (<see cref="CachePackage"/>) of segments read from a cache.</summary>
internal sealed class CachePackageWriter : IDisposable
{
    private readonly Stream _output;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public CachePackageWriter(Stream output) => _output = output;

    public long BlocksWritten { get; private set; }

    public long BytesWritten { get; private set; }

    public long BlocksSkipped { get; private set; }

    public async Task WriteHeaderAsync(int segmentCount, CancellationToken cancellationToken)
    {
        byte[] header = new byte[CachePackage.HeaderLength];
        CachePackage.Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), CachePackage.Version);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(10), 0);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), (uint)segmentCount);
        await WriteAsync(header, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes one segment with every block the cache can read as verified plaintext.</summary>
    public async Task WriteSegmentAsync(ContentCache cache, SegmentMetadata segment, CancellationToken cancellationToken)
    {
        int digest = segment.HashAlgorithm.GetDigestLength();
        var head = new ArrayBufferWriter<byte>();
        Span<byte> fixedPart = head.GetSpan(20);
        BinaryPrimitives.WriteUInt32LittleEndian(fixedPart, (uint)segment.HashAlgorithm);
        BinaryPrimitives.WriteUInt32LittleEndian(fixedPart[4..], (uint)segment.SegmentLength);
        BinaryPrimitives.WriteUInt32LittleEndian(fixedPart[8..], (uint)segment.BlockSize);
        BinaryPrimitives.WriteUInt32LittleEndian(fixedPart[12..], (uint)segment.FirstListedBlockIndex);
        BinaryPrimitives.WriteUInt32LittleEndian(fixedPart[16..], (uint)segment.ListedBlockCount);
        head.Advance(20);
        head.Write([(byte)digest]);
        head.Write(segment.SegmentId.Span);
        head.Write(segment.HashOfData.Span);
        head.Write([(byte)segment.SegmentSecret.Length]);
        head.Write(segment.SegmentSecret.Span);
        head.Write(segment.BlockHashes.Span);

        // Read the held blocks first: a block that cannot be read as plaintext (an encrypted record of a hosted cache, or a
        // block damaged on disk, which the cache drops) is left out and counted.
        var blocks = new List<(int Index, byte[] Bytes)>();
        foreach (BlockIndexRange range in cache.GetHeldBlockRanges(segment.SegmentId.Span))
        {
            for (int index = range.Index; index < range.End; index++)
            {
                byte[] block = new byte[segment.GetBlockLength(index)];
                BlockReadResult result = cache.ReadBlock(segment.SegmentId.Span, index, block);
                if (result.IsSuccess && result.BytesWritten == block.Length)
                {
                    blocks.Add((index, block));
                }
                else
                {
                    BlocksSkipped++;
                }
            }
        }

        byte[] count = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(count, (uint)blocks.Count);
        head.Write(count);
        await WriteAsync(head.WrittenMemory, cancellationToken).ConfigureAwait(false);
        byte[] blockHead = new byte[8];
        foreach ((int index, byte[] bytes) in blocks)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(blockHead, (uint)index);
            BinaryPrimitives.WriteUInt32LittleEndian(blockHead.AsSpan(4), (uint)bytes.Length);
            await WriteAsync(blockHead, cancellationToken).ConfigureAwait(false);
            await WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            BlocksWritten++;
            BytesWritten += bytes.Length;
        }
    }

    public async Task WriteChecksumAsync(CancellationToken cancellationToken)
    {
        byte[] checksum = _hash.GetHashAndReset();
        await _output.WriteAsync(checksum, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _hash.Dispose();

    private async Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        _hash.AppendData(bytes.Span);
        await _output.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
    }
}
