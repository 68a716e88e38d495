using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using PeerDist.Tests.Shared;
using PeerDist.Transport.Http;

namespace PeerDist.Transport.Tests.Http;

[TestFixture]
[Category("Socket")]
public sealed class PeerDistHttpServerTests
{
    private const string Path = PeerDistHttpPaths.Retrieval;

    [Test]
    [CancelAfter(5000)]
    public async Task Post_ContentLengthBody_EchoedWith200(CancellationToken cancellationToken)
    {
        await using PeerDistHttpServer server = Loopback.Start(new EchoHandler());
        using Socket socket = await Loopback.ConnectAsync(server.LocalEndPoints[0], cancellationToken);
        await Loopback.SendAsync(socket, $"POST {Path} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", cancellationToken);

        (string head, byte[] body) = await Loopback.ReadResponseAsync(socket, [], cancellationToken);

        Assert.That(head, Does.StartWith("HTTP/1.1 200 OK\r\n"));
        Assert.That(head, Does.Contain("Content-Length: 5\r\n"));
        Assert.That(Encoding.ASCII.GetString(body), Is.EqualTo("hello"));
    }

    [Test]
    [CancelAfter(5000)]
    public async Task Post_ChunkedBody_DecodedBeforeHandler(CancellationToken cancellationToken)
    {
        await using PeerDistHttpServer server = Loopback.Start(new EchoHandler());
        using Socket socket = await Loopback.ConnectAsync(server.LocalEndPoints[0], cancellationToken);
        await Loopback.SendAsync(
            socket,
            $"POST {Path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: y\r\n\r\n",
            cancellationToken);

        (string head, byte[] body) = await Loopback.ReadResponseAsync(socket, [], cancellationToken);

        Assert.That(head, Does.StartWith("HTTP/1.1 200 OK\r\n"));
        Assert.That(Encoding.ASCII.GetString(body), Is.EqualTo("hello 0123456789"));
    }

    [Test]
    [CancelAfter(5000)]
    public async Task Post_ChunkedBodyOneBytePerWrite_Decoded(CancellationToken cancellationToken)
    {
        await using PeerDistHttpServer server = Loopback.Start(new EchoHandler());
        using Socket socket = await Loopback.ConnectAsync(server.LocalEndPoints[0], cancellationToken);
        string request = $"POST {Path} HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
        foreach (char c in request)
        {
            await Loopback.SendAsync(socket, c.ToString(), cancellationToken);
        }

        (_, byte[] body) = await Loopback.ReadResponseAsync(socket, [], cancellationToken);

        Assert.That(Encoding.ASCII.GetString(body), Is.EqualTo("abcde"));
    }

    [Test]
    [CancelAfter(5000)]
    public async Task Post_ExpectContinue_Sends100BeforeReadingBody(CancellationToken cancellationToken)
    {
        await using PeerDistHttpServer server = Loopback.Start(new EchoHandler());
        using Socket socket = await Loopback.ConnectAsync(server.LocalEndPoints[0], cancellationToken);
        await Loopback.SendAsync(socket, $"POST {Path} HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n", cancellationToken);

        var pending = new List<byte>();
        (string interim, byte[] interimBody) = await Loopback.ReadResponseAsync(socket, pending, cancellationToken);
        await Loopback.SendAsync(socket, "abc", cancellationToken);
        (string head, byte[] body) = await Loopback.ReadResponseAsync(socket, pending, cancellationToken);

        Assert.That(interim, Is.EqualTo("HTTP/1.1 100 Continue\r\n\r\n"));
        Assert.That(interimBody, Is.Empty);
        Assert.That(head, Does.StartWith("HTTP/1.1 200 OK\r\n"));
        Assert.That(Encoding.ASCII.GetString(body), Is.EqualTo("abc"));
    }

    [TestCase("GARBAGE\r\n\r\n", "400")]
    [TestCase("POST /116B50EB-ECE2-41ac-8429-9F9E963361B7/ HTTP/1.1\nContent-Length: 0\r\n\r\n", "400")] // bare LF
    [TestCase("POST /116B50EB-ECE2-41ac-8429-9F9E963361B7/ HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", "400")]
    [TestCase("POST /116B50EB-ECE2-41ac-8429-9F9E963361B7/ HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "400")]
    [TestCase("POST /116B50EB-ECE2-41ac-8429-9F9E963361B7/ HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", "400")] // smuggling
    [TestCase("POST /116B50EB-ECE2-41ac-8429-9F9E963361B7/ HTTP/1.1\r\nBad Name: 1\r\nContent-Length: 0\r\n\r\n", "400")]
    [TestCase("POST /116B50EB-ECE2-41ac-8429-9F9E963361B7/ HTTP/1.1\r\nX: 1\r\n folded\r\nContent-Length: 0\r\n\r\n", "400")] // obs-fold
    [TestCase("POST /116B50EB-ECE2-41ac-8429-9F9E963361B7/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "400")]
    [TestCase("POST /other/ HTTP/1.1\r\nContent-Length: 0\r\n\r\n", "404")]
    [TestCase("GET /other/ HTTP/1.1\r\n\r\n", "404")]
    [TestCase("GET /116B50EB-ECE2-41ac-8429-9F9E963361B7/ HTTP/1.1\r\n\r\n", "405")]
    [TestCase("POST /116B50EB-ECE2-41ac-8429-9F9E963361B7/ HTTP/1.1\r\nHost: x\r\n\r\n", "411")]
    [TestCase("POST /116B50EB-ECE2-41ac-8429-9F9E963361B7/ HTTP/1.1\r\nContent-Length: 98305\r\n\r\n", "413")]
    [TestCase("POST /116B50EB-ECE2-41ac-8429-9F9E963361B7/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n18001\r\n", "413")]
    [TestCase("POST /116B50EB-ECE2-41ac-8429-9F9E963361B7/ HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 98305\r\n\r\n", "413")] // no 100 first
    [TestCase("POST /116B50EB-ECE2-41ac-8429-9F9E963361B7/ HTTP/1.1\r\nExpect: something\r\nContent-Length: 0\r\n\r\n", "417")]
    [TestCase("POST /116B50EB-ECE2-41ac-8429-9F9E963361B7/ HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", "501")]
    [TestCase("POST /116B50EB-ECE2-41ac-8429-9F9E963361B7/ HTTP/2.0\r\nContent-Length: 0\r\n\r\n", "505")]
    [CancelAfter(5000)]
    public async Task Request_DoesNotFit_ErrorStatusAndClose(string request, string status, CancellationToken cancellationToken)
    {
        var handler = new EchoHandler();
        await using PeerDistHttpServer server = Loopback.Start(handler);

        string response = await Loopback.ExchangeUntilCloseAsync(server.LocalEndPoints[0], request, cancellationToken);

        Assert.That(response, Does.StartWith($"HTTP/1.1 {status} "));
        Assert.That(response, Does.Contain("Connection: close\r\n"));
        Assert.That(response, Does.EndWith("\r\n\r\n"), "error responses carry no body");
        Assert.That(handler.Calls, Is.Zero);
        if (status == "405")
        {
            Assert.That(response, Does.Contain("Allow: POST\r\n"));
        }
    }

    [Test]
    [CancelAfter(5000)]
    public async Task Request_TooLargeBodyAlreadySent_413StillReadable(CancellationToken cancellationToken)
    {
        await using PeerDistHttpServer server = Loopback.Start(new EchoHandler());
        using Socket socket = await Loopback.ConnectAsync(server.LocalEndPoints[0], cancellationToken);
        byte[] head = Encoding.ASCII.GetBytes($"POST {Path} HTTP/1.1\r\nContent-Length: 200000\r\n\r\n");
        byte[] request = [.. head, .. Loopback.Pattern(200_000)];
        Task<int> sending = socket.SendAsync(request, SocketFlags.None, cancellationToken).AsTask();

        (string response, _) = await Loopback.ReadResponseAsync(socket, [], cancellationToken);

        Assert.That(response, Does.StartWith("HTTP/1.1 413 "));
        socket.Dispose();
        try
        {
            await sending;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    [Test]
    [CancelAfter(5000)]
    public async Task Request_HeadLargerThanLimit_431WithoutWaitingForTheEnd(CancellationToken cancellationToken)
    {
        PeerDistHttpServerOptions options = Loopback.Options() with { MaxRequestHeaderBytes = 1024 };
        await using PeerDistHttpServer server = Loopback.Start(new EchoHandler(), options);
        string request = $"POST {Path} HTTP/1.1\r\nX-Big: {new string('a', 2000)}"; // never terminated

        string response = await Loopback.ExchangeUntilCloseAsync(server.LocalEndPoints[0], request, cancellationToken);

        Assert.That(response, Does.StartWith("HTTP/1.1 431 "));
    }

    [Test]
    [CancelAfter(5000)]
    public async Task Request_HeadJustUnderLimit_Accepted(CancellationToken cancellationToken)
    {
        PeerDistHttpServerOptions options = Loopback.Options() with { MaxRequestHeaderBytes = 1024 };
        await using PeerDistHttpServer server = Loopback.Start(new EchoHandler(), options);
        string prefix = $"POST {Path} HTTP/1.1\r\nContent-Length: 0\r\nX-Pad: ";
        string request = prefix + new string('a', 1024 - prefix.Length - 4) + "\r\n\r\n";
        Assert.That(request, Has.Length.EqualTo(1024));

        string response = await Loopback.ExchangeUntilCloseAsync(server.LocalEndPoints[0], request.Replace("HTTP/1.1", "HTTP/1.0", StringComparison.Ordinal), cancellationToken);

        Assert.That(response, Does.StartWith("HTTP/1.1 200 OK\r\n"));
    }

    [TestCase("/116B50EB-ECE2-41ac-8429-9F9E963361B7/")]
    [TestCase("/116B50EB-ECE2-41ac-8429-9F9E963361B7")]
    [TestCase("/116b50eb-ece2-41ac-8429-9f9e963361b7/")]
    [TestCase("/116B50EB-ECE2-41AC-8429-9F9E963361B7")]
    [TestCase("http://peer:80/116B50EB-ECE2-41ac-8429-9F9E963361B7/")]
    [TestCase("/116B50EB-ECE2-41ac-8429-9F9E963361B7/?x=1")]
    [CancelAfter(5000)]
    public async Task Post_PathVariant_Routed(string target, CancellationToken cancellationToken)
    {
        await using PeerDistHttpServer server = Loopback.Start(new EchoHandler());

        string response = await Loopback.ExchangeUntilCloseAsync(
            server.LocalEndPoints[0], $"POST {target} HTTP/1.1\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", cancellationToken);

        Assert.That(response, Does.StartWith("HTTP/1.1 200 OK\r\n"));
        Assert.That(response, Does.EndWith("\r\n\r\nok"));
    }

    [Test]
    [CancelAfter(5000)]
    public async Task Post_SeveralRoutes_EachHandlerGetsItsPath(CancellationToken cancellationToken)
    {
        var routes = new Dictionary<string, IPeerDistRequestHandler>
        {
            [PeerDistHttpPaths.Retrieval] = new DelegateHandler((_, w, _) => { w.Write("pccrr"u8); return ValueTask.FromResult(PeerDistHandlerResult.Respond); }),
            [PeerDistHttpPaths.HostedCacheV2] = new DelegateHandler((_, w, _) => { w.Write("pchc"u8); return ValueTask.FromResult(PeerDistHandlerResult.Respond); }),
        };
        await using var server = new PeerDistHttpServer(Loopback.Options(), routes);
        server.Start();

        string a = await Loopback.ExchangeUntilCloseAsync(server.LocalEndPoints[0], "POST /0131501B-D67F-491B-9A40-C4BF27BCB4D4 HTTP/1.0\r\nContent-Length: 0\r\n\r\n", cancellationToken);
        string b = await Loopback.ExchangeUntilCloseAsync(server.LocalEndPoints[0], $"POST {Path} HTTP/1.0\r\nContent-Length: 0\r\n\r\n", cancellationToken);

        Assert.That(a, Does.EndWith("\r\n\r\npchc"));
        Assert.That(b, Does.EndWith("\r\n\r\npccrr"));
    }

    [Test]
    [CancelAfter(5000)]
    public async Task Post_PipelinedRequests_AnsweredInOrderOnOneConnection(CancellationToken cancellationToken)
    {
        await using PeerDistHttpServer server = Loopback.Start(new EchoHandler());
        using Socket socket = await Loopback.ConnectAsync(server.LocalEndPoints[0], cancellationToken);
        await Loopback.SendAsync(
            socket,
            $"POST {Path} HTTP/1.1\r\nContent-Length: 3\r\n\r\none" +
            $"POST {Path} HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ntwo\r\n0\r\n\r\n" +
            $"POST {Path} HTTP/1.1\r\nContent-Length: 5\r\nConnection: close\r\n\r\nthree",
            cancellationToken);

        var pending = new List<byte>();
        (_, byte[] first) = await Loopback.ReadResponseAsync(socket, pending, cancellationToken);
        (_, byte[] second) = await Loopback.ReadResponseAsync(socket, pending, cancellationToken);
        (string lastHead, byte[] third) = await Loopback.ReadResponseAsync(socket, pending, cancellationToken);
        string rest = await Loopback.ReadToEndAsync(socket, cancellationToken);

        Assert.That(Encoding.ASCII.GetString(first), Is.EqualTo("one"));
        Assert.That(Encoding.ASCII.GetString(second), Is.EqualTo("two"));
        Assert.That(Encoding.ASCII.GetString(third), Is.EqualTo("three"));
        Assert.That(lastHead, Does.Contain("Connection: close\r\n"));
        Assert.That(rest, Is.Empty);
        Assert.That(server.AcceptedConnectionCount, Is.EqualTo(1));
    }

    [Test]
    [CancelAfter(5000)]
    public async Task Post_Http10_AnsweredThenClosed(CancellationToken cancellationToken)
    {
        await using PeerDistHttpServer server = Loopback.Start(new EchoHandler());

        string response = await Loopback.ExchangeUntilCloseAsync(server.LocalEndPoints[0], $"POST {Path} HTTP/1.0\r\nContent-Length: 1\r\n\r\nz", cancellationToken);

        Assert.That(response, Is.EqualTo("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\nz"));
    }

    [Test]
    [CancelAfter(5000)]
    public async Task Handler_Reject_400AndClose(CancellationToken cancellationToken)
    {
        var handler = new DelegateHandler((_, w, _) =>
        {
            w.Write("must not be sent"u8);
            return ValueTask.FromResult(PeerDistHandlerResult.Reject);
        });
        await using PeerDistHttpServer server = Loopback.Start(handler);

        string response = await Loopback.ExchangeUntilCloseAsync(server.LocalEndPoints[0], $"POST {Path} HTTP/1.1\r\nContent-Length: 0\r\n\r\n", cancellationToken);

        Assert.That(response, Is.EqualTo("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
    }

    [Test]
    [CancelAfter(5000)]
    public async Task Handler_Close_ConnectionClosedWithoutResponse(CancellationToken cancellationToken)
    {
        var handler = new DelegateHandler((_, _, _) => ValueTask.FromResult(PeerDistHandlerResult.Close));
        await using PeerDistHttpServer server = Loopback.Start(handler);

        string response = await Loopback.ExchangeUntilCloseAsync(server.LocalEndPoints[0], $"POST {Path} HTTP/1.1\r\nContent-Length: 0\r\n\r\n", cancellationToken);

        Assert.That(response, Is.Empty);
    }

    [Test]
    [CancelAfter(5000)]
    public async Task Handler_Throws_ConnectionClosedServerKeepsServing(CancellationToken cancellationToken)
    {
        int calls = 0;
        var handler = new DelegateHandler((_, w, _) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new InvalidOperationException("handler bug");
            }

            w.Write("ok"u8);
            return ValueTask.FromResult(PeerDistHandlerResult.Respond);
        });
        await using PeerDistHttpServer server = Loopback.Start(handler);
        string request = $"POST {Path} HTTP/1.0\r\nContent-Length: 0\r\n\r\n";

        string first = await Loopback.ExchangeUntilCloseAsync(server.LocalEndPoints[0], request, cancellationToken);
        string second = await Loopback.ExchangeUntilCloseAsync(server.LocalEndPoints[0], request, cancellationToken);

        Assert.That(first, Is.Empty);
        Assert.That(second, Does.EndWith("\r\n\r\nok"));
    }

    [Test]
    [CancelAfter(5000)]
    public async Task Connection_IdleLongerThanIdleTimeout_Closed(CancellationToken cancellationToken)
    {
        PeerDistHttpServerOptions options = Loopback.Options() with { IdleTimeout = TimeSpan.FromMilliseconds(200) };
        await using PeerDistHttpServer server = Loopback.Start(new EchoHandler(), options);
        using Socket socket = await Loopback.ConnectAsync(server.LocalEndPoints[0], cancellationToken);
        await Loopback.SendAsync(socket, $"POST {Path} HTTP/1.1\r\nContent-Length: 0\r\n\r\n", cancellationToken);
        (string head, _) = await Loopback.ReadResponseAsync(socket, [], cancellationToken);

        string rest = await Loopback.ReadToEndAsync(socket, cancellationToken); // returns once the server closes

        Assert.That(head, Does.StartWith("HTTP/1.1 200 OK"));
        Assert.That(rest, Is.Empty);
    }

    [Test]
    [CancelAfter(5000)]
    public async Task Connection_SlowlorisUpload_408AndClosed(CancellationToken cancellationToken)
    {
        PeerDistHttpServerOptions options = Loopback.Options() with { UploadTimeout = TimeSpan.FromMilliseconds(300) };
        await using PeerDistHttpServer server = Loopback.Start(new EchoHandler(), options);
        using Socket socket = await Loopback.ConnectAsync(server.LocalEndPoints[0], cancellationToken);
        await Loopback.SendAsync(socket, $"POST {Path} HTTP/1.1\r\nContent-Length: 10\r\n\r\nab", cancellationToken);
        Task<string> response = Loopback.ReadToEndAsync(socket, cancellationToken);

        // Keep trickling one byte at a time; the upload timeout is total, not per read.
        for (int i = 0; i < 8 && !response.IsCompleted; i++)
        {
            await Task.Delay(50, cancellationToken);
            try
            {
                await Loopback.SendAsync(socket, "c", cancellationToken);
            }
            catch (SocketException)
            {
                break;
            }
        }

        Assert.That(await response, Does.StartWith("HTTP/1.1 408 "));
    }

    [Test]
    [CancelAfter(5000)]
    public async Task Accept_MoreThanMaxConcurrentConnections_ExtraOneClosed(CancellationToken cancellationToken)
    {
        PeerDistHttpServerOptions options = Loopback.Options() with { MaxConcurrentConnections = 2 };
        await using PeerDistHttpServer server = Loopback.Start(new EchoHandler(), options);
        IPEndPoint endPoint = server.LocalEndPoints[0];
        using Socket first = await Loopback.ConnectAsync(endPoint, cancellationToken);
        using Socket second = await Loopback.ConnectAsync(endPoint, cancellationToken);
        string request = $"POST {Path} HTTP/1.1\r\nContent-Length: 0\r\n\r\n";
        await Loopback.SendAsync(first, request, cancellationToken);
        await Loopback.SendAsync(second, request, cancellationToken);
        await Loopback.ReadResponseAsync(first, [], cancellationToken);
        await Loopback.ReadResponseAsync(second, [], cancellationToken);

        using Socket third = await Loopback.ConnectAsync(endPoint, cancellationToken);
        string refused = await Loopback.ReadToEndAsync(third, cancellationToken);

        Assert.That(refused, Is.Empty);
        Assert.That(server.ActiveConnectionCount, Is.EqualTo(2));

        first.Dispose();
        while (server.ActiveConnectionCount > 1)
        {
            await Task.Delay(10, cancellationToken);
        }

        using Socket fourth = await Loopback.ConnectAsync(endPoint, cancellationToken);
        await Loopback.SendAsync(fourth, request, cancellationToken);
        (string head, _) = await Loopback.ReadResponseAsync(fourth, [], cancellationToken);
        Assert.That(head, Does.StartWith("HTTP/1.1 200 OK"));
    }

    [Test]
    [CancelAfter(5000)]
    public async Task DisposeAsync_InFlightSlowHandler_ResponseCompletes(CancellationToken cancellationToken)
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new DelegateHandler(async (_, w, _) =>
        {
            entered.TrySetResult();
            await release.Task;
            w.Write("done"u8);
            return PeerDistHandlerResult.Respond;
        });
        PeerDistHttpServer server = Loopback.Start(handler);
        IPEndPoint endPoint = server.LocalEndPoints[0];
        using Socket busy = await Loopback.ConnectAsync(endPoint, cancellationToken);
        using Socket idle = await Loopback.ConnectAsync(endPoint, cancellationToken);
        await Loopback.SendAsync(busy, $"POST {Path} HTTP/1.1\r\nContent-Length: 0\r\n\r\n", cancellationToken);
        await entered.Task.WaitAsync(cancellationToken);

        Task stopping = server.DisposeAsync().AsTask();
        string idleResult = await Loopback.ReadToEndAsync(idle, cancellationToken); // idle keep-alive closes at once
        Assert.That(stopping.IsCompleted, Is.False);
        release.SetResult();
        string busyResult = await Loopback.ReadToEndAsync(busy, cancellationToken);
        await stopping.WaitAsync(cancellationToken);

        Assert.That(idleResult, Is.Empty);
        Assert.That(busyResult, Is.EqualTo("HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\ndone"));
        Assert.That(
            async () => await Loopback.ConnectAsync(endPoint, cancellationToken),
            Throws.InstanceOf<SocketException>(),
            "no longer accepting");
    }

    [Test]
    [CancelAfter(5000)]
    public async Task StopAsync_HandlerOutlivesTimeout_HandlerCancelledAndStopReturns(CancellationToken cancellationToken)
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new DelegateHandler(async (_, _, ct) =>
        {
            entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return PeerDistHandlerResult.Respond;
        });
        await using PeerDistHttpServer server = Loopback.Start(handler);
        using Socket socket = await Loopback.ConnectAsync(server.LocalEndPoints[0], cancellationToken);
        await Loopback.SendAsync(socket, $"POST {Path} HTTP/1.1\r\nContent-Length: 0\r\n\r\n", cancellationToken);
        await entered.Task.WaitAsync(cancellationToken);

        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await server.StopAsync(timeout.Token);
        string response = await Loopback.ReadToEndAsync(socket, cancellationToken);

        Assert.That(response, Is.Empty);
        Assert.That(server.ActiveConnectionCount, Is.Zero);
    }

    [Test]
    [CancelAfter(5000)]
    public async Task Start_IPv6Loopback_Serves(CancellationToken cancellationToken)
    {
        Loopback.RequireIPv6();
        await using PeerDistHttpServer server = Loopback.Start(new EchoHandler(), Loopback.Options(ipv6: true));

        string response = await Loopback.ExchangeUntilCloseAsync(server.LocalEndPoints[0], $"POST {Path} HTTP/1.0\r\nContent-Length: 2\r\n\r\nv6", cancellationToken);

        Assert.That(server.LocalEndPoints[0].Address, Is.EqualTo(IPAddress.IPv6Loopback));
        Assert.That(response, Does.EndWith("\r\n\r\nv6"));
    }

    [Test]
    [CancelAfter(5000)]
    public async Task Start_IPv4AndIPv6EndPoints_BothServe(CancellationToken cancellationToken)
    {
        Loopback.RequireIPv6();
        PeerDistHttpServerOptions options = new() { EndPoints = [Loopback.Any(), Loopback.Any(ipv6: true)] };
        await using PeerDistHttpServer server = Loopback.Start(new EchoHandler(), options);

        string v4 = await Loopback.ExchangeUntilCloseAsync(server.LocalEndPoints[0], $"POST {Path} HTTP/1.0\r\nContent-Length: 2\r\n\r\nv4", cancellationToken);
        string v6 = await Loopback.ExchangeUntilCloseAsync(server.LocalEndPoints[1], $"POST {Path} HTTP/1.0\r\nContent-Length: 2\r\n\r\nv6", cancellationToken);

        Assert.That(server.LocalEndPoints, Has.Count.EqualTo(2));
        Assert.That(server.LocalEndPoints[0].Port, Is.Not.Zero);
        Assert.That(v4, Does.EndWith("\r\n\r\nv4"));
        Assert.That(v6, Does.EndWith("\r\n\r\nv6"));
    }

    [Test]
    public async Task Start_Twice_Throws()
    {
        await using PeerDistHttpServer server = Loopback.Start(new EchoHandler());

        Assert.That(server.Start, Throws.InvalidOperationException);
    }

    [Test]
    [CancelAfter(5000)]
    public async Task Post_ExpectContinueWithBodyAlreadySent_No100(CancellationToken cancellationToken)
    {
        await using PeerDistHttpServer server = Loopback.Start(new EchoHandler());

        string response = await Loopback.ExchangeUntilCloseAsync(
            server.LocalEndPoints[0], $"POST {Path} HTTP/1.1\r\nExpect: 100-continue\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi", cancellationToken);

        Assert.That(response, Does.StartWith("HTTP/1.1 200 OK\r\n"));
        Assert.That(response, Does.EndWith("\r\n\r\nhi"));
    }

    [Test]
    [CancelAfter(5000)]
    public async Task Post_SystemNetHttpClient_Interoperates(CancellationToken cancellationToken)
    {
        await using PeerDistHttpServer server = Loopback.Start(new EchoHandler());
        using var handler = new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false };
        using var client = new HttpClient(handler);
        IPEndPoint endPoint = server.LocalEndPoints[0];
        byte[] payload = Loopback.Pattern(70_000);
        using var content = new ByteArrayContent(payload);

        using HttpResponseMessage first = await client.PostAsync(new Uri($"http://{endPoint}{Path}"), content, cancellationToken);
        byte[] body = await first.Content.ReadAsByteArrayAsync(cancellationToken);
        using var small = new StringContent("again");
        using HttpResponseMessage second = await client.PostAsync(new Uri($"http://{endPoint}/116b50eb-ece2-41ac-8429-9f9e963361b7"), small, cancellationToken);

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        ByteAssert.AreEqual(body, payload);
        Assert.That(await second.Content.ReadAsStringAsync(cancellationToken), Is.EqualTo("again"));
        Assert.That(server.AcceptedConnectionCount, Is.EqualTo(1), "HttpClient reuses the kept-alive connection");
    }

    [Test]
    public void Constructor_NoEndPoints_Throws()
    {
        Assert.That(() => new PeerDistHttpServer(new PeerDistHttpServerOptions(), new EchoHandler()), Throws.ArgumentException);
    }

    [Test]
    public void Constructor_RoutesDifferingOnlyInCase_Throws()
    {
        var routes = new Dictionary<string, IPeerDistRequestHandler>
        {
            ["/a/"] = new EchoHandler(),
            ["/A"] = new EchoHandler(),
        };

        Assert.That(() => new PeerDistHttpServer(Loopback.Options(), routes), Throws.ArgumentException);
    }

    [Test]
    public void Options_Defaults_MatchWindows()
    {
        var options = new PeerDistHttpServerOptions();

        Assert.That(PeerDistHttpServerOptions.DefaultPort, Is.EqualTo(80));
        Assert.That(options.MaxRequestBodyBytes, Is.EqualTo(98_304));
        Assert.That(options.UploadTimeout, Is.EqualTo(TimeSpan.FromSeconds(15)));
        Assert.That(options.IdleTimeout, Is.EqualTo(TimeSpan.FromSeconds(15)));
    }
}
