namespace PeerDist.Http;

/// <summary>Why <see cref="PeerDistHttpHandler"/> could not use a peerdist response and fetched the resource plain instead.</summary>
internal enum PeerDistFallbackReason
{
    /// <summary>Not a reason; the default value.</summary>
    Unknown = 0,

    /// <summary>A peerdist-coded response with a status other than 200.</summary>
    UnexpectedStatus,

    /// <summary><c>Content-Encoding</c> lists peerdist together with other codings (MS-PCCRTP defines peerdist alone).</summary>
    StackedContentCoding,

    /// <summary><c>X-P2P-PeerDist</c> is missing or invalid (MS-PCCRTP 2.2).</summary>
    InvalidPeerDistHeader,

    /// <summary><c>X-P2P-PeerDist</c> names a version whose major is not 1.</summary>
    UnsupportedVersion,

    /// <summary><c>X-P2P-PeerDist</c> has no <c>ContentLength</c> (MUST on a peerdist response, 3.2.5.1).</summary>
    MissingContentLength,

    /// <summary>The content information is larger than <see cref="PeerDistHttpHandlerOptions.MaxContentInformationBytes"/>.</summary>
    ContentInformationTooLarge,

    /// <summary>The body is not a valid MS-PCCRC content information.</summary>
    MalformedContentInformation,

    /// <summary>The content information does not describe the whole content of <c>ContentLength</c> bytes.</summary>
    LengthMismatch,

    /// <summary>The download client is shut down, or could not open the content (for instance its cache failed).</summary>
    ClientUnavailable,
}
