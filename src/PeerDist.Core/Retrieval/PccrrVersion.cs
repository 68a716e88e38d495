namespace PeerDist.Retrieval;

/// <summary>
/// A PCCRR protocol version (MS-PCCRR 2.2.3 <c>ProtVer</c>, 2.2.4.1 Min/MaxSupportedProtocolVersion). On the wire the bytes
/// are MinorMSB, MinorLSB, MajorMSB, MajorLSB, so read as a big-endian 32-bit value the major version is the low 16 bits.
/// </summary>
/// <remarks>
/// Only the major version decides compatibility (MS-PCCRR 3.1.5.1): two versions with the same <see cref="Major"/> are
/// compatible whatever their minors. Ordering compares the major version, then the minor one.
/// </remarks>
public readonly record struct PccrrVersion(ushort Major, ushort Minor) : IComparable<PccrrVersion>
{
    /// <summary>Version 1.0: every message except <c>MSG_GETSEGLIST</c> / <c>MSG_SEGLIST</c>.</summary>
    public static PccrrVersion V1 => new(1, 0);

    /// <summary>Version 2.0: <c>MSG_GETSEGLIST</c> and <c>MSG_SEGLIST</c>.</summary>
    public static PccrrVersion V2 => new(2, 0);

    /// <summary>The 32-bit value whose big-endian bytes are the wire form (minor in the high half, major in the low half).</summary>
    public uint Encoded => ((uint)Minor << 16) | Major;

    /// <summary>Decodes a <c>ProtVer</c> read as a big-endian 32-bit value.</summary>
    public static PccrrVersion FromEncoded(uint value) => new((ushort)value, (ushort)(value >> 16));

    /// <summary>Whether both versions have the same major version, which is all compatibility depends on.</summary>
    public bool IsCompatibleWith(PccrrVersion other) => Major == other.Major;

    /// <inheritdoc/>
    public int CompareTo(PccrrVersion other) => Major != other.Major ? Major.CompareTo(other.Major) : Minor.CompareTo(other.Minor);

    /// <summary>Compares two versions.</summary>
    public static bool operator <(PccrrVersion left, PccrrVersion right) => left.CompareTo(right) < 0;

    /// <summary>Compares two versions.</summary>
    public static bool operator <=(PccrrVersion left, PccrrVersion right) => left.CompareTo(right) <= 0;

    /// <summary>Compares two versions.</summary>
    public static bool operator >(PccrrVersion left, PccrrVersion right) => left.CompareTo(right) > 0;

    /// <summary>Compares two versions.</summary>
    public static bool operator >=(PccrrVersion left, PccrrVersion right) => left.CompareTo(right) >= 0;

    /// <inheritdoc/>
    public override string ToString() => $"{Major}.{Minor}";
}
