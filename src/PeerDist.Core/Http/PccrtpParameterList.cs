namespace PeerDist.Http;

/// <summary>
/// Walks the <c>name=value</c> list of the PeerDist headers (MS-PCCRTP 2.2): items separated by commas, optional white
/// space around items (real clients send both <c>Version=1.0, MissingDataRequest=true</c> and
/// <c>Version=1.0,MissingDataRequest=true</c>), names compared case-insensitively. An item without a name or without
/// <c>=</c>, or an empty list, makes the whole header invalid.
/// </summary>
internal static class PccrtpParameterList
{
    /// <summary>Receives one parameter; returns false when the value is invalid for that name.</summary>
    public delegate bool ParameterHandler(ReadOnlySpan<char> name, ReadOnlySpan<char> value);

    public static bool TryRead(ReadOnlySpan<char> list, ParameterHandler handler)
    {
        list = list.Trim(" \t");
        if (list.IsEmpty)
        {
            return false;
        }

        foreach (Range item in list.Split(','))
        {
            ReadOnlySpan<char> parameter = list[item].Trim(" \t");
            int equals = parameter.IndexOf('=');
            if (equals <= 0)
            {
                return false;
            }

            ReadOnlySpan<char> name = parameter[..equals].TrimEnd(" \t");
            ReadOnlySpan<char> value = parameter[(equals + 1)..].TrimStart(" \t");
            if (name.IsEmpty || !handler(name, value))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><c>true</c> or <c>false</c>, case-insensitively; anything else (the WPTS <c>InvalidValue</c>) is invalid.</summary>
    public static bool TryParseBoolean(ReadOnlySpan<char> value, out bool result)
    {
        if (value.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            result = true;
            return true;
        }

        result = false;
        return value.Equals("false", StringComparison.OrdinalIgnoreCase);
    }

    public static bool Is(ReadOnlySpan<char> name, string expected) => name.Equals(expected, StringComparison.OrdinalIgnoreCase);
}
