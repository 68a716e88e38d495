using System.Net;
using PeerDist.Caching;
using PeerDist.Content;
using PeerDist.Peer;
using PeerDist.Retrieval.Server;
using PeerDist.Transport.Http;

namespace PeerDist.Tests.Peer;

/// <summary>
/// A serving node like <see cref="ServingNode"/> but over a <see cref="MemoryContentCache"/> (no disk, so a fixture of many
/// short socket tests stays fast): verified blocks put through the cache's public API, served by
/// <see cref="ContentCacheBlockSource"/> → <see cref="PccrrServer"/> → <see cref="PccrrRequestHandler"/> →
/// <see cref="PeerDistHttpServer"/> on 127.0.0.1, port 0.
/// </summary>
internal sealed class MemoryServingNode : IAsyncDisposable
{
    private readonly MemoryContentCache _cache;
    private readonly PeerDistHttpServer _http;

    private MemoryServingNode(MemoryContentCache cache, PccrrServer server, PeerDistHttpServer http)
    {
        _cache = cache;
        Server = server;
        _http = http;
        EndPoint = http.LocalEndPoints[0];
    }

    public PccrrServer Server { get; }

    public IPEndPoint EndPoint { get; }

    /// <summary>
    /// Caches the blocks of <paramref name="information"/> for which <paramref name="hold"/> (segment, block) is true (all
    /// when null) and starts serving; <paramref name="wrapSource"/> may put a test source around the cache's.
    /// </summary>
    public static MemoryServingNode Start(
        ContentInformation information,
        ReadOnlyMemory<byte> content,
        PccrrServerOptions? serverOptions = null,
        Func<ContentSegment, int, bool>? hold = null,
        Func<IBlockSource, IBlockSource>? wrapSource = null) =>
        Start(
            cache =>
            {
                foreach (ContentSegment segment in information.Segments)
                {
                    Assert.That(cache.RegisterSegment(segment), Is.True);
                    for (int i = 0; i < segment.BlockCount; i++)
                    {
                        if (hold is null || hold(segment, i))
                        {
                            ContentRange range = segment.GetBlockRange(i);
                            BlockPutResult put = cache.PutBlock(segment.SegmentId.Span, i, content.Span.Slice((int)range.Start, (int)range.Length));
                            Assert.That(put, Is.EqualTo(BlockPutResult.Stored));
                        }
                    }
                }
            },
            serverOptions,
            wrapSource);

    /// <summary>Fills a fresh cache with <paramref name="fill"/> and starts serving it.</summary>
    public static MemoryServingNode Start(Action<MemoryContentCache> fill, PccrrServerOptions? serverOptions = null, Func<IBlockSource, IBlockSource>? wrapSource = null)
    {
        var cache = new MemoryContentCache(new ContentCacheOptions { MaxSizeBytes = 1L << 30 });
        try
        {
            fill(cache);
            IBlockSource source = new ContentCacheBlockSource(cache);
            var server = new PccrrServer(wrapSource is null ? source : wrapSource(source), serverOptions);
            var http = new PeerDistHttpServer(
                new PeerDistHttpServerOptions
                {
                    EndPoints = [new IPEndPoint(IPAddress.Loopback, 0)],
                    ShutdownTimeout = TimeSpan.FromMilliseconds(500),
                },
                new PccrrRequestHandler(server));
            http.Start();
            return new MemoryServingNode(cache, server, http);
        }
        catch
        {
            cache.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _http.DisposeAsync();
        _cache.Dispose();
    }
}
