using System.Buffers;
using System.Text;

namespace PeerDist.Transport.Http;

/// <summary>Parses an HTTP/1.x status line and header block (RFC 9112 4), trimmed to the header limit first.</summary>
internal static class HttpResponseParser
{
    /// <summary>Done, NeedMoreData, or InvalidData (<paramref name="tooLarge"/> tells the limit from malformed input).</summary>
    public static OperationStatus TryParse(
        ReadOnlySequence<byte> input,
        int maxHeadBytes,
        byte[] scratch,
        out HttpResponseHead head,
        out long headLength,
        out bool tooLarge)
    {
        head = default;
        head.ContentLength = -1;
        headLength = 0;
        tooLarge = false;

        ReadOnlySequence<byte> limited = input.Length > maxHeadBytes ? input.Slice(0, maxHeadBytes) : input;
        var reader = new SequenceReader<byte>(limited);
        if (!HttpAscii.TryReadLine(ref reader, scratch, out ReadOnlySpan<byte> statusLine, out bool malformed))
        {
            return NeedMore(input, maxHeadBytes, out tooLarge);
        }

        // HTTP-version SP 3DIGIT SP [reason]
        if (malformed || statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || !char.IsAsciiDigit((char)statusLine[7])
            || statusLine[8] != HttpAscii.Space || (statusLine.Length > 12 && statusLine[12] != HttpAscii.Space)
            || !HttpAscii.TryParseDecimal(statusLine.Slice(9, 3), out long status) || status < 100)
        {
            return OperationStatus.InvalidData;
        }

        head.StatusCode = (int)status;
        bool isHttp11 = statusLine[7] == (byte)'1';
        bool keepAlive = false;
        while (true)
        {
            if (!HttpAscii.TryReadLine(ref reader, scratch, out ReadOnlySpan<byte> line, out malformed))
            {
                return NeedMore(input, maxHeadBytes, out tooLarge);
            }

            if (malformed)
            {
                return OperationStatus.InvalidData;
            }

            if (line.IsEmpty)
            {
                break;
            }

            int colon = line.IndexOf((byte)':');
            if (colon <= 0 || !HttpAscii.IsToken(line[..colon]))
            {
                return OperationStatus.InvalidData;
            }

            ReadOnlySpan<byte> name = line[..colon];
            ReadOnlySpan<byte> value = HttpAscii.TrimWhitespace(line[(colon + 1)..]);
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!HttpAscii.TryParseDecimal(value, out long length) || (head.ContentLength >= 0 && head.ContentLength != length))
                {
                    return OperationStatus.InvalidData;
                }

                head.ContentLength = length;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                if (!Ascii.EqualsIgnoreCase(value, "chunked"u8))
                {
                    return OperationStatus.InvalidData;
                }

                head.IsChunked = true;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                head.ConnectionClose |= HttpAscii.ListContains(value, "close"u8);
                keepAlive |= HttpAscii.ListContains(value, "keep-alive"u8);
            }
        }

        if (!isHttp11 && !keepAlive)
        {
            head.ConnectionClose = true;
        }

        if (head.IsChunked)
        {
            head.ContentLength = -1; // RFC 9112 6.3: chunked wins over Content-Length.
        }

        headLength = reader.Consumed;
        return OperationStatus.Done;
    }

    private static OperationStatus NeedMore(ReadOnlySequence<byte> input, int maxHeadBytes, out bool tooLarge)
    {
        tooLarge = input.Length >= maxHeadBytes;
        return tooLarge ? OperationStatus.InvalidData : OperationStatus.NeedMoreData;
    }
}
