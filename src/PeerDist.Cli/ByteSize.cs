using System.Globalization;

namespace PeerDist.Cli;

/// <summary>Sizes on the command line (<c>--cache-size 20GiB</c>) and in output (<c>1.5 GiB</c>); every unit is a power of 1024.</summary>
internal static class ByteSize
{
    private static readonly (string Suffix, long Factor)[] s_units =
    [
        ("TiB", 1L << 40), ("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10),
        ("T", 1L << 40), ("G", 1L << 30), ("M", 1L << 20), ("K", 1L << 10),
        ("B", 1),
    ];

    /// <summary>Parses "1234", "64K", "512MiB", "20G" (case-insensitive); false when malformed, not positive or too large.</summary>
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        string trimmed = text.Trim();
        long factor = 1;
        foreach ((string suffix, long unit) in s_units)
        {
            if (trimmed.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                trimmed = trimmed[..^suffix.Length].TrimEnd();
                factor = unit;
                break;
            }
        }

        if (!decimal.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal number) || number <= 0)
        {
            return false;
        }

        decimal total = number * factor;
        if (total > long.MaxValue || total < 1)
        {
            return false;
        }

        bytes = (long)total;
        return true;
    }

    /// <summary>"123 bytes", "64.0 KiB", "1.50 GiB".</summary>
    public static string Format(long bytes)
    {
        if (bytes < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " bytes";
        }

        foreach ((string suffix, long unit) in s_units[..4])
        {
            if (bytes >= unit)
            {
                return ((double)bytes / unit).ToString("0.00", CultureInfo.InvariantCulture) + " " + suffix;
            }
        }

        return bytes.ToString(CultureInfo.InvariantCulture) + " bytes";
    }
}
