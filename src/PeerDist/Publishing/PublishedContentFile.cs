using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using PeerDist.Content;

namespace PeerDist.Publishing;

/// <summary>
/// The on-disk form of a <see cref="PublishedContent"/> (our own format, not a protocol one). All integers little-endian:
/// </summary>
/// <remarks>
/// <code>
/// magic "PDPUBv1\n" (8) | id length u32 | id UTF-8 | content length i64 | last-modified UTC ticks i64 (-1 = none)
/// | ETag length i32 (-1 = none) | ETag UTF-8 | V1 length u32 | V1 bytes | V2 length u32 (0 = none) | V2 bytes
/// | SHA-256 of everything before (32)
/// </code>
/// The trailing checksum catches a torn or damaged file; the identifier is stored whole so that a file name collision
/// (names are hashes of the identifier) can never hand out another content's hashes.
/// </remarks>
internal static class PublishedContentFile
{
    private static ReadOnlySpan<byte> Magic => "PDPUBv1\n"u8;

    private const int ChecksumLength = 32;

    public static byte[] Encode(PublishedContent content)
    {
        byte[] id = Encoding.UTF8.GetBytes(content.ContentId);
        byte[]? etag = content.Validator.ETag is { } tag ? Encoding.UTF8.GetBytes(tag) : null;
        byte[] v1 = content.V1.ToArray();
        byte[] v2 = content.V2?.ToArray() ?? [];
        int length = Magic.Length + 4 + id.Length + 8 + 8 + 4 + (etag?.Length ?? 0) + 4 + v1.Length + 4 + v2.Length + ChecksumLength;
        byte[] file = new byte[length];
        var span = file.AsSpan();
        int at = 0;
        Magic.CopyTo(span);
        at += Magic.Length;
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], id.Length);
        at += 4;
        id.CopyTo(span[at..]);
        at += id.Length;
        BinaryPrimitives.WriteInt64LittleEndian(span[at..], content.Validator.Length);
        at += 8;
        BinaryPrimitives.WriteInt64LittleEndian(span[at..], content.Validator.LastModified?.UtcTicks ?? -1);
        at += 8;
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], etag?.Length ?? -1);
        at += 4;
        etag?.CopyTo(span[at..]);
        at += etag?.Length ?? 0;
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], v1.Length);
        at += 4;
        v1.CopyTo(span[at..]);
        at += v1.Length;
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], v2.Length);
        at += 4;
        v2.CopyTo(span[at..]);
        at += v2.Length;
        SHA256.HashData(span[..at], span[at..]);
        return file;
    }

    /// <summary>Decodes a file; null when it is damaged in any way (bad checksum, bad lengths, content information that does not parse).</summary>
    public static PublishedContent? TryDecode(ReadOnlySpan<byte> file)
    {
        if (file.Length < Magic.Length + ChecksumLength || !file.StartsWith(Magic))
        {
            return null;
        }

        ReadOnlySpan<byte> body = file[..^ChecksumLength];
        Span<byte> checksum = stackalloc byte[ChecksumLength];
        SHA256.HashData(body, checksum);
        if (!CryptographicOperations.FixedTimeEquals(checksum, file[^ChecksumLength..]))
        {
            return null;
        }

        var reader = new Reader(body[Magic.Length..]);
        if (!reader.TryReadBytes(out ReadOnlySpan<byte> id) ||
            !reader.TryReadInt64(out long contentLength) ||
            !reader.TryReadInt64(out long ticks) ||
            !reader.TryReadOptionalBytes(out ReadOnlySpan<byte> etag, out bool hasETag) ||
            !reader.TryReadBytes(out ReadOnlySpan<byte> v1Bytes) ||
            !reader.TryReadBytes(out ReadOnlySpan<byte> v2Bytes) ||
            !reader.IsEmpty ||
            contentLength <= 0 ||
            ticks < -1 || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            return null;
        }

        if (!ContentInformation.TryParse(v1Bytes, out ContentInformation? v1) || v1.Version != ContentInformationVersion.V1)
        {
            return null;
        }

        ContentInformation? v2 = null;
        if (!v2Bytes.IsEmpty && (!ContentInformation.TryParse(v2Bytes, out v2) || v2.Version != ContentInformationVersion.V2))
        {
            return null;
        }

        var validator = new ContentValidator(
            contentLength,
            hasETag ? Encoding.UTF8.GetString(etag) : null,
            ticks == -1 ? null : new DateTimeOffset(ticks, TimeSpan.Zero));
        return new PublishedContent(Encoding.UTF8.GetString(id), validator, v1, v2);
    }

    /// <summary>A bounds-checked forward reader over the body.</summary>
    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _data = data;

        public readonly bool IsEmpty => _data.IsEmpty;

        public bool TryReadInt64(out long value)
        {
            if (_data.Length < 8)
            {
                value = 0;
                return false;
            }

            value = BinaryPrimitives.ReadInt64LittleEndian(_data);
            _data = _data[8..];
            return true;
        }

        public bool TryReadBytes(out ReadOnlySpan<byte> value)
        {
            bool ok = TryReadOptionalBytes(out value, out bool present);
            return ok && present;
        }

        public bool TryReadOptionalBytes(out ReadOnlySpan<byte> value, out bool present)
        {
            value = default;
            present = false;
            if (_data.Length < 4)
            {
                return false;
            }

            int length = BinaryPrimitives.ReadInt32LittleEndian(_data);
            if (length == -1)
            {
                _data = _data[4..];
                return true;
            }

            if (length < 0 || (uint)length > (uint)(_data.Length - 4))
            {
                return false;
            }

            value = _data.Slice(4, length);
            _data = _data[(4 + length)..];
            present = true;
            return true;
        }
    }
}
