using Microsoft.Extensions.Logging;

namespace PeerDist.Publishing;

/// <summary>The publisher's log messages (source-generated, no allocation when the level is off).</summary>
internal static partial class ContentPublisherLog
{
    [LoggerMessage(1, LogLevel.Debug, "Generating content information for {ContentId} ({Validator}).")]
    public static partial void GenerationStarted(ILogger logger, string contentId, ContentValidator validator);

    [LoggerMessage(2, LogLevel.Information, "Published {ContentId}: {Length} bytes hashed in {ElapsedMilliseconds} ms.")]
    public static partial void GenerationCompleted(ILogger logger, string contentId, long length, long elapsedMilliseconds);

    [LoggerMessage(3, LogLevel.Warning, "Generating content information for {ContentId} failed.")]
    public static partial void GenerationFailed(ILogger logger, string contentId, Exception exception);

    [LoggerMessage(4, LogLevel.Debug, "Generating content information for {ContentId} was canceled.")]
    public static partial void GenerationCanceled(ILogger logger, string contentId);

    [LoggerMessage(5, LogLevel.Information, "Stored content information for {ContentId} is stale ({Stored}, now {Current}); dropped.")]
    public static partial void EntryInvalidated(ILogger logger, string contentId, ContentValidator stored, ContentValidator current);

    [LoggerMessage(6, LogLevel.Information, "Unpublished {ContentId}.")]
    public static partial void Unpublished(ILogger logger, string contentId);
}
