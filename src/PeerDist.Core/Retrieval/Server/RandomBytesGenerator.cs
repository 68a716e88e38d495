namespace PeerDist.Retrieval.Server;

/// <summary>
/// Fills <paramref name="destination"/> with unpredictable bytes (the per-block IV of MS-PCCRR 5.1). The default is
/// <see cref="System.Security.Cryptography.RandomNumberGenerator.Fill"/>; tests inject a deterministic one.
/// </summary>
public delegate void RandomBytesGenerator(Span<byte> destination);
