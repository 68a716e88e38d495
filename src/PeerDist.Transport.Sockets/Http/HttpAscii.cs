using System.Buffers;
using System.Text;

namespace PeerDist.Transport.Http;

/// <summary>Small ASCII helpers shared by the request, response and chunk parsers.</summary>
internal static class HttpAscii
{
    public const byte Cr = (byte)'\r';
    public const byte Lf = (byte)'\n';
    public const byte Space = (byte)' ';
    public const byte Tab = (byte)'\t';

    /// <summary>
    /// Reads one line ending in CRLF. Returns false (reader unmoved) when no LF is buffered yet. A line whose LF
    /// is not preceded by CR sets <paramref name="malformed"/>. The line (without CRLF) is returned as a span,
    /// copied into <paramref name="scratch"/> when it spans segments.
    /// </summary>
    public static bool TryReadLine(ref SequenceReader<byte> reader, byte[] scratch, out ReadOnlySpan<byte> line, out bool malformed)
    {
        malformed = false;
        line = default;
        if (!reader.TryReadTo(out ReadOnlySequence<byte> raw, Lf))
        {
            return false;
        }

        if (raw.Length == 0 || raw.Length > scratch.Length)
        {
            malformed = true;
            return true;
        }

        ReadOnlySpan<byte> span;
        if (raw.IsSingleSegment)
        {
            span = raw.FirstSpan;
        }
        else
        {
            raw.CopyTo(scratch);
            span = scratch.AsSpan(0, (int)raw.Length);
        }

        if (span[^1] != Cr)
        {
            malformed = true;
            return true;
        }

        line = span[..^1];
        return true;
    }

    public static ReadOnlySpan<byte> TrimWhitespace(ReadOnlySpan<byte> value)
    {
        int start = 0;
        while (start < value.Length && (value[start] == Space || value[start] == Tab))
        {
            start++;
        }

        int end = value.Length;
        while (end > start && (value[end - 1] == Space || value[end - 1] == Tab))
        {
            end--;
        }

        return value[start..end];
    }

    /// <summary>RFC 9110 5.6.2 tchar.</summary>
    public static bool IsToken(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return false;
        }

        foreach (byte b in value)
        {
            bool ok = b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
                || "!#$%&'*+-.^_`|~"u8.Contains(b);
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Field values may hold visible ASCII, obs-text, SP and HT; never other control bytes.</summary>
    public static bool IsFieldValue(ReadOnlySpan<byte> value)
    {
        foreach (byte b in value)
        {
            if ((b < 0x20 && b != Tab) || b == 0x7F)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Parses 1 to 18 decimal digits, nothing else.</summary>
    public static bool TryParseDecimal(ReadOnlySpan<byte> value, out long result)
    {
        result = 0;
        if (value.IsEmpty || value.Length > 18)
        {
            return false;
        }

        foreach (byte b in value)
        {
            uint digit = (uint)(b - '0');
            if (digit > 9)
            {
                return false;
            }

            result = (result * 10) + digit;
        }

        return true;
    }

    /// <summary>True when the comma-separated list <paramref name="value"/> holds <paramref name="token"/> (ASCII case-insensitive).</summary>
    public static bool ListContains(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        while (!value.IsEmpty)
        {
            int comma = value.IndexOf((byte)',');
            ReadOnlySpan<byte> item = comma < 0 ? value : value[..comma];
            if (Ascii.EqualsIgnoreCase(TrimWhitespace(item), token))
            {
                return true;
            }

            value = comma < 0 ? default : value[(comma + 1)..];
        }

        return false;
    }

    /// <summary>Writes "HTTP/1.1 200 OK\r\nContent-Length: n\r\n[Connection: close\r\n]\r\n" and returns its length.</summary>
    public static int WriteOkHead(Span<byte> destination, long contentLength, bool close)
    {
        ReadOnlySpan<byte> prefix = "HTTP/1.1 200 OK\r\nContent-Length: "u8;
        prefix.CopyTo(destination);
        int n = prefix.Length;
        bool formatted = contentLength.TryFormat(destination[n..], out int digits, default, System.Globalization.CultureInfo.InvariantCulture);
        System.Diagnostics.Debug.Assert(formatted);
        n += digits;
        ReadOnlySpan<byte> tail = close ? "\r\nConnection: close\r\n\r\n"u8 : "\r\n\r\n"u8;
        tail.CopyTo(destination[n..]);
        return n + tail.Length;
    }
}
