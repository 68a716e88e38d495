using Microsoft.Extensions.Logging;

namespace PeerDist.Http;

/// <summary>
/// The log events of <see cref="PeerDistHttpHandler"/> (source-generated, so a disabled level costs nothing): where the
/// bytes of each download came from, and every fallback with its reason.
/// </summary>
internal static partial class PeerDistHttpLog
{
    [LoggerMessage(EventId = 1, EventName = "PeerDistNotAdvertised", Level = LogLevel.Debug, Message = "{Method} {Uri} is sent without peerdist: {Reason}.")]
    public static partial void NotAdvertised(ILogger logger, HttpMethod method, Uri? uri, string reason);

    [LoggerMessage(EventId = 2, EventName = "PeerDistPlainResponse", Level = LogLevel.Debug, Message = "{Uri}: the origin answered {StatusCode} without peerdist; passed through.")]
    public static partial void PlainResponse(ILogger logger, Uri uri, int statusCode);

    [LoggerMessage(
        EventId = 3,
        EventName = "PeerDistResponse",
        Level = LogLevel.Information,
        Message = "{Uri}: peerdist response, content information {Version} ({InformationLength} bytes) for {ContentLength} bytes; reading from the local cache, peers and the origin.")]
    public static partial void PeerDistResponse(ILogger logger, Uri uri, Content.ContentInformationVersion version, int informationLength, long contentLength);

    [LoggerMessage(
        EventId = 4,
        EventName = "PeerDistFallback",
        Level = LogLevel.Warning,
        Message = "{Uri}: the peerdist response cannot be used ({Reason}: {Detail}); fetching the resource again without peerdist.")]
    public static partial void Fallback(ILogger logger, Uri uri, PeerDistFallbackReason reason, string detail);

    [LoggerMessage(EventId = 5, EventName = "PeerDistOriginRange", Level = LogLevel.Debug, Message = "{Uri}: missing-data request to the origin for bytes {First}-{Last}.")]
    public static partial void OriginRangeRequest(ILogger logger, Uri uri, long first, long last);

    [LoggerMessage(
        EventId = 6,
        EventName = "PeerDistDownloadClosed",
        Level = LogLevel.Information,
        Message = "{Uri}: peerdist download closed: {FromCache} bytes from the local cache, {FromPeers} from peers, {FromOrigin} from the origin, {Rejected} blocks rejected, after {ElapsedMilliseconds:F0} ms.")]
    public static partial void DownloadClosed(ILogger logger, Uri uri, long fromCache, long fromPeers, long fromOrigin, long rejected, double elapsedMilliseconds);

    [LoggerMessage(EventId = 7, EventName = "PeerDistHashRequestSent", Level = LogLevel.Debug, Message = "{Uri}: the origin asked for a hash request (MakeHashRequest=true); sending it.")]
    public static partial void HashRequestSent(ILogger logger, Uri uri);

    [LoggerMessage(EventId = 8, EventName = "PeerDistHashRequestAnswered", Level = LogLevel.Debug, Message = "{Uri}: the hash request was answered {StatusCode}.")]
    public static partial void HashRequestAnswered(ILogger logger, Uri uri, int statusCode);

    [LoggerMessage(EventId = 9, EventName = "PeerDistHashRequestSkipped", Level = LogLevel.Debug, Message = "{Uri}: hash request not sent: {Reason}.")]
    public static partial void HashRequestSkipped(ILogger logger, Uri uri, string reason);

    [LoggerMessage(EventId = 10, EventName = "PeerDistHashRequestFailed", Level = LogLevel.Information, Message = "{Uri}: the hash request failed: {Error}.")]
    public static partial void HashRequestFailed(ILogger logger, Uri uri, string error);
}
