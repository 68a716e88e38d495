using System.Buffers;
using System.Text;

namespace PeerDist.Transport.Http;

/// <summary>
/// Parses an HTTP/1.1 request line and header block (RFC 9112 3 and 5) from a <see cref="ReadOnlySequence{T}"/>.
/// The input is trimmed to the header limit first, so an endless header never gets buffered past it.
/// Stateless: on <see cref="OperationStatus.NeedMoreData"/> nothing is consumed and the caller parses again
/// with more bytes.
/// </summary>
internal static class HttpRequestParser
{
    public static OperationStatus TryParse(
        ReadOnlySequence<byte> input,
        int maxHeadBytes,
        byte[][] routes,
        byte[] scratch,
        out HttpRequestHead head,
        out long headLength,
        out HttpRequestRejection rejection)
    {
        head = default;
        head.RouteIndex = -1;
        head.ContentLength = -1;
        headLength = 0;
        rejection = HttpRequestRejection.None;

        ReadOnlySequence<byte> limited = input.Length > maxHeadBytes ? input.Slice(0, maxHeadBytes) : input;
        var reader = new SequenceReader<byte>(limited);

        if (!HttpAscii.TryReadLine(ref reader, scratch, out ReadOnlySpan<byte> requestLine, out bool malformed))
        {
            return NeedMore(input, maxHeadBytes, out rejection);
        }

        if (malformed || !TryParseRequestLine(requestLine, routes, ref head, out rejection))
        {
            rejection = rejection == HttpRequestRejection.None ? HttpRequestRejection.BadRequest : rejection;
            return OperationStatus.InvalidData;
        }

        bool sawContentLength = false;
        bool sawTransferEncoding = false;
        while (true)
        {
            if (!HttpAscii.TryReadLine(ref reader, scratch, out ReadOnlySpan<byte> line, out malformed))
            {
                return NeedMore(input, maxHeadBytes, out rejection);
            }

            if (malformed)
            {
                rejection = HttpRequestRejection.BadRequest;
                return OperationStatus.InvalidData;
            }

            if (line.IsEmpty)
            {
                break;
            }

            if (!TryParseHeader(line, ref head, ref sawContentLength, ref sawTransferEncoding))
            {
                rejection = HttpRequestRejection.BadRequest;
                return OperationStatus.InvalidData;
            }
        }

        if (!head.IsHttp11)
        {
            head.ConnectionClose = true;
        }

        // RFC 9112 6.1: chunked is HTTP/1.1 only; both framings at once is a smuggling attempt.
        if ((sawTransferEncoding && !head.IsHttp11) || (sawTransferEncoding && sawContentLength))
        {
            rejection = HttpRequestRejection.BadRequest;
            return OperationStatus.InvalidData;
        }

        headLength = reader.Consumed;
        return OperationStatus.Done;
    }

    /// <summary>Checks what a syntactically valid head asks for against what the server serves.</summary>
    public static HttpRequestRejection Validate(in HttpRequestHead head, long maxBodyBytes)
    {
        if (head.RouteIndex < 0)
        {
            return HttpRequestRejection.NotFound;
        }

        if (!head.IsPost)
        {
            return HttpRequestRejection.MethodNotAllowed;
        }

        if (head.HasUnsupportedExpectation)
        {
            return HttpRequestRejection.ExpectationFailed;
        }

        if (head.HasUnsupportedTransferEncoding)
        {
            return HttpRequestRejection.NotImplemented;
        }

        if (!head.IsChunked && head.ContentLength < 0)
        {
            return HttpRequestRejection.LengthRequired;
        }

        if (head.ContentLength > maxBodyBytes)
        {
            return HttpRequestRejection.PayloadTooLarge;
        }

        return HttpRequestRejection.None;
    }

    /// <summary>Normalises a configured path for matching: ASCII, leading '/', no trailing '/'.</summary>
    public static byte[] NormalizeRoute(string path)
    {
        if (string.IsNullOrEmpty(path) || path[0] != '/' || !Ascii.IsValid(path) || path.Contains('?', StringComparison.Ordinal))
        {
            HttpThrowHelper.ThrowArgument("A route must be an ASCII absolute path starting with '/' and without a query.", nameof(path));
        }

        string trimmed = path.Length > 1 && path[^1] == '/' ? path[..^1] : path;
        return Encoding.ASCII.GetBytes(trimmed);
    }

    private static OperationStatus NeedMore(ReadOnlySequence<byte> input, int maxHeadBytes, out HttpRequestRejection rejection)
    {
        if (input.Length >= maxHeadBytes)
        {
            rejection = HttpRequestRejection.HeadersTooLarge;
            return OperationStatus.InvalidData;
        }

        rejection = HttpRequestRejection.None;
        return OperationStatus.NeedMoreData;
    }

    private static bool TryParseRequestLine(ReadOnlySpan<byte> line, byte[][] routes, ref HttpRequestHead head, out HttpRequestRejection rejection)
    {
        rejection = HttpRequestRejection.BadRequest;

        int sp1 = line.IndexOf(HttpAscii.Space);
        if (sp1 <= 0)
        {
            return false;
        }

        ReadOnlySpan<byte> method = line[..sp1];
        ReadOnlySpan<byte> rest = line[(sp1 + 1)..];
        int sp2 = rest.IndexOf(HttpAscii.Space);
        if (sp2 <= 0 || !HttpAscii.IsToken(method))
        {
            return false;
        }

        ReadOnlySpan<byte> target = rest[..sp2];
        ReadOnlySpan<byte> version = rest[(sp2 + 1)..];

        if (version.SequenceEqual("HTTP/1.1"u8))
        {
            head.IsHttp11 = true;
        }
        else if (!version.SequenceEqual("HTTP/1.0"u8))
        {
            if (version.Length == 8 && version.StartsWith("HTTP/"u8) && char.IsAsciiDigit((char)version[5])
                && version[6] == (byte)'.' && char.IsAsciiDigit((char)version[7]))
            {
                rejection = HttpRequestRejection.VersionNotSupported;
            }

            return false;
        }

        foreach (byte b in target)
        {
            if (b <= 0x20 || b == 0x7F)
            {
                return false;
            }
        }

        ReadOnlySpan<byte> path;
        if (target[0] == (byte)'/')
        {
            path = target; // origin-form
        }
        else if (target.Length > 7 && Ascii.EqualsIgnoreCase(target[..7], "http://"u8))
        {
            // absolute-form (RFC 9112 3.2.2): skip the authority.
            ReadOnlySpan<byte> afterScheme = target[7..];
            int slash = afterScheme.IndexOf((byte)'/');
            path = slash < 0 ? "/"u8 : afterScheme[slash..];
        }
        else
        {
            return false;
        }

        int query = path.IndexOf((byte)'?');
        if (query >= 0)
        {
            path = path[..query];
        }

        if (path.Length > 1 && path[^1] == (byte)'/')
        {
            path = path[..^1];
        }

        head.IsPost = method.SequenceEqual("POST"u8);
        for (int i = 0; i < routes.Length; i++)
        {
            if (Ascii.EqualsIgnoreCase(path, routes[i]))
            {
                head.RouteIndex = i;
                break;
            }
        }

        rejection = HttpRequestRejection.None;
        return true;
    }

    private static bool TryParseHeader(ReadOnlySpan<byte> line, ref HttpRequestHead head, ref bool sawContentLength, ref bool sawTransferEncoding)
    {
        // RFC 9112 5.2: obsolete line folding is rejected; RFC 9112 5.1: no whitespace before the colon.
        int colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            return false;
        }

        ReadOnlySpan<byte> name = line[..colon];
        if (!HttpAscii.IsToken(name))
        {
            return false;
        }

        ReadOnlySpan<byte> value = HttpAscii.TrimWhitespace(line[(colon + 1)..]);
        if (!HttpAscii.IsFieldValue(value))
        {
            return false;
        }

        if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
        {
            if (!HttpAscii.TryParseDecimal(value, out long length) || (sawContentLength && length != head.ContentLength))
            {
                return false;
            }

            sawContentLength = true;
            head.ContentLength = length;
        }
        else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
        {
            if (sawTransferEncoding)
            {
                return false;
            }

            sawTransferEncoding = true;
            if (Ascii.EqualsIgnoreCase(value, "chunked"u8))
            {
                head.IsChunked = true;
            }
            else
            {
                head.HasUnsupportedTransferEncoding = true;
            }
        }
        else if (Ascii.EqualsIgnoreCase(name, "Expect"u8))
        {
            if (Ascii.EqualsIgnoreCase(value, "100-continue"u8))
            {
                head.ExpectContinue = true;
            }
            else
            {
                head.HasUnsupportedExpectation = true;
            }
        }
        else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
        {
            if (HttpAscii.ListContains(value, "close"u8))
            {
                head.ConnectionClose = true;
            }
        }

        return true;
    }
}
