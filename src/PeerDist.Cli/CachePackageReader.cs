using System.Buffers.Binary;
using System.Security.Cryptography;
using PeerDist.Caching;
using PeerDist.Content;
using PeerDist.Cryptography;

namespace PeerDist.Cli;

/// <summary>
/// Reads a cache package (<see cref="CachePackage"/>): <see cref="VerifyChecksumAsync"/> over the whole file first, then
/// <see cref="ReadAsync"/> hands over each segment and each block, validated (metadata consistency, every block's hash).
/// Every problem is a <see cref="CliException"/> naming the package and the offset.
/// </summary>
internal sealed class CachePackageReader
{
    private readonly Stream _input;
    private readonly string _path;
    private readonly long _bodyLength;
    private long _position;

    public CachePackageReader(Stream input, string path)
    {
        _input = input;
        _path = path;
        _bodyLength = input.Length - CachePackage.ChecksumLength;
    }

    /// <summary>Hashes everything before the trailer and compares; throws when the file is damaged or truncated.</summary>
    public async Task VerifyChecksumAsync(CancellationToken cancellationToken)
    {
        if (_bodyLength < CachePackage.HeaderLength)
        {
            throw Damaged(0, "it is too short to be a cache package");
        }

        _input.Position = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[1024 * 1024];
        long remaining = _bodyLength;
        while (remaining > 0)
        {
            int read = await _input.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw Damaged(_bodyLength - remaining, "it is truncated");
            }

            hash.AppendData(buffer, 0, read);
            remaining -= read;
        }

        byte[] expected = new byte[CachePackage.ChecksumLength];
        await _input.ReadExactlyAsync(expected, cancellationToken).ConfigureAwait(false);
        if (!CryptographicOperations.FixedTimeEquals(hash.GetHashAndReset(), expected))
        {
            // Check the magic for a better message when this is not a package at all.
            _input.Position = 0;
            byte[] magic = new byte[CachePackage.Magic.Length];
            await _input.ReadExactlyAsync(magic, cancellationToken).ConfigureAwait(false);
            throw magic.AsSpan().SequenceEqual(CachePackage.Magic)
                ? Damaged(_bodyLength, "the SHA-256 checksum does not match (the file was changed or damaged); nothing was imported")
                : Damaged(0, "it is not a PeerDist cache package (wrong magic)");
        }
    }

    /// <summary>Reads the package, calling <paramref name="onSegment"/> then <paramref name="onBlock"/> for each of its blocks.</summary>
    public async Task ReadAsync(
        Func<SegmentMetadata, Task> onSegment,
        Func<SegmentMetadata, int, ReadOnlyMemory<byte>, Task> onBlock,
        CancellationToken cancellationToken)
    {
        _input.Position = 0;
        _position = 0;
        byte[] header = await ReadBytesAsync(CachePackage.HeaderLength, cancellationToken).ConfigureAwait(false);
        if (!header.AsSpan(0, 8).SequenceEqual(CachePackage.Magic))
        {
            throw Damaged(0, "it is not a PeerDist cache package (wrong magic)");
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(8));
        if (version != CachePackage.Version)
        {
            throw Damaged(8, $"package version {version} is not supported (this tool reads version {CachePackage.Version})");
        }

        if (BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(10)) != 0)
        {
            throw Damaged(10, "the reserved flags are not zero");
        }

        uint segments = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(12));
        for (uint i = 0; i < segments; i++)
        {
            SegmentMetadata segment = await ReadSegmentAsync(cancellationToken).ConfigureAwait(false);
            await onSegment(segment).ConfigureAwait(false);
            await ReadBlocksAsync(segment, onBlock, cancellationToken).ConfigureAwait(false);
        }

        if (_position != _bodyLength)
        {
            throw Damaged(_position, "bytes follow the last segment");
        }
    }

    private async Task<SegmentMetadata> ReadSegmentAsync(CancellationToken cancellationToken)
    {
        long start = _position;
        byte[] fixedPart = await ReadBytesAsync(21, cancellationToken).ConfigureAwait(false);
        var algorithm = (ContentHashAlgorithm)BinaryPrimitives.ReadUInt32LittleEndian(fixedPart);
        uint segmentLength = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart.AsSpan(4));
        uint blockSize = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart.AsSpan(8));
        uint firstListed = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart.AsSpan(12));
        uint listed = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart.AsSpan(16));
        int digest = fixedPart[20];
        if (!algorithm.IsDefined() || digest != algorithm.GetDigestLength())
        {
            throw Damaged(start, $"unknown hash algorithm 0x{(uint)algorithm:X} or a digest length ({digest}) that does not match it");
        }

        if (listed > PeerDistConstants.MaxBlocksPerSegment || segmentLength > PeerDistConstants.SegmentSize || blockSize > PeerDistConstants.SegmentSize)
        {
            throw Damaged(start, "a segment's lengths are out of range");
        }

        byte[] ids = await ReadBytesAsync(2 * digest, cancellationToken).ConfigureAwait(false);
        int secretLength = (await ReadBytesAsync(1, cancellationToken).ConfigureAwait(false))[0];
        if (secretLength != 0 && secretLength != digest)
        {
            throw Damaged(_position - 1, $"a segment secret of {secretLength} bytes (expected 0 or {digest})");
        }

        byte[] secret = await ReadBytesAsync(secretLength, cancellationToken).ConfigureAwait(false);
        byte[] hashes = await ReadBytesAsync((int)listed * digest, cancellationToken).ConfigureAwait(false);
        try
        {
            // Create checks what can be checked without the server secret: the identifier against Kp, the HoD against the
            // listed block hashes (V1) or the block hash (V2).
            return SegmentMetadata.Create(algorithm, ids.AsSpan(0, digest), ids.AsSpan(digest), secret, (int)segmentLength, (int)blockSize, (int)firstListed, hashes);
        }
        catch (ArgumentException e)
        {
            throw Damaged(start, $"inconsistent segment metadata: {e.Message}");
        }
    }

    private async Task ReadBlocksAsync(SegmentMetadata segment, Func<SegmentMetadata, int, ReadOnlyMemory<byte>, Task> onBlock, CancellationToken cancellationToken)
    {
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(await ReadBytesAsync(4, cancellationToken).ConfigureAwait(false));
        if (count > segment.BlockCount)
        {
            throw Damaged(_position - 4, $"{count} blocks for a segment of {segment.BlockCount}");
        }

        int previous = -1;
        int digest = segment.HashAlgorithm.GetDigestLength();
        byte[] actual = new byte[digest];
        for (uint i = 0; i < count; i++)
        {
            long start = _position;
            byte[] head = await ReadBytesAsync(8, cancellationToken).ConfigureAwait(false);
            uint index = BinaryPrimitives.ReadUInt32LittleEndian(head);
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(4));
            if (index >= (uint)segment.BlockCount || (int)index <= previous || length != (uint)segment.GetBlockLength((int)index))
            {
                throw Damaged(start, $"block {index} is out of order, out of range or of the wrong length ({length} bytes)");
            }

            if (!segment.HasBlockHash((int)index))
            {
                throw Damaged(start, $"block {index} has no block hash in the segment metadata");
            }

            byte[] block = await ReadBytesAsync((int)length, cancellationToken).ConfigureAwait(false);
            PeerDistKeyDerivation.ComputeHash(segment.HashAlgorithm, block, actual);
            if (!CryptographicOperations.FixedTimeEquals(actual, segment.GetBlockHash((int)index)))
            {
                throw Damaged(start, $"block {index} of segment {Convert.ToHexStringLower(segment.SegmentId.Span)} does not match its hash");
            }

            await onBlock(segment, (int)index, block).ConfigureAwait(false);
            previous = (int)index;
        }
    }

    private async Task<byte[]> ReadBytesAsync(int length, CancellationToken cancellationToken)
    {
        if (length > _bodyLength - _position)
        {
            throw Damaged(_position, "it is truncated");
        }

        byte[] bytes = new byte[length];
        await _input.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        _position += length;
        return bytes;
    }

    private CliException Damaged(long offset, string reason) =>
        CliException.BadInput($"'{_path}': not a valid cache package at byte {offset}: {reason}");
}
