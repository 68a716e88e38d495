namespace PeerDist.Tests.Client;

/// <summary>Where a <see cref="DisconnectingPeer"/> closes the connection.</summary>
public enum DisconnectPoint
{
    /// <summary>After the whole response head (200, Content-Length of the real body), before any body byte.</summary>
    AfterHead,

    /// <summary>After the head and the first half of the real <c>MSG_BLK</c> body.</summary>
    MidBody,
}
