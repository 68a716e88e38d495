using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace PeerDist.Http;

/// <summary>
/// The <c>X-P2P-PeerDist</c> header (MS-PCCRTP 2.2): <c>Version=major.minor</c>, then optionally
/// <c>ContentLength=digits</c> (server to client: the identity length of a peerdist response) and
/// <c>MissingDataRequest=true|false</c> (client to server: a fallback request for data no peer had).
/// </summary>
/// <param name="Version">The PeerDist version; a client sends the highest it supports.</param>
public sealed record PeerDistHeader(PccrtpVersion Version)
{
    /// <summary>The most digits accepted in <c>ContentLength</c> (18 digits always fit in a <see cref="long"/>).</summary>
    private const int MaxLengthDigits = 18;

    /// <summary>The identity length of the content, in bytes; a peerdist response must carry it (3.2.5.1).</summary>
    public long? ContentLength { get; init; }

    /// <summary>Whether this is a request for data that could not be found on peers (3.1.5.1); absent when not sent.</summary>
    public bool? MissingDataRequest { get; init; }

    /// <summary>
    /// Parses a header value. Returns false — the header is invalid and must be treated as absent, never guessed — when
    /// <c>Version</c> is missing or malformed, <c>ContentLength</c> is not plain digits, <c>MissingDataRequest</c> is
    /// neither <c>true</c> nor <c>false</c>, a parameter appears twice, or an item is not <c>name=value</c>. Parameters
    /// of other names are ignored, so a later revision's additions do not break the header.
    /// </summary>
    public static bool TryParse(string? value, [NotNullWhen(true)] out PeerDistHeader? header)
    {
        header = null;
        if (value is null)
        {
            return false;
        }

        PccrtpVersion? version = null;
        long? contentLength = null;
        bool? missing = null;
        bool ok = PccrtpParameterList.TryRead(value, (name, text) =>
        {
            if (PccrtpParameterList.Is(name, "Version"))
            {
                if (version is not null || !PccrtpVersion.TryParse(text, out PccrtpVersion parsed))
                {
                    return false;
                }

                version = parsed;
                return true;
            }

            if (PccrtpParameterList.Is(name, "ContentLength"))
            {
                if (contentLength is not null || !TryParseLength(text, out long length))
                {
                    return false;
                }

                contentLength = length;
                return true;
            }

            if (PccrtpParameterList.Is(name, "MissingDataRequest"))
            {
                if (missing is not null || !PccrtpParameterList.TryParseBoolean(text, out bool flag))
                {
                    return false;
                }

                missing = flag;
                return true;
            }

            return true;
        });

        if (!ok || version is not PccrtpVersion found)
        {
            return false;
        }

        header = new PeerDistHeader(found) { ContentLength = contentLength, MissingDataRequest = missing };
        return true;
    }

    /// <summary>The header value: <c>Version=1.1</c>, then <c>, ContentLength=n</c> and <c>, MissingDataRequest=…</c> when set.</summary>
    public override string ToString()
    {
        var text = new StringBuilder("Version=").Append(Version.ToString());
        if (ContentLength is long length)
        {
            text.Append(", ContentLength=").Append(length.ToString(CultureInfo.InvariantCulture));
        }

        if (MissingDataRequest is bool missing)
        {
            text.Append(", MissingDataRequest=").Append(missing ? "true" : "false");
        }

        return text.ToString();
    }

    private static bool TryParseLength(ReadOnlySpan<char> text, out long length)
    {
        length = 0;
        if (text.IsEmpty || text.Length > MaxLengthDigits)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            length = (length * 10) + (c - '0');
        }

        return true;
    }
}
