using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PeerDist.Discovery;

/// <summary>Text-level helpers shared by the PCCRD readers, writers and model constructors.</summary>
internal static class PccrdFields
{
    /// <summary>The XML whitespace characters (XML 1.0 production 3), the separators of an <c>xs:list</c>.</summary>
    public const string Whitespace = " \t\r\n";

    /// <summary>The segment identifier lengths MS-PCCRC allows (SHA-256, SHA-384, SHA-512; V2 always 32).</summary>
    public static bool IsValidSegmentIdLength(int length) => length is 32 or 48 or 64;

    public static ReadOnlySpan<char> Trim(ReadOnlySpan<char> value) => value.Trim(Whitespace);

    /// <summary>Decodes hexBinary of either case (wire.md §2.3: emit upper case, accept both).</summary>
    public static bool TryDecodeHex(ReadOnlySpan<char> hex, Span<byte> destination)
    {
        if (hex.Length != destination.Length * 2)
        {
            return false;
        }

        for (int i = 0; i < destination.Length; i++)
        {
            int high = Nibble(hex[2 * i]);
            int low = Nibble(hex[(2 * i) + 1]);
            if ((high | low) < 0)
            {
                return false;
            }

            destination[i] = (byte)((high << 4) | low);
        }

        return true;
    }

    private static int Nibble(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'F' => c - 'A' + 10,
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => -1,
    };

    /// <summary>
    /// Decodes base64Binary; whitespace anywhere is skipped (XML Schema allows it, and the spec examples put the value on
    /// its own line). At most <paramref name="maxLength"/> decoded bytes are accepted.
    /// </summary>
    public static bool TryDecodeBase64(ReadOnlySpan<char> text, int maxLength, out byte[] bytes)
    {
        bytes = [];
        int significant = 0;
        foreach (char c in text)
        {
            if (Whitespace.Contains(c))
            {
                continue;
            }

            significant++;
        }

        if (significant == 0 || significant % 4 != 0 || (significant / 4 * 3) - 2 > maxLength)
        {
            return false;
        }

        byte[] buffer = new byte[significant / 4 * 3];
        if (!Convert.TryFromBase64Chars(text, buffer, out int written) || written > maxLength)
        {
            return false;
        }

        bytes = written == buffer.Length ? buffer : buffer[..written];
        return true;
    }

    /// <summary>
    /// Parses one XAddrs item (MS-PCCRD 2.2.3.8): <c>a.b.c.d:port</c>, <c>[v6]:port</c>, or unbracketed <c>v6:port</c>
    /// (wire.md §2.3: emit brackets, accept both; without brackets the last colon starts the port). The port is 1..65535;
    /// IPv4 must be the plain dotted form.
    /// </summary>
    public static bool TryParseEndPoint(ReadOnlySpan<char> item, out IPEndPoint? endPoint)
    {
        endPoint = null;
        int colon = item.LastIndexOf(':');
        if (colon <= 0)
        {
            return false;
        }

        ReadOnlySpan<char> host = item[..colon];
        ReadOnlySpan<char> portText = item[(colon + 1)..];
        if (!ushort.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out ushort port) || port == 0)
        {
            return false;
        }

        IPAddress? address;
        if (host[0] == '[')
        {
            if (host.Length < 3 || host[^1] != ']' || !IPAddress.TryParse(host[1..^1], out address)
                || address.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }
        }
        else if (host.Contains(':'))
        {
            if (!IPAddress.TryParse(host, out address) || address.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }
        }
        else
        {
            // IPAddress.TryParse also takes "1", "0x7f.1" and other historical forms; only a.b.c.d in decimal is an IPv4 XAddr.
            if (!IPAddress.TryParse(host, out address) || address.AddressFamily != AddressFamily.InterNetwork
                || !host.SequenceEqual(address.ToString()))
            {
                return false;
            }
        }

        endPoint = new IPEndPoint(address, port);
        return true;
    }

    /// <summary>
    /// Checks a URI the writers put into element text (MessageID, RelatesTo, Address): not empty, no whitespace (the
    /// readers trim it), only characters XML allows.
    /// </summary>
    public static void ValidateUri(string value, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, paramName);
        ReadOnlySpan<char> rest = value;
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out Rune rune, out int consumed) != System.Buffers.OperationStatus.Done
                || rune.Value <= 0x20 || rune.Value is 0xFFFE or 0xFFFF)
            {
                ThrowHelper.ThrowArgument("The value must be a URI without whitespace, control characters or lone surrogates.", paramName);
            }

            rest = rest[consumed..];
        }
    }

    /// <summary>Whether a value read from the wire is a usable URI: not empty and without whitespace inside.</summary>
    public static bool IsUri(ReadOnlySpan<char> value) => !value.IsEmpty && value.IndexOfAny(Whitespace) < 0;

    /// <summary>Converts a segment age of the extensible blob to a duration (MS-PCCRR 2.2.6.1 <c>SegmentAgeUnits</c>).</summary>
    public static TimeSpan AgeToTimeSpan(uint age, Retrieval.PccrrSegmentAgeUnit units) => units switch
    {
        Retrieval.PccrrSegmentAgeUnit.Seconds => TimeSpan.FromTicks(age * TimeSpan.TicksPerSecond),
        Retrieval.PccrrSegmentAgeUnit.TenthsOfSecond => TimeSpan.FromTicks(age * (TimeSpan.TicksPerSecond / 10)),
        Retrieval.PccrrSegmentAgeUnit.Hundredths => TimeSpan.FromTicks(age * (TimeSpan.TicksPerSecond / 100)),
        _ => TimeSpan.FromTicks(age * TimeSpan.TicksPerMillisecond),
    };
}
