using Microsoft.Extensions.Logging;

namespace PeerDist.AspNetCore;

/// <summary>The middleware's log messages (source-generated).</summary>
internal static partial class PeerDistOriginLog
{
    [LoggerMessage(101, LogLevel.Debug, "Answered {Path} with {Version} content information for {Range} ({Bytes} bytes).")]
    public static partial void AnsweredPeerDist(ILogger logger, string path, Content.ContentInformationVersion version, Content.ContentRange range, int bytes);

    [LoggerMessage(102, LogLevel.Debug, "Content information for {Path} is not ready; plain content with MakeHashRequest=true.")]
    public static partial void NotReady(ILogger logger, string path);

    [LoggerMessage(103, LogLevel.Debug, "Plain content for {Path}: {Reason}.")]
    public static partial void Plain(ILogger logger, string path, PlainReason reason);

    [LoggerMessage(104, LogLevel.Warning, "Content information for {Path} could not be read; plain content sent.")]
    public static partial void LookupFailed(ILogger logger, string path, Exception exception);
}
