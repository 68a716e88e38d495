using System.Security.Cryptography;

namespace PeerDist.Retrieval.Server;

/// <summary>Settings of a <see cref="PccrrServer"/>; checked when the server is created.</summary>
public sealed record PccrrServerOptions
{
    /// <summary>MS-PCCRR 3.2.1 / appendix note 12: the default active client threshold of a peer.</summary>
    public const int DefaultMaxActiveClients = 64;

    /// <summary>MS-PCCRR appendix note 13: the threshold a Windows hosted cache uses.</summary>
    public const int HostedCacheMaxActiveClients = 1024;

    /// <summary>The shared defaults.</summary>
    public static PccrrServerOptions Default { get; } = new();

    /// <summary>
    /// The algorithm blocks are encrypted with (the server's higher layer chooses; the request's <c>CryptoAlgoId</c> is only
    /// a preference, MS-PCCRR 2.2.3). Default AES-128, the Windows default.
    /// </summary>
    public PccrrCryptoAlgorithm CryptoAlgorithm { get; init; } = PccrrCryptoAlgorithm.Aes128;

    /// <summary>The lowest protocol version supported (<c>MinSupportedProtocolVersion</c>). Default 1.0.</summary>
    public PccrrVersion MinVersion { get; init; } = PccrrVersion.V1;

    /// <summary>The highest protocol version supported (<c>MaxSupportedProtocolVersion</c>). Default 2.0 (<c>MSG_GETSEGLIST</c>).</summary>
    public PccrrVersion MaxVersion { get; init; } = PccrrVersion.V2;

    /// <summary>The active client count at which requests get empty answers (MS-PCCRR 3.2.1). Default 64; at least 1.</summary>
    public int MaxActiveClients { get; init; } = DefaultMaxActiveClients;

    /// <summary>The source of per-block IVs. Default <see cref="RandomNumberGenerator.Fill"/>.</summary>
    public RandomBytesGenerator RandomFill { get; init; } = RandomNumberGenerator.Fill;

    /// <summary>The request decoder's limits. Default <see cref="PccrrReaderOptions.Default"/>.</summary>
    public PccrrReaderOptions ReaderOptions { get; init; } = PccrrReaderOptions.Default;
}
