namespace PeerDist.AspNetCore;

/// <summary>Why a request that spoke PeerDist got the plain content (the <c>reason</c> tag of the plain-response counter).</summary>
internal enum PlainReason
{
    /// <summary><c>Accept-Encoding</c> does not list peerdist with a positive weight.</summary>
    NotAccepted,

    /// <summary><c>X-P2P-PeerDist</c> is missing or malformed (e.g. <c>MissingDataRequest=InvalidValue</c>), or <c>X-P2P-PeerDistEx</c> is malformed.</summary>
    InvalidHeader,

    /// <summary>The PeerDist version is not one this server speaks (major version other than 1).</summary>
    UnsupportedVersion,

    /// <summary>No content information version this server makes lies in the client's window.</summary>
    UnsupportedContentInformationVersion,

    /// <summary>A missing-data request (<c>MissingDataRequest=true</c>).</summary>
    MissingDataRequest,

    /// <summary>The response is not eligible: not a file, an endpoint that did not opt in, no validator, or not 200/206.</summary>
    NotEligible,

    /// <summary>The content is shorter than the configured minimum.</summary>
    TooSmall,

    /// <summary>The content information is not generated yet (<c>MakeHashRequest=true</c> sent).</summary>
    NotGenerated,
}
