using System.Net;
using PeerDist.Caching;
using PeerDist.Content;
using PeerDist.Cryptography;
using PeerDist.Peer;
using PeerDist.Retrieval;
using PeerDist.Retrieval.Server;
using PeerDist.Transport.Http;

namespace PeerDist.Benchmarks.Retrieval;

/// <summary>
/// A serving node on a loopback port: a content cache filled with every block of generated content, the PCCRR server
/// (AES-128) and the HTTP server. Shared by the transfer benchmark and the server-memory run.
/// </summary>
internal sealed class RetrievalNode : IAsyncDisposable
{
    private readonly PeerDistHttpServer _http;

    private RetrievalNode(ContentCache cache, PeerDistHttpServer http)
    {
        Cache = cache;
        _http = http;
        EndPoint = http.LocalEndPoints[0];
    }

    public ContentCache Cache { get; }

    public IPEndPoint EndPoint { get; }

    /// <summary>The content information of <see cref="GenerateContent"/> (V1, the benchmark passphrase).</summary>
    public static ContentInformation Describe(ReadOnlyMemory<byte> content)
    {
        using ServerSecret secret = ServerSecret.FromPassphrase("retrieval benchmark");
        return ContentInformationBuilder.Create(content, secret);
    }

    /// <summary>Deterministic pseudo-random content; two processes that ask for the same length get the same bytes.</summary>
    public static byte[] GenerateContent(long length) => BenchmarkData.Random(checked((int)length), seed: 0x5eed);

    /// <summary>Fills <paramref name="cache"/> with every block and serves it on 127.0.0.1:0.</summary>
    public static RetrievalNode Start(ContentCache cache, ContentInformation information, ReadOnlyMemory<byte> content, int maxActiveClients = PccrrServerOptions.DefaultMaxActiveClients)
    {
        foreach (ContentSegment segment in information.Segments)
        {
            cache.RegisterSegment(segment);
            for (int i = 0; i < segment.BlockCount; i++)
            {
                ContentRange range = segment.GetBlockRange(i);
                BlockPutResult put = cache.PutBlock(segment.SegmentId.Span, i, content.Span.Slice((int)range.Start, (int)range.Length));
                if (put != BlockPutResult.Stored)
                {
                    throw new InvalidOperationException($"block {i} of a segment was not stored: {put}");
                }
            }
        }

        var server = new PccrrServer(
            new ContentCacheBlockSource(cache),
            new PccrrServerOptions { CryptoAlgorithm = PccrrCryptoAlgorithm.Aes128, MaxActiveClients = maxActiveClients });
        var http = new PeerDistHttpServer(
            new PeerDistHttpServerOptions { EndPoints = [new IPEndPoint(IPAddress.Loopback, 0)], MaxConcurrentConnections = 2048 },
            new PccrrRequestHandler(server));
        http.Start();
        return new RetrievalNode(cache, http);
    }

    public async ValueTask DisposeAsync()
    {
        await _http.DisposeAsync().ConfigureAwait(false);
        Cache.Dispose();
    }
}
