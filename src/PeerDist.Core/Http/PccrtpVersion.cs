using System.Globalization;
using System.Numerics;

namespace PeerDist.Http;

/// <summary>
/// A version in the MS-PCCRTP headers, <c>major.minor</c> (2.2): the <c>Version</c> of <c>X-P2P-PeerDist</c> and the
/// content information window of <c>X-P2P-PeerDistEx</c>. Major and minor compare as separate integers, so 1.23 is
/// later than 1.3.
/// </summary>
/// <param name="Major">The major version, 0 or more.</param>
/// <param name="Minor">The minor version, 0 or more.</param>
public readonly record struct PccrtpVersion(int Major, int Minor) : IComparable<PccrtpVersion>, IComparisonOperators<PccrtpVersion, PccrtpVersion, bool>
{
    /// <summary>The most digits of one part that are accepted (keeps the part inside <see cref="int"/>).</summary>
    private const int MaxDigits = 9;

    /// <summary>Version 1.0: PeerDist 1.0 (Windows 7 / 2008 R2), or content information version 1.0 (MS-PCCRC 2.3).</summary>
    public static PccrtpVersion V10 { get; } = new(1, 0);

    /// <summary>Version 1.1: PeerDist 1.1 (Windows 8 / 2012 and later, adds <c>X-P2P-PeerDistEx</c>).</summary>
    public static PccrtpVersion V11 { get; } = new(1, 1);

    /// <summary>Version 2.0: content information version 2.0 (MS-PCCRC 2.4).</summary>
    public static PccrtpVersion V20 { get; } = new(2, 0);

    /// <summary>
    /// Parses <c>digits "." digits</c> exactly: no sign, no white space, no missing part, at most nine digits per part.
    /// Anything else is not a version (the caller treats the header as invalid; nothing is guessed).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out PccrtpVersion version)
    {
        version = default;
        int dot = text.IndexOf('.');
        if (dot < 0 ||
            !TryParsePart(text[..dot], out int major) ||
            !TryParsePart(text[(dot + 1)..], out int minor))
        {
            return false;
        }

        version = new PccrtpVersion(major, minor);
        return true;
    }

    /// <inheritdoc/>
    public int CompareTo(PccrtpVersion other)
    {
        int major = Major.CompareTo(other.Major);
        return major != 0 ? major : Minor.CompareTo(other.Minor);
    }

    /// <summary>The <c>major.minor</c> form used on the wire.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}");

    /// <inheritdoc/>
    public static bool operator <(PccrtpVersion left, PccrtpVersion right) => left.CompareTo(right) < 0;

    /// <inheritdoc/>
    public static bool operator >(PccrtpVersion left, PccrtpVersion right) => left.CompareTo(right) > 0;

    /// <inheritdoc/>
    public static bool operator <=(PccrtpVersion left, PccrtpVersion right) => left.CompareTo(right) <= 0;

    /// <inheritdoc/>
    public static bool operator >=(PccrtpVersion left, PccrtpVersion right) => left.CompareTo(right) >= 0;

    private static bool TryParsePart(ReadOnlySpan<char> digits, out int value)
    {
        value = 0;
        if (digits.IsEmpty || digits.Length > MaxDigits)
        {
            return false;
        }

        foreach (char c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}
