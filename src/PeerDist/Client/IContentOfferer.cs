using PeerDist.Content;

namespace PeerDist.Client;

/// <summary>
/// Receives the segments a download completed with bytes from the origin, so they can be offered to a hosted cache
/// (MS-PCHC 3.2). Called on the download's path: an implementation only queues and returns at once, never blocking or
/// throwing into the application's read.
/// </summary>
public interface IContentOfferer
{
    /// <summary>Queues <paramref name="segment"/> of <paramref name="information"/> for offering.</summary>
    void OfferSegment(ContentInformation information, ContentSegment segment);
}
