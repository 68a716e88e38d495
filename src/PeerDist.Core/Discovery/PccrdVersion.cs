namespace PeerDist.Discovery;

/// <summary>
/// The PCCRD message format (MS-PCCRD 2.2.2): version 1.0 for content described by Content Information 1.0, version 2.0
/// for Content Information 2.0. The <c>Types</c> element of a message says which one it is (MS-PCCRD 2.2.3.1).
/// </summary>
public enum PccrdVersion
{
    /// <summary>Version 1.0: <c>PeerDist:PeerDistData</c>, hex scopes, <c>strcmp0</c>, <c>BlockCount</c>.</summary>
    V1 = 1,

    /// <summary>Version 2.0: <c>PeerDist:PeerDistDataV2</c>, base64 scopes, <c>PeerDistV2MatchingRule</c>, <c>SegmentAges</c>.</summary>
    V2 = 2,
}
