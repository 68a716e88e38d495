namespace PeerDist.Discovery;

/// <summary>Limits of the PCCRD readers (<see cref="PccrdProbe.TryRead(ReadOnlyMemory{byte}, PccrdReaderOptions?, out PccrdProbe?, out PeerDistFormatError, out long)"/>, <see cref="PccrdProbeMatch.TryRead(ReadOnlyMemory{byte}, PccrdReaderOptions?, out PccrdProbeMatch?, out PeerDistFormatError, out long)"/>).</summary>
/// <remarks>
/// A datagram comes from anyone on the link, so every limit is checked before the text is parsed further: the size
/// first, then the number of elements while the XML is read. A DTD, entities and external resources are always refused.
/// </remarks>
public sealed class PccrdReaderOptions
{
    /// <summary>The default size limit: 64 KiB, above the largest UDP payload, so only the element limit bites in practice.</summary>
    public const int DefaultMaxDatagramSize = 64 * 1024;

    /// <summary>The default element limit. A ProbeMatch as Windows or this library writes it has 18 elements.</summary>
    public const int DefaultMaxElementCount = 128;

    private readonly int _maxDatagramSize = DefaultMaxDatagramSize;
    private readonly int _maxElementCount = DefaultMaxElementCount;

    /// <summary>The shared default options.</summary>
    public static PccrdReaderOptions Default { get; } = new();

    /// <summary>The largest datagram, in bytes, that is parsed at all (<see cref="PeerDistFormatError.PccrdDatagramTooLarge"/>).</summary>
    public int MaxDatagramSize
    {
        get => _maxDatagramSize;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxDatagramSize = value;
        }
    }

    /// <summary>The most elements a message may hold (<see cref="PeerDistFormatError.PccrdTooManyElements"/>).</summary>
    public int MaxElementCount
    {
        get => _maxElementCount;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxElementCount = value;
        }
    }
}
