using System.Net;
using System.Net.Sockets;
using PeerDist.Tests.Shared;
using PeerDist.Transport.Http;

namespace PeerDist.Transport.Tests.Http;

[TestFixture]
[Category("Socket")]
public sealed class PeerDistHttpClientTests
{
    private const string Path = PeerDistHttpPaths.Retrieval;

    [Test]
    [CancelAfter(5000)]
    public async Task PostAsync_EchoServer_ReturnsBody(CancellationToken cancellationToken)
    {
        await using PeerDistHttpServer server = Loopback.Start(new EchoHandler());
        using var client = new PeerDistHttpClient();
        byte[] payload = Loopback.Pattern(68); // the size of an MSG_GETBLKS request

        using PeerDistHttpResponse response = await client.PostAsync(server.LocalEndPoints[0], Path, payload, cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(200));
        ByteAssert.AreEqual(response.Body.Span, payload);
    }

    [Test]
    [CancelAfter(5000)]
    public async Task PostAsync_IPv6Loopback_ReturnsBody(CancellationToken cancellationToken)
    {
        Loopback.RequireIPv6();
        await using PeerDistHttpServer server = Loopback.Start(new EchoHandler(), Loopback.Options(ipv6: true));
        using var client = new PeerDistHttpClient();

        using PeerDistHttpResponse response = await client.PostAsync(server.LocalEndPoints[0], Path, "v6"u8.ToArray(), cancellationToken);

        Assert.That(response.Body.ToArray(), Is.EqualTo("v6"u8.ToArray()));
    }

    [Test]
    [CancelAfter(5000)]
    public async Task PostAsync_EmptyBody_ReturnsEmptyBody(CancellationToken cancellationToken)
    {
        await using PeerDistHttpServer server = Loopback.Start(new EchoHandler());
        using var client = new PeerDistHttpClient();

        using PeerDistHttpResponse response = await client.PostAsync(server.LocalEndPoints[0], Path, ReadOnlyMemory<byte>.Empty, cancellationToken);

        Assert.That(response.Body.Length, Is.Zero);
    }

    [Test]
    [CancelAfter(5000)]
    public async Task PostAsync_SequentialRequests_ReuseOneConnection(CancellationToken cancellationToken)
    {
        await using PeerDistHttpServer server = Loopback.Start(new EchoHandler());
        using var client = new PeerDistHttpClient();

        for (int i = 0; i < 10; i++)
        {
            byte[] payload = Loopback.Pattern(100 + i, seed: i);
            using PeerDistHttpResponse response = await client.PostAsync(server.LocalEndPoints[0], Path, payload, cancellationToken);
            ByteAssert.AreEqual(response.Body.Span, payload);
        }

        Assert.That(server.AcceptedConnectionCount, Is.EqualTo(1));
        Assert.That(client.ConnectionsOpened, Is.EqualTo(1));
    }

    [Test]
    [CancelAfter(5000)]
    public async Task PostAsync_PooledConnectionClosedByServer_RetriesOnNewConnection(CancellationToken cancellationToken)
    {
        PeerDistHttpServerOptions options = Loopback.Options() with { IdleTimeout = TimeSpan.FromMilliseconds(100) };
        await using PeerDistHttpServer server = Loopback.Start(new EchoHandler(), options);
        using var client = new PeerDistHttpClient();
        using (await client.PostAsync(server.LocalEndPoints[0], Path, "a"u8.ToArray(), cancellationToken))
        {
        }

        while (server.ActiveConnectionCount > 0)
        {
            await Task.Delay(10, cancellationToken); // the server closes the idle connection
        }

        using PeerDistHttpResponse response = await client.PostAsync(server.LocalEndPoints[0], Path, "b"u8.ToArray(), cancellationToken);

        Assert.That(response.Body.ToArray(), Is.EqualTo("b"u8.ToArray()));
        Assert.That(client.ConnectionsOpened, Is.EqualTo(2));
    }

    [Test]
    [CancelAfter(5000)]
    public async Task PostAsync_LargeBodies_RoundTripWithoutCorruption(CancellationToken cancellationToken)
    {
        // Request up to the PCCRR request limit; the response is a 192 KiB block-sized payload written in pieces.
        byte[] large = Loopback.Pattern(192 * 1024, seed: 7);
        var handler = new DelegateHandler((body, writer, _) =>
        {
            Assert.That(body.Length, Is.EqualTo(98_304));
            for (int offset = 0; offset < large.Length; offset += 10_000)
            {
                int count = Math.Min(10_000, large.Length - offset);
                large.AsSpan(offset, count).CopyTo(writer.GetSpan(count));
                writer.Advance(count);
            }

            return ValueTask.FromResult(PeerDistHandlerResult.Respond);
        });
        await using PeerDistHttpServer server = Loopback.Start(handler);
        using var client = new PeerDistHttpClient();

        using PeerDistHttpResponse response = await client.PostAsync(server.LocalEndPoints[0], Path, Loopback.Pattern(98_304), cancellationToken);

        ByteAssert.AreEqual(response.Body.Span, large);
    }

    [Test]
    [CancelAfter(5000)]
    public async Task PostAsync_ResponseLargerThanLimit_ThrowsResponseTooLarge(CancellationToken cancellationToken)
    {
        var handler = new DelegateHandler((_, writer, _) =>
        {
            writer.Advance(writer.GetSpan(1001)[..1001].Length);
            return ValueTask.FromResult(PeerDistHandlerResult.Respond);
        });
        await using PeerDistHttpServer server = Loopback.Start(handler);
        using var client = new PeerDistHttpClient(new PeerDistHttpClientOptions { MaxResponseBodyBytes = 1000 });

        PeerDistHttpException? e = Assert.ThrowsAsync<PeerDistHttpException>(
            async () => await client.PostAsync(server.LocalEndPoints[0], Path, "x"u8.ToArray(), cancellationToken));

        Assert.That(e!.Error, Is.EqualTo(PeerDistHttpError.ResponseTooLarge));
    }

    [Test]
    [CancelAfter(5000)]
    public async Task PostAsync_UnknownPath_ThrowsUnexpectedStatus404(CancellationToken cancellationToken)
    {
        await using PeerDistHttpServer server = Loopback.Start(new EchoHandler());
        using var client = new PeerDistHttpClient();

        PeerDistHttpException? e = Assert.ThrowsAsync<PeerDistHttpException>(
            async () => await client.PostAsync(server.LocalEndPoints[0], "/nothing/", "x"u8.ToArray(), cancellationToken));

        Assert.That(e!.Error, Is.EqualTo(PeerDistHttpError.UnexpectedStatus));
        Assert.That(e.StatusCode, Is.EqualTo(404));
    }

    [Test]
    [CancelAfter(5000)]
    public async Task PostAsync_HandlerCloses_ThrowsConnectionClosed(CancellationToken cancellationToken)
    {
        await using PeerDistHttpServer server = Loopback.Start(new DelegateHandler((_, _, _) => ValueTask.FromResult(PeerDistHandlerResult.Close)));
        using var client = new PeerDistHttpClient();

        PeerDistHttpException? e = Assert.ThrowsAsync<PeerDistHttpException>(
            async () => await client.PostAsync(server.LocalEndPoints[0], Path, "x"u8.ToArray(), cancellationToken));

        Assert.That(e!.Error, Is.EqualTo(PeerDistHttpError.ConnectionClosed));
    }

    [Test]
    [CancelAfter(5000)]
    public void PostAsync_NothingListening_ThrowsConnectFailed(CancellationToken cancellationToken)
    {
        IPEndPoint closed;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(Loopback.Any());
            closed = (IPEndPoint)probe.LocalEndPoint!;
        }

        using var client = new PeerDistHttpClient();

        PeerDistHttpException? e = Assert.ThrowsAsync<PeerDistHttpException>(
            async () => await client.PostAsync(closed, Path, "x"u8.ToArray(), cancellationToken));

        Assert.That(e!.Error, Is.EqualTo(PeerDistHttpError.ConnectFailed));
    }

    [Test]
    [CancelAfter(5000)]
    public void PostAsync_SilentServer_ThrowsRequestTimeout(CancellationToken cancellationToken)
    {
        using var silent = new SilentListener();
        using var client = new PeerDistHttpClient(new PeerDistHttpClientOptions { RequestTimeout = TimeSpan.FromMilliseconds(200) });

        PeerDistHttpException? e = Assert.ThrowsAsync<PeerDistHttpException>(
            async () => await client.PostAsync(silent.EndPoint, Path, "x"u8.ToArray(), cancellationToken));

        Assert.That(e!.Error, Is.EqualTo(PeerDistHttpError.RequestTimeout));
    }

    [Test]
    [CancelAfter(5000)]
    public void PostAsync_AllPoolSlotsBusy_ThrowsConnectTimeout(CancellationToken cancellationToken)
    {
        // The only slot to the peer is held by a request the silent peer never answers; the second request
        // cannot get a connection within the connect timeout.
        using var silent = new SilentListener();
        using var client = new PeerDistHttpClient(new PeerDistHttpClientOptions
        {
            MaxConnectionsPerEndPoint = 1,
            ConnectTimeout = TimeSpan.FromMilliseconds(200),
            RequestTimeout = TimeSpan.FromSeconds(3),
        });
        ValueTask<PeerDistHttpResponse> first = client.PostAsync(silent.EndPoint, Path, "x"u8.ToArray(), cancellationToken);

        PeerDistHttpException? e = Assert.ThrowsAsync<PeerDistHttpException>(
            async () => await client.PostAsync(silent.EndPoint, Path, "y"u8.ToArray(), cancellationToken));

        Assert.That(e!.Error, Is.EqualTo(PeerDistHttpError.ConnectTimeout));
        silent.Dispose();
        Assert.That(async () => (await first).Dispose(), Throws.InstanceOf<PeerDistHttpException>());
    }

    [Test]
    [CancelAfter(5000)]
    public void PostAsync_FullAcceptBacklog_ThrowsConnectTimeout(CancellationToken cancellationToken)
    {
        // A listener that never accepts, with its backlog filled: further SYNs go unanswered (Linux drops them).
        using var silent = new SilentListener(backlog: 1, accept: false);
        var fillers = new List<Socket>();
        try
        {
            for (int i = 0; i < 8; i++)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
                fillers.Add(filler);
                try
                {
                    filler.Connect(silent.EndPoint);
                }
                catch (SocketException)
                {
                    // in progress or refused; either way it occupies the queue
                }
            }

            using var client = new PeerDistHttpClient(new PeerDistHttpClientOptions { ConnectTimeout = TimeSpan.FromMilliseconds(200) });

            PeerDistHttpException? e = Assert.ThrowsAsync<PeerDistHttpException>(
                async () => await client.PostAsync(silent.EndPoint, Path, "x"u8.ToArray(), cancellationToken));

            if (e!.Error == PeerDistHttpError.ConnectFailed)
            {
                Assert.Ignore("This OS refuses instead of dropping connections beyond the backlog.");
            }

            Assert.That(e.Error, Is.AnyOf(PeerDistHttpError.ConnectTimeout, PeerDistHttpError.RequestTimeout));
        }
        finally
        {
            foreach (Socket filler in fillers)
            {
                filler.Dispose();
            }
        }
    }

    [Test]
    [CancelAfter(5000)]
    public void PostAsync_CancelledWhileWaiting_ThrowsOperationCanceled(CancellationToken cancellationToken)
    {
        using var silent = new SilentListener();
        using var client = new PeerDistHttpClient(new PeerDistHttpClientOptions { RequestTimeout = TimeSpan.FromSeconds(30) });
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(TimeSpan.FromMilliseconds(150));

        Assert.That(
            async () => await client.PostAsync(silent.EndPoint, Path, "x"u8.ToArray(), cts.Token),
            Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void PostAsync_AlreadyCancelled_ThrowsOperationCanceled()
    {
        using var client = new PeerDistHttpClient();

        Assert.That(
            async () => await client.PostAsync(Loopback.Any(), Path, "x"u8.ToArray(), new CancellationToken(canceled: true)),
            Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    [CancelAfter(5000)]
    public async Task PostAsync_SlowHandler_ThrowsRequestTimeout(CancellationToken cancellationToken)
    {
        var handler = new DelegateHandler(async (_, _, ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
            return PeerDistHandlerResult.Respond;
        });
        await using PeerDistHttpServer server = Loopback.Start(handler, Loopback.Options() with { ShutdownTimeout = TimeSpan.FromMilliseconds(100) });
        using var client = new PeerDistHttpClient(new PeerDistHttpClientOptions { RequestTimeout = TimeSpan.FromMilliseconds(150) });

        PeerDistHttpException? e = Assert.ThrowsAsync<PeerDistHttpException>(
            async () => await client.PostAsync(server.LocalEndPoints[0], Path, "x"u8.ToArray(), cancellationToken));

        Assert.That(e!.Error, Is.EqualTo(PeerDistHttpError.RequestTimeout));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task PostAsync_64ParallelClients_AllBodiesCorrect(CancellationToken cancellationToken)
    {
        await using PeerDistHttpServer server = Loopback.Start(new EchoHandler());
        IPEndPoint endPoint = server.LocalEndPoints[0];
        using var shared = new PeerDistHttpClient(new PeerDistHttpClientOptions { MaxConnectionsPerEndPoint = 16, RequestTimeout = TimeSpan.FromSeconds(5) });

        async Task RunAsync(int id)
        {
            using var own = new PeerDistHttpClient(new PeerDistHttpClientOptions { RequestTimeout = TimeSpan.FromSeconds(5) });
            for (int i = 0; i < 5; i++)
            {
                PeerDistHttpClient client = (i % 2 == 0) ? own : shared;
                byte[] payload = Loopback.Pattern(1000 + (id * 37) + i, seed: id);
                using PeerDistHttpResponse response = await client.PostAsync(endPoint, Path, payload, cancellationToken);
                Assert.That(response.Body.Span.SequenceEqual(payload), Is.True, $"client {id} request {i}");
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 64).Select(id => Task.Run(() => RunAsync(id), cancellationToken)));

        Assert.That(server.AcceptedConnectionCount, Is.LessThanOrEqualTo(64 + 16));
    }

    [Test]
    [CancelAfter(5000)]
    public async Task Dispose_PooledConnections_Closed(CancellationToken cancellationToken)
    {
        await using PeerDistHttpServer server = Loopback.Start(new EchoHandler());
        var client = new PeerDistHttpClient();
        using (await client.PostAsync(server.LocalEndPoints[0], Path, "x"u8.ToArray(), cancellationToken))
        {
        }

        Assert.That(server.ActiveConnectionCount, Is.EqualTo(1));
        client.Dispose();
        while (server.ActiveConnectionCount > 0)
        {
            await Task.Delay(10, cancellationToken);
        }

        Assert.That(
            async () => await client.PostAsync(server.LocalEndPoints[0], Path, "x"u8.ToArray(), cancellationToken),
            Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public void Response_Disposed_BodyThrows()
    {
        var response = new PeerDistHttpResponse(200, System.Buffers.ArrayPool<byte>.Shared.Rent(16), 4);
        response.Dispose();
        response.Dispose();

        Assert.That(() => response.Body, Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public void Constructor_InvalidOptions_Throws()
    {
        Assert.That(() => new PeerDistHttpClient(new PeerDistHttpClientOptions { RequestTimeout = TimeSpan.Zero }), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new PeerDistHttpClient(new PeerDistHttpClientOptions { MaxConnectionsPerEndPoint = 0 }), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Options_Defaults_MatchPccrr()
    {
        var options = new PeerDistHttpClientOptions();

        Assert.That(options.RequestTimeout, Is.EqualTo(TimeSpan.FromSeconds(2)));
        Assert.That(options.MaxResponseBodyBytes, Is.EqualTo(393_220));
    }

    [TestCase("relative")]
    [TestCase("/with space")]
    [TestCase("")]
    public void PostAsync_InvalidPath_ThrowsArgumentException(string path)
    {
        using var client = new PeerDistHttpClient();

        Assert.That(async () => await client.PostAsync(Loopback.Any(), path, ReadOnlyMemory<byte>.Empty), Throws.ArgumentException);
    }
}
