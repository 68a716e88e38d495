namespace PeerDist.Hosting;

/// <summary>Why a <see cref="PeerDistNode"/> could not start; carried by <see cref="PeerDistNodeStartException"/>.</summary>
public enum PeerDistNodeStartError
{
    /// <summary>No reason recorded.</summary>
    Unknown = 0,

    /// <summary>A PCCRR listen endpoint is already in use by another socket.</summary>
    PortInUse,

    /// <summary>Binding a PCCRR listen endpoint was refused (on Linux, ports below 1024 need a privilege).</summary>
    PortAccessDenied,

    /// <summary>A PCCRR listen address is not an address of this machine.</summary>
    AddressNotAvailable,

    /// <summary>The cache directory is open by another node or cache instance.</summary>
    CacheLocked,

    /// <summary>A named discovery interface does not exist.</summary>
    UnknownInterface,

    /// <summary>The discovery socket could not be opened or the multicast groups not joined.</summary>
    DiscoveryUnavailable,

    /// <summary>The hosted cache's certificate has no private key, so it cannot serve TLS.</summary>
    CertificateWithoutPrivateKey,

    /// <summary>The hosted cache's certificate cannot be used: expired, not yet valid, or unreadable.</summary>
    CertificateInvalid,
}
