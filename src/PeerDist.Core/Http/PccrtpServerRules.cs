namespace PeerDist.Http;

/// <summary>How a content server that speaks PeerDist 1.0 and 1.1 answers a client's version (MS-PCCRTP 3.2.5.1).</summary>
public static class PccrtpServerRules
{
    /// <summary>
    /// The version to put in a peerdist response's <c>X-P2P-PeerDist</c>: 1.0 to a 1.0 client, 1.1 to a 1.1 (or later
    /// 1.x) client, as Windows Server 2012 and later do; null when the major version is not 1 (the WPTS
    /// <c>Version=999.999</c> case): the server must send the real content then.
    /// </summary>
    public static PccrtpVersion? NegotiateVersion(PccrtpVersion client)
    {
        if (client.Major != 1)
        {
            return null;
        }

        return client.Minor == 0 ? PccrtpVersion.V10 : PccrtpVersion.V11;
    }
}
