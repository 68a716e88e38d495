namespace PeerDist.Retrieval.Client;

/// <summary>Settings of a <see cref="PccrrClient"/>. The defaults are those of MS-PCCRR 3.1 and the Windows notes (wire.md §1.7, §1.10).</summary>
public sealed class PccrrClientOptions
{
    private readonly TimeSpan _requestTimeout = TimeSpan.FromSeconds(2);
    private readonly int _simpleDownloadThreshold = 4;
    private readonly PccrrVersion _minVersion = PccrrVersion.V1;
    private readonly PccrrVersion _maxVersion = PccrrVersion.V2;

    /// <summary>Shared default options.</summary>
    public static PccrrClientOptions Default { get; } = new();

    /// <summary>
    /// The <c>CryptoAlgoId</c> asked for in requests. Only a preference (MS-PCCRR 2.2.3): the server picks, and the client
    /// decrypts whatever <c>MSG_BLK</c> says. Default AES-128, what Windows and iPXE ask for.
    /// </summary>
    public PccrrCryptoAlgorithm CryptoAlgorithm { get; init; } = PccrrCryptoAlgorithm.Aes128;

    /// <summary>The lowest protocol version this client speaks (<c>MinSupportedProtocolVersion</c>); default 1.0.</summary>
    public PccrrVersion MinVersion
    {
        get => _minVersion;
        init
        {
            ArgumentOutOfRangeException.ThrowIfEqual(value.Major, (ushort)0, nameof(MinVersion));
            _minVersion = value;
        }
    }

    /// <summary>The highest protocol version this client speaks (<c>MaxSupportedProtocolVersion</c>); default 2.0.</summary>
    public PccrrVersion MaxVersion
    {
        get => _maxVersion;
        init
        {
            ArgumentOutOfRangeException.ThrowIfEqual(value.Major, (ushort)0, nameof(MaxVersion));
            _maxVersion = value;
        }
    }

    /// <summary>The Request Timer of MS-PCCRR 3.1 (wire.md §1.7): how long one exchange may take. Default 2 s (Windows note &lt;9&gt;).</summary>
    public TimeSpan RequestTimeout
    {
        get => _requestTimeout;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _requestTimeout = value;
        }
    }

    /// <summary>The clock of the Request Timer; tests pass a fake one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Runs of at least this many consecutive blocks are fetched <c>MSG_GETBLKLIST</c> first; shorter runs go straight to
    /// <c>MSG_GETBLKS</c> ("simple download", MS-PCCRR 3.1 and 4.2; Windows note &lt;10&gt;: fewer than 4 blocks). Default 4.
    /// </summary>
    public int SimpleDownloadThreshold
    {
        get => _simpleDownloadThreshold;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _simpleDownloadThreshold = value;
        }
    }

    /// <summary>The limits applied to responses (default: those of MS-PCCRR 2.2.3).</summary>
    public PccrrReaderOptions ReaderOptions { get; init; } = PccrrReaderOptions.Default;
}
