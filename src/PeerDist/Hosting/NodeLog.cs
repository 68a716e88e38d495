using System.Net;
using Microsoft.Extensions.Logging;
using PeerDist.Retrieval.Server;

namespace PeerDist.Hosting;

/// <summary>The node's log messages, in one place (source-generated: nothing is formatted unless the level is on).</summary>
internal static partial class NodeLog
{
    [LoggerMessage(1, LogLevel.Information, "PeerDist node starting in {Mode} mode; cache: {Cache}")]
    public static partial void Starting(ILogger logger, PeerDistNodeMode mode, string cache);

    [LoggerMessage(2, LogLevel.Information, "PeerDist node serving MS-PCCRR on {EndPoints}")]
    public static partial void Listening(ILogger logger, string endPoints);

    [LoggerMessage(3, LogLevel.Information, "PeerDist discovery (MS-PCCRD) on {Interfaces}, port {Port}, advertising {XAddrs}")]
    public static partial void DiscoveryStarted(ILogger logger, string interfaces, int port, string xAddrs);

    [LoggerMessage(4, LogLevel.Warning, "PeerDist discovery is off: {Reason}")]
    public static partial void DiscoveryOff(ILogger logger, string reason);

    [LoggerMessage(5, LogLevel.Information, "PeerDist node asks only the hosted cache at {EndPoint}")]
    public static partial void HostedCache(ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(6, LogLevel.Information, "PeerDist node started")]
    public static partial void Started(ILogger logger);

    [LoggerMessage(7, LogLevel.Information, "PeerDist node stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(8, LogLevel.Error, "PeerDist node could not start: {Message}")]
    public static partial void StartFailed(ILogger logger, string message, Exception exception);

    [LoggerMessage(9, LogLevel.Debug, "Served a block to {Remote} ({Bytes} response bytes, {Reason})")]
    public static partial void BlockServed(ILogger logger, EndPoint remote, long bytes, PccrrServerReason reason);

    [LoggerMessage(10, LogLevel.Debug, "Dropped an MS-PCCRR request from {Remote}: {Reason} ({Error} at offset {Offset})")]
    public static partial void RequestRejected(ILogger logger, EndPoint remote, PccrrServerReason reason, PeerDistFormatError error, long offset);

    [LoggerMessage(11, LogLevel.Information, "PeerDist node offers completed segments to the hosted cache at {Uri} (MS-PCHC {Version})")]
    public static partial void Offering(ILogger logger, Uri uri, string version);

    [LoggerMessage(12, LogLevel.Information, "PeerDist hosted cache: MS-PCHC 2.0 offers on {EndPoints}")]
    public static partial void HostedCacheServing(ILogger logger, string endPoints);

    [LoggerMessage(13, LogLevel.Information, "PeerDist hosted cache: MS-PCHC 1.0 offers over TLS on {EndPoints}")]
    public static partial void HostedCacheTls(ILogger logger, string endPoints);

    [LoggerMessage(14, LogLevel.Warning, "PeerDist hosted cache has no certificate: MS-PCHC 1.0 (HTTPS) is off, 2.0 only")]
    public static partial void NoCertificate(ILogger logger);
}
