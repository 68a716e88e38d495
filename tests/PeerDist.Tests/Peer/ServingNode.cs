using System.Net;
using PeerDist.Caching;
using PeerDist.Content;
using PeerDist.Peer;
using PeerDist.Retrieval.Server;
using PeerDist.Tests.Caching;
using PeerDist.Transport.Http;

namespace PeerDist.Tests.Peer;

/// <summary>
/// Node A of the end-to-end tests: a <see cref="FileContentCache"/> in a temp directory filled with verified blocks,
/// served by <see cref="PeerDistHttpServer"/> on a loopback port 0 through <see cref="PccrrRequestHandler"/>.
/// </summary>
public sealed class ServingNode : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private readonly PeerDistHttpServer _http;

    private ServingNode(TempDirectory directory, FileContentCache cache, PccrrServer server, PeerDistHttpServer http)
    {
        _directory = directory;
        Cache = cache;
        Server = server;
        _http = http;
        EndPoint = http.LocalEndPoints[0];
    }

    public FileContentCache Cache { get; }

    public PccrrServer Server { get; }

    public IPEndPoint EndPoint { get; }

    /// <summary>
    /// Caches the blocks of <paramref name="information"/> (from <paramref name="content"/>) for which
    /// <paramref name="hold"/> (segment, block) is true (all when null), and starts serving on <paramref name="address"/>:0.
    /// <paramref name="wrap"/> may put a test handler around the real one, <paramref name="wrapSource"/> a test block source
    /// around the cache's.
    /// </summary>
    public static ServingNode Start(
        ContentInformation information,
        ReadOnlyMemory<byte> content,
        PccrrServerOptions? serverOptions = null,
        Func<ContentSegment, int, bool>? hold = null,
        Func<PccrrRequestHandler, IPeerDistRequestHandler>? wrap = null,
        IPAddress? address = null,
        Func<IBlockSource, IBlockSource>? wrapSource = null)
    {
        var directory = new TempDirectory();
        FileContentCache? cache = null;
        try
        {
            cache = new FileContentCache(new ContentCacheOptions { RootPath = directory.Path, MaxSizeBytes = 1L << 30 });
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

            IBlockSource source = new ContentCacheBlockSource(cache);
            var server = new PccrrServer(wrapSource is null ? source : wrapSource(source), serverOptions);
            var handler = new PccrrRequestHandler(server);
            var http = new PeerDistHttpServer(
                new PeerDistHttpServerOptions
                {
                    EndPoints = [new IPEndPoint(address ?? IPAddress.Loopback, 0)],
                    ShutdownTimeout = TimeSpan.FromMilliseconds(500),
                },
                wrap is null ? handler : wrap(handler));
            http.Start();
            return new ServingNode(directory, cache, server, http);
        }
        catch
        {
            cache?.Dispose();
            directory.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _http.DisposeAsync();
        Cache.Dispose();
        _directory.Dispose();
    }
}
