using System.Net;
using System.Security.Cryptography;
using PeerDist.Caching;
using PeerDist.Client;
using PeerDist.Http;
using PeerDist.Peer;
using PeerDist.Retrieval.Server;
using PeerDist.Transport.Http;

namespace PeerDist.AspNetCore.Tests.EndToEnd;

/// <summary>
/// The proof of MS-PCCRTP end to end with real pieces only: Kestrel with the PeerDist middleware in front of the
/// static files, two clients each with its own cache and MS-PCCRR server, each downloading through a plain
/// <see cref="HttpClient"/> with <see cref="PeerDistHttpHandler"/>. The first gets the bytes from the origin (range
/// requests flagged MissingDataRequest), the second from the first. Expected bytes are the file's own (SHA-256).
/// </summary>
[TestFixture]
[Category("Socket")]
[CancelAfter(180_000)]
public sealed class PccrtpEndToEndTests
{
    private const int Length = 300 * 1024 * 1024;

    [Test]
    public async Task File300MiB_SecondClientGetsAtLeast99PercentFromTheFirst(CancellationToken cancellationToken)
    {
        await using OriginTestHost origin = await OriginTestHost.StartAsync();
        byte[] content = new byte[Length];
        new Random(300).NextBytes(content);
        byte[] expected = SHA256.HashData(content);
        origin.WriteFile("big.bin", content);
        content = [];
        var url = new Uri(origin.BaseAddress, "big.bin");

        // Published ahead (the publisher API), so the first request is already answered with content information.
        await origin.Origin.PublishFileAsync(Path.Combine(origin.WebRoot, "big.bin"), cancellationToken);

        using var cacheA = new MemoryContentCache(new ContentCacheOptions { MaxSizeBytes = 1L << 30 });
        await using PeerDistHttpServer serverA = StartPccrrServer(cacheA);
        await using var clientA = new PeerDistClient(new PeerDistClientOptions { Cache = cacheA });
        (byte[] hashA, PeerDistContentStatistics statsA) = await DownloadAsync(clientA, url, cancellationToken);
        long missingDataRequestsAfterA = origin.Origin.GetStatistics().MissingDataRequests;

        using var cacheB = new MemoryContentCache(new ContentCacheOptions { MaxSizeBytes = 1L << 30 });
        await using var clientB = new PeerDistClient(new PeerDistClientOptions
        {
            Cache = cacheB,
            PeerLocator = new StaticPeerLocator([serverA.LocalEndPoints[0]]),
            PeerRequestTimeout = TimeSpan.FromSeconds(20), // a loaded 2-core CI machine must not push peer blocks to the origin
        });
        (byte[] hashB, PeerDistContentStatistics statsB) = await DownloadAsync(clientB, url, cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(hashA, Is.EqualTo(expected), "client A's bytes");
            Assert.That(hashB, Is.EqualTo(expected), "client B's bytes");
            Assert.That(statsA.BytesFromOrigin, Is.EqualTo(Length), "client A: everything from the origin");
            Assert.That(missingDataRequestsAfterA, Is.GreaterThan(0), "the origin saw MissingDataRequest range requests");
            Assert.That(statsB.BytesFromPeers, Is.GreaterThanOrEqualTo(0.99 * Length), "client B: at least 99 % from client A");
        }
    }

    private static async Task<(byte[] Hash, PeerDistContentStatistics Statistics)> DownloadAsync(PeerDistClient client, Uri url, CancellationToken cancellationToken)
    {
        using var http = new HttpClient(new PeerDistHttpHandler(client, new SocketsHttpHandler { UseProxy = false }));
        using HttpResponseMessage response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content, Is.InstanceOf<PeerDistResponseContent>(), "the origin answered with content information");
        Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(Length));
        Assert.That(response.Content.Headers.ContentEncoding, Is.Empty);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using Stream body = await response.Content.ReadAsStreamAsync(cancellationToken);
        byte[] buffer = new byte[1024 * 1024];
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }

        return (hash.GetHashAndReset(), ((PeerDistResponseContent)response.Content).GetStatistics());
    }

    private static PeerDistHttpServer StartPccrrServer(ContentCache cache)
    {
        var server = new PeerDistHttpServer(
            new PeerDistHttpServerOptions { EndPoints = [new IPEndPoint(IPAddress.Loopback, 0)], ShutdownTimeout = TimeSpan.FromMilliseconds(500) },
            new PccrrRequestHandler(new PccrrServer(new ContentCacheBlockSource(cache))));
        server.Start();
        return server;
    }
}
