using System.Buffers.Binary;

namespace PeerDist.Retrieval;

/// <summary>
/// MS-PCCRR 2.2.6 / 2.2.6.1 extensible blob, version 1: segment ages, carried in <c>MSG_GETSEGLIST</c>,
/// <c>MSG_SEGLIST</c> and (base64) the PCCRD v2 <c>SegmentAges</c> element.
/// </summary>
/// <remarks>
/// Checked in the order of 2.2.6: at least 2 bytes; version 1 (big-endian WORD); at least 4 bytes; units 1..4; at least
/// 4·(SegmentAgeCount + 1) bytes. A receiver discards a blob that fails (not the message that carries it). Bytes after
/// the declared ages are allowed, since 2.2.6.1 only requires the size to be at least that; they are ignored.
/// </remarks>
public readonly struct PccrrSegmentAgeBlob
{
    /// <summary>The only blob version defined (<c>ExtensibleBlobVersion</c>).</summary>
    public const ushort BlobVersion = 1;

    /// <summary>The fixed part: version, units, count.</summary>
    public const int HeaderLength = 4;

    /// <summary>Creates a blob.</summary>
    /// <exception cref="ArgumentException">The units are not 1..4, there are more than 255 ages, or an age does not fit 24 bits.</exception>
    public PccrrSegmentAgeBlob(PccrrSegmentAgeUnit units, ReadOnlyMemory<PccrrSegmentAge> ages)
    {
        if (units is < PccrrSegmentAgeUnit.Seconds or > PccrrSegmentAgeUnit.Milliseconds)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(units), "The units are 1..4 (MS-PCCRR 2.2.6.1).");
        }

        if (ages.Length > byte.MaxValue)
        {
            ThrowHelper.ThrowArgument("A blob holds at most 255 ages.", nameof(ages));
        }

        foreach (PccrrSegmentAge age in ages.Span)
        {
            if (age.Age > PccrrSegmentAge.MaxAge)
            {
                ThrowHelper.ThrowArgument("An age must fit 24 bits.", nameof(ages));
            }
        }

        Units = units;
        Ages = ages;
    }

    /// <summary><c>SegmentAgeUnits</c>.</summary>
    public PccrrSegmentAgeUnit Units { get; }

    /// <summary>The <c>SegmentAges</c> (count from <c>SegmentAgeCount</c>).</summary>
    public ReadOnlyMemory<PccrrSegmentAge> Ages { get; }

    /// <summary>Decodes a blob.</summary>
    /// <exception cref="PeerDistFormatException">The blob is not a valid version 1 blob.</exception>
    public static PccrrSegmentAgeBlob Read(ReadOnlySpan<byte> blob)
    {
        if (!TryRead(blob, out PccrrSegmentAgeBlob value, out PeerDistFormatError error, out long offset))
        {
            ThrowHelper.ThrowFormat(error, offset);
        }

        return value;
    }

    /// <summary>Decodes a blob without throwing for bad data; on failure the caller discards the blob (MS-PCCRR 2.2.6).</summary>
    public static bool TryRead(ReadOnlySpan<byte> blob, out PccrrSegmentAgeBlob value, out PeerDistFormatError error, out long errorOffset)
    {
        value = default;
        error = PeerDistFormatError.InvalidExtensibleBlob;
        errorOffset = 0;
        if (blob.Length < 2)
        {
            return false;
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(blob) != BlobVersion) // MS-PCCRR 2.2.6: ExtensibleBlobVersion
        {
            error = PeerDistFormatError.UnsupportedVersion;
            return false;
        }

        if (blob.Length < HeaderLength)
        {
            errorOffset = 2;
            return false;
        }

        var units = (PccrrSegmentAgeUnit)blob[2]; // MS-PCCRR 2.2.6.1: SegmentAgeUnits
        if (units is < PccrrSegmentAgeUnit.Seconds or > PccrrSegmentAgeUnit.Milliseconds)
        {
            errorOffset = 2;
            return false;
        }

        int count = blob[3]; // SegmentAgeCount
        if (blob.Length < PccrrSegmentAge.Size * (count + 1))
        {
            errorOffset = 3;
            return false;
        }

        var ages = new PccrrSegmentAge[count];
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> entry = blob.Slice(HeaderLength + (i * PccrrSegmentAge.Size), PccrrSegmentAge.Size);
            uint age = entry[1] | ((uint)entry[2] << 8) | ((uint)entry[3] << 16); // MS-PCCRR 2.2.1.5: AgeLow, AgeMid, AgeHigh (24-bit LE)
            ages[i] = new PccrrSegmentAge(entry[0], age);
        }

        value = new PccrrSegmentAgeBlob(units, ages);
        error = PeerDistFormatError.Unknown;
        return true;
    }

    /// <summary>The number of bytes <see cref="TryWrite"/> writes.</summary>
    public int GetEncodedLength() => HeaderLength + (Ages.Length * PccrrSegmentAge.Size);

    /// <summary>Encodes the blob; false (nothing written) when <paramref name="destination"/> is too small.</summary>
    public bool TryWrite(Span<byte> destination, out int bytesWritten)
    {
        int length = GetEncodedLength();
        if (destination.Length < length)
        {
            bytesWritten = 0;
            return false;
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, BlobVersion); // MS-PCCRR 2.2.6: ExtensibleBlobVersion
        destination[2] = (byte)Units; // MS-PCCRR 2.2.6.1: SegmentAgeUnits
        destination[3] = (byte)Ages.Length; // SegmentAgeCount
        int at = HeaderLength;
        foreach (PccrrSegmentAge age in Ages.Span)
        {
            destination[at] = age.SegmentIndex; // MS-PCCRR 2.2.1.5: SegmentIndex
            destination[at + 1] = (byte)age.Age; // AgeLow
            destination[at + 2] = (byte)(age.Age >> 8); // AgeMid
            destination[at + 3] = (byte)(age.Age >> 16); // AgeHigh
            at += PccrrSegmentAge.Size;
        }

        bytesWritten = length;
        return true;
    }

    /// <summary>Encodes the blob into a new array (allocates; for building messages, not for the hot path).</summary>
    public byte[] ToArray()
    {
        byte[] bytes = new byte[GetEncodedLength()];
        TryWrite(bytes, out _);
        return bytes;
    }
}
