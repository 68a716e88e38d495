using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using PeerDist.Content;
using PeerDist.Http;

namespace PeerDist.AspNetCore;

/// <summary>A request that may be answered with content information: what was negotiated from its headers (MS-PCCRTP 3.2.5.1).</summary>
/// <param name="Version">The <c>X-P2P-PeerDist</c> version to answer with.</param>
/// <param name="ContentInformationVersion">The content information version to send.</param>
/// <param name="HashRequest">Whether the client sent <c>HashRequest=true</c> (it may wait for generation).</param>
/// <param name="IsHead">Whether the request is a HEAD (answered with the headers only).</param>
internal sealed record PeerDistRequest(PccrtpVersion Version, ContentInformationVersion ContentInformationVersion, bool HashRequest, bool IsHead)
{
    /// <summary>
    /// Reads the PeerDist headers of <paramref name="request"/>. Returns null with <paramref name="reason"/> null when the
    /// request does not speak PeerDist at all, or null with a reason when it does but must get the plain content.
    /// </summary>
    public static PeerDistRequest? Negotiate(HttpRequest request, ContentInformationVersion highest, out PlainReason? reason)
    {
        reason = null;
        bool isHead = HttpMethods.IsHead(request.Method);
        if (!isHead && !HttpMethods.IsGet(request.Method))
        {
            return null;
        }

        StringValues peerDist = request.Headers[PccrtpHeaderNames.PeerDist];
        string? acceptEncoding = request.Headers.AcceptEncoding;
        if (peerDist.Count == 0 && !PccrtpAcceptEncoding.Mentions(acceptEncoding))
        {
            return null; // the fast path: a client that does not speak PeerDist
        }

        // One header line only: two X-P2P-PeerDist lines are not one valid peerdist-params (2.2), so never guess.
        if (peerDist.Count != 1 || !PeerDistHeader.TryParse(peerDist[0], out PeerDistHeader? header))
        {
            reason = InvalidOrNotAccepted(acceptEncoding);
            return null;
        }

        if (header.MissingDataRequest == true)
        {
            // 3.1.5.1: a fallback for data peers did not have; the real content, counted (WPTS MissingContentRetrieval).
            reason = PlainReason.MissingDataRequest;
            return null;
        }

        if (!PccrtpAcceptEncoding.AcceptsPeerDist(acceptEncoding))
        {
            reason = PlainReason.NotAccepted;
            return null;
        }

        if (PccrtpServerRules.NegotiateVersion(header.Version) is not { } version)
        {
            reason = PlainReason.UnsupportedVersion; // WPTS VersionIncompatible: Version=999.999
            return null;
        }

        StringValues ex = request.Headers[PccrtpHeaderNames.PeerDistEx];
        PeerDistExHeader? window = null;
        if (ex.Count > 1 || (ex.Count == 1 && !PeerDistExHeader.TryParse(ex[0], out window)))
        {
            reason = PlainReason.InvalidHeader;
            return null;
        }

        if (PeerDistExHeader.SelectContentInformationVersion(window, highest) is not { } contentInformationVersion)
        {
            reason = PlainReason.UnsupportedContentInformationVersion; // WPTS: MinContentInformation=900.0, MaxContentInformation=999.0
            return null;
        }

        return new PeerDistRequest(version, contentInformationVersion, window?.HashRequest == true, isHead);
    }

    private static PlainReason InvalidOrNotAccepted(string? acceptEncoding) =>
        PccrtpAcceptEncoding.AcceptsPeerDist(acceptEncoding) ? PlainReason.InvalidHeader : PlainReason.NotAccepted;
}
