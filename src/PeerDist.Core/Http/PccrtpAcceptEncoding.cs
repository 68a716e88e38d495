namespace PeerDist.Http;

/// <summary>
/// The <c>peerdist</c> coding in <c>Accept-Encoding</c> (MS-PCCRTP 2.2, RFC 9110 12.5.3): a comma list of codings,
/// each with an optional <c>;q=</c> weight.
/// </summary>
public static class PccrtpAcceptEncoding
{
    /// <summary>
    /// Whether the value lists <c>peerdist</c> (case-insensitively) with a weight above zero. A malformed weight makes
    /// that item unacceptable rather than guessed; <c>*</c> does not count, since a client must name peerdist and send
    /// <c>X-P2P-PeerDist</c> (3.1.5.1).
    /// </summary>
    public static bool AcceptsPeerDist(string? acceptEncoding)
    {
        if (string.IsNullOrEmpty(acceptEncoding))
        {
            return false;
        }

        ReadOnlySpan<char> list = acceptEncoding;
        foreach (Range item in list.Split(','))
        {
            ReadOnlySpan<char> coding = list[item];
            int semicolon = coding.IndexOf(';');
            ReadOnlySpan<char> token = (semicolon < 0 ? coding : coding[..semicolon]).Trim(" \t");
            if (!token.Equals(PccrtpHeaderNames.ContentCoding, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (semicolon < 0 || IsPositiveWeight(coding[(semicolon + 1)..]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <c>peerdist</c> appears at all, with any weight (a caller that refused it with <c>q=0</c> is left alone).</summary>
    public static bool Mentions(string? acceptEncoding)
    {
        if (string.IsNullOrEmpty(acceptEncoding))
        {
            return false;
        }

        ReadOnlySpan<char> list = acceptEncoding;
        foreach (Range item in list.Split(','))
        {
            ReadOnlySpan<char> coding = list[item];
            int semicolon = coding.IndexOf(';');
            if ((semicolon < 0 ? coding : coding[..semicolon]).Trim(" \t").Equals(PccrtpHeaderNames.ContentCoding, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The value with <c>peerdist</c> appended (<c>gzip, deflate</c> becomes <c>gzip, deflate, peerdist</c>), unless it is mentioned already.</summary>
    public static string AddPeerDist(string? acceptEncoding)
    {
        if (string.IsNullOrWhiteSpace(acceptEncoding))
        {
            return PccrtpHeaderNames.ContentCoding;
        }

        return Mentions(acceptEncoding) ? acceptEncoding : acceptEncoding.TrimEnd(' ', '\t', ',') + ", " + PccrtpHeaderNames.ContentCoding;
    }

    /// <summary>The parameters after a coding: a <c>q</c> weight of 0.001 to 1 is positive; 0, 0.0… or garbage is not.</summary>
    private static bool IsPositiveWeight(ReadOnlySpan<char> parameters)
    {
        foreach (Range part in parameters.Split(';'))
        {
            ReadOnlySpan<char> parameter = parameters[part].Trim(" \t");
            if (parameter.Length < 2 || (parameter[0] is not ('q' or 'Q')) || parameter[1..].TrimStart(" \t") is not ['=', ..])
            {
                continue;
            }

            ReadOnlySpan<char> weight = parameter[1..].TrimStart(" \t")[1..].Trim(" \t");
            return IsValidWeight(weight) && weight.ContainsAnyInRange('1', '9');
        }

        return true; // no weight: 1
    }

    /// <summary>RFC 9110 qvalue: <c>0[.ddd]</c> or <c>1[.000]</c>.</summary>
    private static bool IsValidWeight(ReadOnlySpan<char> weight)
    {
        if (weight.IsEmpty || weight[0] is not ('0' or '1'))
        {
            return false;
        }

        if (weight.Length == 1)
        {
            return true;
        }

        ReadOnlySpan<char> fraction = weight[1..];
        if (fraction[0] != '.' || fraction.Length > 4)
        {
            return false;
        }

        foreach (char c in fraction[1..])
        {
            if (!char.IsAsciiDigit(c) || (weight[0] == '1' && c != '0'))
            {
                return false;
            }
        }

        return true;
    }
}
