using System.Buffers;
using System.Security.Cryptography;
using PeerDist.Cryptography;

namespace PeerDist.Content;

/// <summary>
/// Checks content against its content information the way a client checks what it downloads (MS-PCCRC 2.2, pccrc.md
/// §3): every listed V1 block hash against the block's bytes, every segment's hash of data (HoD) and, given the server
/// secret, every segment secret Kp = HMAC(Ks, HoD).
/// </summary>
/// <remarks>
/// <para>
/// The content information's own segment boundaries are used, never re-derived: a V2 content information made by Windows
/// has boundaries this library's chunker would not choose. Each listed segment is read whole, because a V1 HoD covers
/// every block of the segment even when only some block hashes are listed.
/// </para>
/// <para>
/// Memory is bounded whatever the content length: one read buffer (at most <see cref="ReadLengthV1"/> for V1, one segment
/// of at most 128 KiB for V2) and the block hashes of one segment.
/// </para>
/// <para>
/// Each fault is reported once. A V1 HoD is recomputed from the listed block hashes where they are listed and from the
/// content elsewhere, so a bad listed block is reported as <see cref="ContentMismatchKind.BlockHash"/> only, and a
/// <see cref="ContentMismatchKind.HashOfData"/> means an unlisted block differs or the content information contradicts
/// itself. Kp is checked against the HoD the content information lists, so a wrong key shows up as
/// <see cref="ContentMismatchKind.SegmentSecret"/> whatever the content holds.
/// </para>
/// </remarks>
public static class ContentInformationVerifier
{
    /// <summary>The V1 read size: a multiple of the block size that divides the segment size, so reads stay block-aligned.</summary>
    internal const int ReadLengthV1 = 4 * 1024 * 1024;

    /// <summary>
    /// Reads <paramref name="content"/> and checks it against <paramref name="info"/>, reporting every mismatch.
    /// </summary>
    /// <param name="info">The content information to check against.</param>
    /// <param name="content">
    /// The whole content. Its current position is content byte 0. A seekable stream is positioned at each listed segment;
    /// any other stream is read forward, skipping the bytes before the first listed segment, and is read to its end when
    /// the content information describes the end of the content (to detect surplus bytes).
    /// </param>
    /// <param name="secret">The server secret; when null, segment secrets (Kp) and so segment identifiers are not checked.</param>
    /// <param name="progress">Receives the number of content bytes checked so far, after each read.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>What was checked and every mismatch found. A mismatch is a result, not an exception.</returns>
    public static async Task<ContentVerificationResult> VerifyAsync(
        ContentInformation info,
        Stream content,
        ServerSecret? secret = null,
        IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(content);
        if (!content.CanRead)
        {
            ThrowHelper.ThrowArgument("The content stream must be readable.", nameof(content));
        }

        using var verification = new Verification(info, content, secret, progress);
        await verification.RunAsync(cancellationToken).ConfigureAwait(false);
        return verification.ToResult();
    }

    /// <summary>The state of one verification: the buffers, where the stream is, and what was found.</summary>
    private sealed class Verification : IDisposable
    {
        private readonly ContentInformation _info;
        private readonly Stream _content;
        private readonly IProgress<long>? _progress;
        private readonly ContentHashAlgorithm _algorithm;
        private readonly int _digestLength;
        private readonly int _readLength;
        private readonly byte[] _buffer;
        private readonly byte[] _blockHashes;
        private readonly byte[]? _serverKey;
        private readonly long _origin;
        private readonly List<ContentMismatch> _mismatches = [];
        private long _position;
        private bool _ended;
        private long _bytesChecked;
        private int _blockHashesChecked;
        private int _hashesOfDataChecked;
        private int _segmentSecretsChecked;

        public Verification(ContentInformation info, Stream content, ServerSecret? secret, IProgress<long>? progress)
        {
            _info = info;
            _content = content;
            _progress = progress;
            _algorithm = info.HashAlgorithm;
            _digestLength = _algorithm.GetDigestLength();
            _origin = content.CanSeek ? content.Position : 0;

            int longest = 1;
            foreach (ContentSegment segment in info.Segments)
            {
                longest = Math.Max(longest, segment.Length);
            }

            // V1 reads whole blocks, V2 whole segments (at most 128 KiB, checked by the reader).
            _readLength = info.Version == ContentInformationVersion.V1
                ? Math.Min(ReadLengthV1, RoundUpToBlock(longest))
                : longest;
            _buffer = ArrayPool<byte>.Shared.Rent(_readLength);
            _blockHashes = info.Version == ContentInformationVersion.V1
                ? ArrayPool<byte>.Shared.Rent(PeerDistConstants.MaxBlocksPerSegment * _digestLength)
                : [];
            if (secret is not null)
            {
                // Ks keys every Kp; it lives in a pinned array that Dispose wipes.
                _serverKey = GC.AllocateUninitializedArray<byte>(_digestLength, pinned: true);
                secret.DeriveServerKey(_algorithm, _serverKey);
            }
        }

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            IReadOnlyList<ContentSegment> segments = _info.Segments;
            for (int i = 0; i < segments.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                ContentSegment segment = segments[i];
                await MoveToAsync(segment.Offset, cancellationToken).ConfigureAwait(false);
                if (_info.Version == ContentInformationVersion.V1)
                {
                    await VerifySegmentV1Async(i, segment, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await VerifySegmentV2Async(i, segment, cancellationToken).ConfigureAwait(false);
                }

                if (_serverKey is not null)
                {
                    CheckSegmentSecret(i, segment, _serverKey);
                }
            }

            await CheckEndAsync(cancellationToken).ConfigureAwait(false);
        }

        public ContentVerificationResult ToResult() => new(
            [.. _mismatches],
            _info.Segments.Count,
            _blockHashesChecked,
            _hashesOfDataChecked,
            _segmentSecretsChecked,
            _bytesChecked);

        public void Dispose()
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            if (_blockHashes.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_blockHashes);
            }

            if (_serverKey is not null)
            {
                CryptographicOperations.ZeroMemory(_serverKey);
            }
        }

        private static int RoundUpToBlock(int length) =>
            (int)(((long)length + PeerDistConstants.BlockSize - 1) / PeerDistConstants.BlockSize * PeerDistConstants.BlockSize);

        /// <summary>Brings the stream to content offset <paramref name="offset"/>: a seek, or reading forward.</summary>
        private async ValueTask MoveToAsync(long offset, CancellationToken cancellationToken)
        {
            if (_ended || _position == offset)
            {
                return;
            }

            if (_content.CanSeek)
            {
                _content.Seek(_origin + offset, SeekOrigin.Begin);
                _position = offset;
                return;
            }

            while (_position < offset)
            {
                int want = (int)Math.Min(_readLength, offset - _position);
                int read = await _content.ReadAsync(_buffer.AsMemory(0, want), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    _ended = true;
                    return;
                }

                _position += read;
            }
        }

        /// <summary>Reads up to <paramref name="count"/> bytes into the buffer; fewer only at the end of the content.</summary>
        private async ValueTask<int> ReadAsync(int count, CancellationToken cancellationToken)
        {
            int read = await _content.ReadAtLeastAsync(_buffer.AsMemory(0, count), count, throwOnEndOfStream: false, cancellationToken)
                .ConfigureAwait(false);
            _ended = read < count;
            _position += read;
            _bytesChecked += read;
            _progress?.Report(_bytesChecked);
            return read;
        }

        private async ValueTask VerifySegmentV1Async(int listIndex, ContentSegment segment, CancellationToken cancellationToken)
        {
            int nextBlock = 0;
            int remaining = segment.Length;
            while (remaining > 0 && !_ended)
            {
                int read = await ReadAsync(Math.Min(_readLength, remaining), cancellationToken).ConfigureAwait(false);
                nextBlock = CheckBlocks(listIndex, segment, nextBlock, read);
                remaining -= read;
            }

            if (nextBlock < segment.BlockCount)
            {
                ReportTooShort(listIndex, segment, nextBlock);
                return;
            }

            CheckHashOfDataV1(listIndex, segment);
        }

        private async ValueTask VerifySegmentV2Async(int listIndex, ContentSegment segment, CancellationToken cancellationToken)
        {
            int read = _ended ? 0 : await ReadAsync(segment.Length, cancellationToken).ConfigureAwait(false);
            if (read < segment.Length)
            {
                ReportTooShort(listIndex, segment, -1);
                return;
            }

            CheckHashOfDataV2(listIndex, segment);
        }

        /// <summary>
        /// Hashes the complete blocks among the <paramref name="count"/> bytes just read (they start at block
        /// <paramref name="firstBlock"/>), compares the listed ones, and returns the index of the next block to hash.
        /// </summary>
        private int CheckBlocks(int listIndex, ContentSegment segment, int firstBlock, int count)
        {
            int blockSize = PeerDistConstants.BlockSize;
            int blocks = count / blockSize;
            if (count % blockSize != 0 && (long)(firstBlock + blocks) * blockSize + (count % blockSize) == segment.Length)
            {
                // The short last block of the content is complete.
                blocks++;
            }

            if (blocks > 1)
            {
                // The blocks of one read are independent: hash them on every processor (MS-PCCRC 2.2 BlockHash).
                Parallel.For(0, blocks, i => HashBlock(segment, firstBlock, i));
            }
            else if (blocks == 1)
            {
                HashBlock(segment, firstBlock, 0);
            }

            for (int i = 0; i < blocks; i++)
            {
                int block = firstBlock + i;
                if (!segment.HasBlockHash(block))
                {
                    continue;
                }

                _blockHashesChecked++;
                if (!_blockHashes.AsSpan(block * _digestLength, _digestLength).SequenceEqual(segment.GetBlockHash(block)))
                {
                    _mismatches.Add(new ContentMismatch(ContentMismatchKind.BlockHash, listIndex, segment.Index, block, segment.GetBlockRange(block)));
                }
            }

            return firstBlock + blocks;
        }

        /// <summary>Hashes block <paramref name="firstBlock"/> + <paramref name="i"/>, found at <paramref name="i"/> blocks into the buffer.</summary>
        private void HashBlock(ContentSegment segment, int firstBlock, int i)
        {
            int block = firstBlock + i;
            int offset = i * PeerDistConstants.BlockSize;
            int length = (int)Math.Min(PeerDistConstants.BlockSize, segment.Length - ((long)block * PeerDistConstants.BlockSize));
            PeerDistKeyDerivation.ComputeHash(
                _algorithm,
                _buffer.AsSpan(offset, length),
                _blockHashes.AsSpan(block * _digestLength, _digestLength));
        }

        private void CheckHashOfDataV1(int listIndex, ContentSegment segment)
        {
            // HoD covers every block of the segment (MS-PCCRC 2.2). Listed hashes are taken as listed, so a bad listed block
            // is reported once (as BlockHash) and a HoD mismatch points at an unlisted block or at the content information.
            int count = segment.ListedBlockCount;
            segment.BlockHashes.Span.CopyTo(_blockHashes.AsSpan(segment.FirstListedBlockIndex * _digestLength, count * _digestLength));

            Span<byte> hashOfData = stackalloc byte[PeerDistConstants.MaxDigestLength];
            hashOfData = hashOfData[.._digestLength];
            PeerDistKeyDerivation.ComputeHashOfData(_algorithm, _blockHashes.AsSpan(0, segment.BlockCount * _digestLength), hashOfData);
            _hashesOfDataChecked++;
            if (!hashOfData.SequenceEqual(segment.HashOfData.Span))
            {
                _mismatches.Add(new ContentMismatch(ContentMismatchKind.HashOfData, listIndex, segment.Index, -1, segment.Range));
            }
        }

        private void CheckHashOfDataV2(int listIndex, ContentSegment segment)
        {
            // MS-PCCRC 2.4.1.2: a V2 HoD is the truncated SHA-512 of the segment's bytes.
            Span<byte> hashOfData = stackalloc byte[PeerDistConstants.MaxDigestLength];
            hashOfData = hashOfData[.._digestLength];
            PeerDistKeyDerivation.ComputeHash(_algorithm, _buffer.AsSpan(0, segment.Length), hashOfData);
            _hashesOfDataChecked++;
            if (!hashOfData.SequenceEqual(segment.HashOfData.Span))
            {
                _mismatches.Add(new ContentMismatch(ContentMismatchKind.HashOfData, listIndex, segment.Index, -1, segment.Range));
            }
        }

        private void CheckSegmentSecret(int listIndex, ContentSegment segment, byte[] serverKey)
        {
            // Kp = HMAC(Ks, HoD) over the HoD as listed (MS-PCCRC 2.2): independent of the content bytes.
            Span<byte> secret = stackalloc byte[PeerDistConstants.MaxDigestLength];
            try
            {
                Span<byte> expected = secret[.._digestLength];
                PeerDistKeyDerivation.ComputeSegmentSecret(_algorithm, serverKey, segment.HashOfData.Span, expected);
                _segmentSecretsChecked++;
                if (!CryptographicOperations.FixedTimeEquals(expected, segment.SegmentSecret.Span))
                {
                    _mismatches.Add(new ContentMismatch(ContentMismatchKind.SegmentSecret, listIndex, segment.Index, -1, segment.Range));
                }
            }
            finally
            {
                CryptographicOperations.ZeroMemory(secret);
            }
        }

        private void ReportTooShort(int listIndex, ContentSegment segment, int blockIndex)
        {
            ContentRange missing = ContentRange.FromBounds(Math.Max(_position, segment.Offset), segment.Range.End);
            _mismatches.Add(new ContentMismatch(ContentMismatchKind.ContentTooShort, listIndex, segment.Index, blockIndex, missing));
        }

        /// <summary>When the content information describes the end of the content, checks that the content ends there too.</summary>
        private async ValueTask CheckEndAsync(CancellationToken cancellationToken)
        {
            IReadOnlyList<ContentSegment> segments = _info.Segments;
            if (_ended || segments.Count == 0)
            {
                return;
            }

            // Only the last segment of the content may be shorter than 32 MiB (MS-PCCRC 2.1); a V2 ullLengthOfRange of 0
            // means the whole content (pccrc.md P12). Otherwise the content may rightly go on after the range.
            ContentSegment last = segments[^1];
            bool describesEnd = _info is ContentInformationV2 v2
                ? v2.LengthOfRange == 0
                : last.Length < PeerDistConstants.SegmentSize;
            if (!describesEnd)
            {
                return;
            }

            long end = last.Range.End;
            long surplus = 0;
            if (_content.CanSeek)
            {
                surplus = Math.Max(0, _content.Length - _origin - end);
            }
            else
            {
                int read;
                while ((read = await _content.ReadAsync(_buffer.AsMemory(0, _readLength), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    surplus += read;
                }
            }

            if (surplus > 0)
            {
                _mismatches.Add(new ContentMismatch(ContentMismatchKind.ContentTooLong, segments.Count - 1, last.Index, -1, new ContentRange(end, surplus)));
            }
        }
    }
}
