namespace PeerDist.Client;

/// <summary>Where the bytes of a block came from.</summary>
public enum BlockDataSource
{
    /// <summary>The local content cache.</summary>
    LocalCache,

    /// <summary>A peer or a hosted cache over MS-PCCRR.</summary>
    Peer,

    /// <summary>The origin fallback.</summary>
    Origin,

    /// <summary>The caller, through <see cref="PeerDistContent.AddDataAsync"/>.</summary>
    Caller,
}
