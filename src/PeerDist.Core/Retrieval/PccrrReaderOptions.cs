namespace PeerDist.Retrieval;

/// <summary>Limits and strictness switches of the PCCRR readers. The defaults are the limits of MS-PCCRR 2.2.3.</summary>
public sealed class PccrrReaderOptions
{
    /// <summary>The largest request MS-PCCRR 2.2.3 allows (<c>MsgSize</c> 16..98,304).</summary>
    public const int DefaultMaxRequestMessageSize = 98_304;

    /// <summary>The largest response MS-PCCRR 2.2.3 allows (<c>MsgSize</c> 16..393,216; a V2 segment of 128 KiB needs it).</summary>
    public const int DefaultMaxResponseMessageSize = 393_216;

    private readonly int _maxRequestMessageSize = DefaultMaxRequestMessageSize;
    private readonly int _maxResponseMessageSize = DefaultMaxResponseMessageSize;

    /// <summary>The shared default options.</summary>
    public static PccrrReaderOptions Default { get; } = new();

    /// <summary>The largest request <c>MsgSize</c> accepted; checked on the header, before the body is buffered.</summary>
    public int MaxRequestMessageSize
    {
        get => _maxRequestMessageSize;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, PccrrMessageHeader.Size);
            _maxRequestMessageSize = value;
        }
    }

    /// <summary>The largest response <c>MsgSize</c> accepted; checked on the headers, before the body is buffered.</summary>
    public int MaxResponseMessageSize
    {
        get => _maxResponseMessageSize;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, PccrrMessageHeader.Size);
            _maxResponseMessageSize = value;
        }
    }

    /// <summary>
    /// Reject <c>ZeroPad</c> bytes that are not zero (<see cref="PeerDistFormatError.NonZeroPadding"/>). Off by default:
    /// MS-PCCRR 2.2 says the padding is zero, but nothing records that Windows always writes zeros (wire.md §1.2 only
    /// describes the layout), and the padding carries no meaning, so the reader skips it unless asked to check. Writers
    /// always write zeros.
    /// </summary>
    public bool RequireZeroPadding { get; init; }
}
