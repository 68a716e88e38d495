using System.Net;
using PeerDist.Caching;
using PeerDist.Content;
using PeerDist.Peer;
using PeerDist.Retrieval.Server;
using PeerDist.Tests.Caching;
using PeerDist.Transport.Http;

namespace PeerDist.Tests.Client;

/// <summary>
/// A serving peer for the download client's fault tests: a <see cref="MemoryContentCache"/> holding one or more contents,
/// served through <see cref="PccrrServer"/> → <see cref="PccrrRequestHandler"/> → <see cref="FaultyPeerHandler"/> →
/// <see cref="PeerDistHttpServer"/> on 127.0.0.1, port 0.
/// </summary>
internal sealed class FaultPeer : IAsyncDisposable
{
    private readonly MemoryContentCache _cache;
    private readonly PeerDistHttpServer _http;

    private FaultPeer(MemoryContentCache cache, PccrrServer server, FaultyPeerHandler handler, PeerDistHttpServer http)
    {
        _cache = cache;
        Server = server;
        Handler = handler;
        _http = http;
        EndPoint = http.LocalEndPoints[0];
    }

    public PccrrServer Server { get; }

    public FaultyPeerHandler Handler { get; }

    public IPEndPoint EndPoint { get; }

    /// <summary>Requests this peer received.</summary>
    public int Requests => Handler.Requests;

    /// <summary>Caches the blocks of <paramref name="contents"/> for which <paramref name="hold"/> is true (all when null) and starts serving.</summary>
    public static FaultPeer Start(IEnumerable<TestContent> contents, Func<ContentSegment, int, bool>? hold = null, PccrrServerOptions? serverOptions = null)
    {
        var cache = new MemoryContentCache(new ContentCacheOptions { MaxSizeBytes = 1L << 30 });
        try
        {
            foreach (TestContent content in contents)
            {
                foreach (ContentSegment segment in content.Segments)
                {
                    Assert.That(cache.RegisterSegment(segment), Is.True);
                    for (int i = 0; i < segment.BlockCount; i++)
                    {
                        if (hold is null || hold(segment, i))
                        {
                            Assert.That(cache.PutBlock(segment.SegmentId.Span, i, content.Block(segment, i).Span), Is.EqualTo(BlockPutResult.Stored));
                        }
                    }
                }
            }

            var server = new PccrrServer(new ContentCacheBlockSource(cache), serverOptions);
            var handler = new FaultyPeerHandler(new PccrrRequestHandler(server));
            var http = new PeerDistHttpServer(
                new PeerDistHttpServerOptions
                {
                    EndPoints = [new IPEndPoint(IPAddress.Loopback, 0)],
                    ShutdownTimeout = TimeSpan.FromMilliseconds(500),
                },
                handler);
            http.Start();
            return new FaultPeer(cache, server, handler, http);
        }
        catch
        {
            cache.Dispose();
            throw;
        }
    }

    /// <summary>A peer holding one content.</summary>
    public static FaultPeer Start(TestContent content, Func<ContentSegment, int, bool>? hold = null, PccrrServerOptions? serverOptions = null) =>
        Start([content], hold, serverOptions);

    public async ValueTask DisposeAsync()
    {
        Handler.Stall?.TrySetResult(); // stalled requests end now instead of at the server's shutdown timeout
        await _http.DisposeAsync();
        _cache.Dispose();
    }
}
