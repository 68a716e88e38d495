namespace PeerDist.Discovery;

/// <summary>The namespaces, element names and fixed values of MS-PCCRD 2.2.1 and 2.2.3 (wire.md §2.2), in one place.</summary>
internal static class PccrdNames
{
    public const string SoapNamespace = "http://www.w3.org/2003/05/soap-envelope";
    public const string AddressingNamespace = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
    public const string DiscoveryNamespace = "http://schemas.xmlsoap.org/ws/2005/04/discovery";
    public const string PeerDistNamespace = "http://schemas.microsoft.com/p2p/2007/09/PeerDistributionDiscovery";

    /// <summary>The <c>Types</c> local names (MS-PCCRD 2.2.3.1).</summary>
    public const string TypeV1 = "PeerDistData";
    public const string TypeV2 = "PeerDistDataV2";

    /// <summary>The Probe <c>MatchBy</c> rules (MS-PCCRD 2.2.3.2, 2.2.3.3).</summary>
    public const string MatchByV1 = "http://schemas.xmlsoap.org/ws/2005/04/discovery/strcmp0";
    public const string MatchByV2 = "http://schemas.microsoft.com/p2p/2010/05/PeerDistV2MatchingRule";

    /// <summary>WS-Discovery addressing values (wire.md §2.2).</summary>
    public const string ProbeTo = "urn:schemas-xmlsoap-org:ws:2005:04:discovery";
    public const string ProbeAction = "http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe";
    public const string ProbeMatchesTo = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous";
    public const string ProbeMatchesAction = "http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches";

    // Element local names.
    public const string Envelope = "Envelope";
    public const string Header = "Header";
    public const string Body = "Body";
    public const string To = "To";
    public const string Action = "Action";
    public const string MessageId = "MessageID";
    public const string RelatesTo = "RelatesTo";
    public const string AppSequence = "AppSequence";
    public const string InstanceId = "InstanceId";
    public const string MessageNumber = "MessageNumber";
    public const string Probe = "Probe";
    public const string ProbeMatches = "ProbeMatches";
    public const string ProbeMatch = "ProbeMatch";
    public const string EndpointReference = "EndpointReference";
    public const string Address = "Address";
    public const string Types = "Types";
    public const string Scopes = "Scopes";
    public const string MatchBy = "MatchBy";
    public const string XAddrs = "XAddrs";
    public const string MetadataVersion = "MetadataVersion";
    public const string PeerDistData = "PeerDistData";
    public const string PeerDistDataV2 = "PeerDistDataV2";
    public const string BlockCount = "BlockCount";
    public const string SegmentAges = "SegmentAges";

    /// <summary>
    /// The XML declaration and the envelope start tag the writers emit, with exactly the prefixes real clients expect
    /// (wire.md §2.6: iPXE searches replies for <c>&lt;wsd:Scopes&gt;</c>, <c>&lt;wsd:XAddrs&gt;</c> and
    /// <c>&lt;PeerDist:BlockCount&gt;</c> as literal text).
    /// </summary>
    public static ReadOnlySpan<byte> EnvelopeStart =>
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:wsa=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" xmlns:wsd=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\" xmlns:PeerDist=\"http://schemas.microsoft.com/p2p/2007/09/PeerDistributionDiscovery\"><soap:Header>"u8;
}
