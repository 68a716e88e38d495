using System.Net;
using System.Net.Http.Headers;
using PeerDist.Caching;
using PeerDist.Client;
using PeerDist.Content;
using PeerDist.Http;
using PeerDist.Tests.Peer;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Http;

/// <summary>
/// <see cref="PeerDistHttpHandler"/> in a real <see cref="HttpClient"/> against a real Kestrel origin on loopback
/// (<see cref="PeerDistTestOrigin"/>) and real peers (<see cref="ServingNode"/>): what is advertised, how a peerdist
/// response becomes the verified identity bytes, the origin fallback through the inner handler, what passes through
/// untouched, the follow-up hash request, and every fallback. Expected bytes are the file's own bytes; expected headers
/// are the strings of wire.md §4.
/// </summary>
[CancelAfter(60_000)]
[Category("Socket")]
public sealed class PeerDistHttpHandlerTests
{
    /// <summary>40 whole V1 blocks and a partial one (one V1 segment); a few dozen V2 segments.</summary>
    private static readonly byte[] s_bytes = PseudoRandom(((40 * PeerDistConstants.BlockSize) + 4321), seed: 0x4854);

    private static readonly Lazy<OriginResource> s_resource = new(() => OriginResource.Create(s_bytes));

    private PeerDistTestOrigin _origin = null!;

    private static OriginResource Resource => s_resource.Value;

    [OneTimeSetUp]
    public async Task StartOrigin() => _origin = await PeerDistTestOrigin.StartAsync();

    [OneTimeTearDown]
    public async Task StopOrigin() => await _origin.DisposeAsync();

    [TestCase(ContentInformationVersion.V2, "MinContentInformation=1.0, MaxContentInformation=2.0")]
    [TestCase(ContentInformationVersion.V1, "MinContentInformation=1.0, MaxContentInformation=1.0")]
    public async Task SendAsync_PeerHoldsEverything_VerifiedIdentityBytesFromPeerWithContentLengthAndNoContentEncoding(
        ContentInformationVersion version,
        string expectedPeerDistEx,
        CancellationToken cancellationToken)
    {
        ContentInformation information = version == ContentInformationVersion.V2 ? Resource.V2 : Resource.V1;
        await using ServingNode peer = ServingNode.Start(information, s_bytes);
        using var cache = new MemoryContentCache();
        await using var client = new PeerDistClient(new PeerDistClientOptions { Cache = cache, PeerLocator = new StaticPeerLocator([peer.EndPoint]) });
        RecordingHandler inner = RecordingHandler.OverSockets();
        using var http = new HttpClient(new PeerDistHttpHandler(client, inner, new PeerDistHttpHandlerOptions { MaxContentInformationVersion = version }));
        Uri uri = _origin.Add(Resource);

        using HttpResponseMessage response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken);

        var decoded = response.Content as PeerDistResponseContent;
        SeenRequest[] seen = _origin.RequestsFor(uri);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            ByteAssert.AreEqual(body, s_bytes, "body");
            Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(s_bytes.Length));
            Assert.That(response.Content.Headers.ContentEncoding, Is.Empty);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(Resource.ContentType));
            Assert.That(response.Content.Headers.LastModified, Is.EqualTo(Resource.LastModified));
            Assert.That(response.Headers.ETag?.Tag, Is.EqualTo(Resource.ETag));
            Assert.That(decoded, Is.Not.Null, "the content is the decoded peerdist content");
            Assert.That(decoded!.Information.Version, Is.EqualTo(version));
            Assert.That(decoded.GetStatistics().BytesFromPeers, Is.EqualTo(s_bytes.Length), "every byte from the peer");
            Assert.That(decoded.GetStatistics().BytesFromOrigin, Is.Zero);
            Assert.That(seen, Has.Length.EqualTo(1), "one request to the origin: the advertised GET");
            Assert.That(seen[0].AcceptEncoding, Is.EqualTo("peerdist"));
            Assert.That(seen[0].PeerDist, Is.EqualTo("Version=1.1"));
            Assert.That(seen[0].PeerDistEx, Is.EqualTo(expectedPeerDistEx));
        }
    }

    [Test]
    public async Task SendAsync_CallerHasCodings_PeerDistAppendedAndCodingsKept(CancellationToken cancellationToken)
    {
        await using var client = NewClient(out _);
        using var http = new HttpClient(new PeerDistHttpHandler(client, RecordingHandler.OverSockets()));
        Uri uri = _origin.Add(Resource with { AnswerPeerDist = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip, br;q=0.5");

        using HttpResponseMessage response = await http.SendAsync(request, cancellationToken);

        Assert.That(_origin.RequestsFor(uri).Single().AcceptEncoding, Is.EqualTo("gzip, br;q=0.5, peerdist"));
    }

    [Test]
    public async Task SendAsync_PeerHoldsHalf_RestFromOriginThroughInnerHandlerAsMissingDataRequestsWithCallersCredentials(CancellationToken cancellationToken)
    {
        // Every other V2 segment is on the peer; the others only at the origin, which wants the caller's credentials.
        await using ServingNode peer = ServingNode.Start(Resource.V2, s_bytes, hold: (segment, _) => segment.Index % 2 == 0);
        using var cache = new MemoryContentCache();
        await using var client = new PeerDistClient(new PeerDistClientOptions { Cache = cache, PeerLocator = new StaticPeerLocator([peer.EndPoint]) });
        RecordingHandler inner = RecordingHandler.OverSockets();
        using var http = new HttpClient(new PeerDistHttpHandler(client, inner));
        Uri uri = _origin.Add(Resource with { RequiredAuthorization = "Bearer t0k3n" });
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "t0k3n");
        request.Headers.Add("X-Api-Key", "k-42");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");

        using HttpResponseMessage response = await http.SendAsync(request, cancellationToken);
        byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken);

        PeerDistContentStatistics statistics = ((PeerDistResponseContent)response.Content).GetStatistics();
        long oddSegmentBytes = Resource.V2.Segments.Where(s => s.Index % 2 == 1).Sum(s => (long)s.Length);
        SeenRequest[] ranges = [.. _origin.RequestsFor(uri).Skip(1)];
        using (Assert.EnterMultipleScope())
        {
            ByteAssert.AreEqual(body, s_bytes, "body");
            Assert.That(statistics.BytesFromPeers, Is.EqualTo(s_bytes.Length - oddSegmentBytes));
            Assert.That(statistics.BytesFromOrigin, Is.EqualTo(oddSegmentBytes));
            Assert.That(ranges, Is.Not.Empty);
            Assert.That(ranges.Select(r => r.Range), Has.All.StartWith("bytes="));
            Assert.That(ranges.Select(r => r.PeerDist), Has.All.EqualTo("Version=1.1, MissingDataRequest=true"));
            Assert.That(ranges.Select(r => r.AcceptEncoding ?? ""), Has.None.Contains("peerdist"));
            Assert.That(ranges.Select(r => r.PeerDistEx), Has.All.Null);
            Assert.That(ranges.Select(r => r.Authorization), Has.All.EqualTo("Bearer t0k3n"));
            Assert.That(ranges.Select(r => r.ApiKey), Has.All.EqualTo("k-42"));

            // The range requests took the inner handler: it saw them after the advertised GET.
            Assert.That(inner.Requests.Count(r => r.Headers.Range is not null), Is.EqualTo(ranges.Length));
        }
    }

    [Test]
    public async Task SendAsync_PlainResponse_PassedThroughAsTheSameObjectByteForByte(CancellationToken cancellationToken)
    {
        await using var client = NewClient(out _);
        RecordingHandler inner = RecordingHandler.OverSockets();
        using var http = new HttpClient(new PeerDistHttpHandler(client, inner));
        Uri uri = _origin.Add(Resource with { AnswerPeerDist = false });

        using HttpResponseMessage response = await http.GetAsync(uri, cancellationToken);
        byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response, Is.SameAs(inner.Responses.Single()));
            ByteAssert.AreEqual(body, s_bytes, "body");
            Assert.That(_origin.RequestsFor(uri).Single().AdvertisesPeerDist, Is.True, "the GET did advertise peerdist");
        }
    }

    [TestCase("POST")]
    [TestCase("HEAD")]
    [TestCase("Range")]
    [TestCase("OptOut")]
    [TestCase("LatencyCritical")]
    [TestCase("Filter")]
    [TestCase("HandlerDisabled")]
    [TestCase("SynchronousSend")]
    [TestCase("CallerSpeaksPccrtp")]
    public async Task SendAsync_RequestNotForPeerDist_SentAndReturnedUntouched(string kind, CancellationToken cancellationToken)
    {
        await using var client = NewClient(out _);
        RecordingHandler inner = RecordingHandler.OverSockets();
        var options = new PeerDistHttpHandlerOptions
        {
            Enabled = kind != "HandlerDisabled",
            RequestFilter = kind == "Filter" ? static r => !r.RequestUri!.AbsolutePath.EndsWith(".bin", StringComparison.Ordinal) : null,
        };
        using var http = new HttpClient(new PeerDistHttpHandler(client, inner, options));
        Uri uri = _origin.Add(Resource);
        using var request = new HttpRequestMessage(kind switch { "POST" => HttpMethod.Post, "HEAD" => HttpMethod.Head, _ => HttpMethod.Get }, uri);
        switch (kind)
        {
            case "POST":
                request.Content = new ByteArrayContent(new byte[100]);
                break;
            case "Range":
                request.Headers.Range = new RangeHeaderValue(1000, 1999);
                break;
            case "OptOut":
                request.SetPeerDistEnabled(false);
                break;
            case "LatencyCritical":
                request.SetPeerDistLatencyCritical();
                break;
            case "CallerSpeaksPccrtp":
                request.Headers.TryAddWithoutValidation("Accept-Encoding", "peerdist;q=0");
                break;
        }

        using HttpResponseMessage response = kind == "SynchronousSend"
            ? http.Send(request, cancellationToken)
            : await http.SendAsync(request, cancellationToken);
        byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken);

        SeenRequest seen = _origin.RequestsFor(uri).Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response, Is.SameAs(inner.Responses.Single()), "the response is the inner handler's");
            Assert.That(seen.AcceptEncoding, Is.EqualTo(kind == "CallerSpeaksPccrtp" ? "peerdist;q=0" : null));
            Assert.That(seen.PeerDist, Is.Null);
            Assert.That(seen.PeerDistEx, Is.Null);
            Assert.That(request.Headers.Contains("X-P2P-PeerDist"), Is.False, "the request object was not changed");
            switch (kind)
            {
                case "POST":
                    Assert.That(System.Text.Encoding.ASCII.GetString(body), Is.EqualTo("posted 100 bytes"));
                    break;
                case "HEAD":
                    Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(s_bytes.Length));
                    Assert.That(body, Is.Empty);
                    break;
                case "Range":
                    Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
                    ByteAssert.AreEqual(body, s_bytes.AsSpan(1000, 1000), "range");
                    break;
                default:
                    ByteAssert.AreEqual(body, s_bytes, "body");
                    break;
            }
        }
    }

    [Test]
    public async Task SendAsync_LatencyCriticalAllowedByOptions_UsesPeerDist(CancellationToken cancellationToken)
    {
        await using ServingNode peer = ServingNode.Start(Resource.V2, s_bytes);
        await using var client = NewClient(out _, peer.EndPoint);
        using var http = new HttpClient(new PeerDistHttpHandler(client, RecordingHandler.OverSockets(), new PeerDistHttpHandlerOptions { UsePeerDistForLatencyCriticalRequests = true }));
        Uri uri = _origin.Add(Resource);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri).SetPeerDistLatencyCritical();

        using HttpResponseMessage response = await http.SendAsync(request, cancellationToken);
        byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            ByteAssert.AreEqual(body, s_bytes, "body");
            Assert.That(response.Content, Is.InstanceOf<PeerDistResponseContent>());
            Assert.That(_origin.RequestsFor(uri).Single().AdvertisesPeerDist, Is.True);
        }
    }

    [Test]
    public async Task SendAsync_MakeHashRequest_ExactlyOneFollowUpHashRequestWithoutDelayingTheResponse(CancellationToken cancellationToken)
    {
        await using var client = NewClient(out _);
        RecordingHandler inner = RecordingHandler.OverSockets();
        using var http = new HttpClient(new PeerDistHttpHandler(client, inner));
        var hashGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Uri uri = _origin.Add(Resource with { AnswerPeerDist = false, MakeHashRequest = true, HashRequestGate = hashGate, RequiredAuthorization = "Basic dTpw" });
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", "dTpw");

        // The hash request is held at the origin; the caller's responses must not wait for it, and a second plain
        // response for the same resource must not start a second one while the first is in flight.
        using HttpResponseMessage first = await http.GetAsync(uri, cancellationToken);
        await WaitUntilAsync(() => _origin.RequestsFor(uri).Any(r => r.IsHashRequest), cancellationToken);
        using HttpResponseMessage second = await http.GetAsync(uri, cancellationToken);
        hashGate.SetResult();
        await Task.Delay(300, cancellationToken);

        SeenRequest[] hashRequests = [.. _origin.RequestsFor(uri).Where(r => r.IsHashRequest)];
        using (Assert.EnterMultipleScope())
        {
            ByteAssert.AreEqual(await first.Content.ReadAsByteArrayAsync(cancellationToken), s_bytes, "first");
            ByteAssert.AreEqual(await second.Content.ReadAsByteArrayAsync(cancellationToken), s_bytes, "second");
            Assert.That(first, Is.SameAs(inner.Responses.First()), "the plain response passed through");
            Assert.That(hashRequests, Has.Length.EqualTo(1));
            Assert.That(hashRequests[0].Method, Is.EqualTo("GET"));
            Assert.That(hashRequests[0].PeerDist, Is.EqualTo("Version=1.1"));
            Assert.That(hashRequests[0].PeerDistEx, Is.EqualTo("MinContentInformation=1.0, MaxContentInformation=2.0, HashRequest=true"));
            Assert.That(hashRequests[0].Authorization, Is.EqualTo("Basic dTpw"));
            Assert.That(hashRequests[0].Range, Is.Null);
        }
    }

    [Test]
    public async Task SendAsync_NoMakeHashRequest_NoHashRequest(CancellationToken cancellationToken)
    {
        await using var client = NewClient(out _);
        using var http = new HttpClient(new PeerDistHttpHandler(client, RecordingHandler.OverSockets()));
        Uri uri = _origin.Add(Resource with { AnswerPeerDist = false });

        using HttpResponseMessage response = await http.GetAsync(uri, cancellationToken);
        await Task.Delay(200, cancellationToken);

        Assert.That(_origin.RequestsFor(uri), Has.Length.EqualTo(1));
    }

    /// <summary>Each case is a peerdist response the handler must not use: the resource is fetched again, plain.</summary>
    private static IEnumerable<TestCaseData> UnusablePeerDistResponses()
    {
        int length = s_bytes.Length;
        yield return new TestCaseData("garbage body", null, null).SetName("SendAsync_GarbageContentInformation_PlainFallbackWithCorrectBytes");
        yield return new TestCaseData("truncated", null, null).SetName("SendAsync_TruncatedContentInformation_PlainFallbackWithCorrectBytes");
        yield return new TestCaseData(null, $"Version=1.1, ContentLength={length + 1}", null).SetName("SendAsync_ContentLengthDiffersFromContentInformation_PlainFallbackWithCorrectBytes");
        yield return new TestCaseData(null, "Version=1.1", null).SetName("SendAsync_NoContentLength_PlainFallbackWithCorrectBytes");
        yield return new TestCaseData(null, "", null).SetName("SendAsync_NoPeerDistHeader_PlainFallbackWithCorrectBytes");
        yield return new TestCaseData(null, $"Version=2.0, ContentLength={length}", null).SetName("SendAsync_PeerDistVersion2_PlainFallbackWithCorrectBytes");
        yield return new TestCaseData(null, $"Version=1.1, ContentLength={length}, MissingDataRequest=InvalidValue", null).SetName("SendAsync_InvalidPeerDistHeader_PlainFallbackWithCorrectBytes");
        yield return new TestCaseData(null, null, 1024).SetName("SendAsync_ContentInformationOverLimit_PlainFallbackWithCorrectBytes");
    }

    [TestCaseSource(nameof(UnusablePeerDistResponses))]
    public async Task SendAsync_UnusablePeerDistResponse_PlainFallbackWithCorrectBytes(string? body, string? peerDistHeader, int? limit, CancellationToken cancellationToken)
    {
        await using var client = NewClient(out _);
        RecordingHandler inner = RecordingHandler.OverSockets();
        var options = new PeerDistHttpHandlerOptions { MaxContentInformationBytes = limit ?? PeerDistHttpHandlerOptions.DefaultMaxContentInformationBytes };
        using var http = new HttpClient(new PeerDistHttpHandler(client, inner, options));
        byte[] v2 = Resource.V2.ToArray();
        Assert.That(limit is null || v2.Length > limit, Is.True, "the content information is over the limit of the case");
        byte[]? information = body switch
        {
            "garbage body" => System.Text.Encoding.ASCII.GetBytes("this is not content information"),
            "truncated" => v2[..^7],
            _ => null,
        };
        Uri uri = _origin.Add(Resource with { InformationOverride = information, PeerDistHeaderOverride = peerDistHeader });
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");

        using HttpResponseMessage response = await http.SendAsync(request, cancellationToken);
        byte[] received = await response.Content.ReadAsByteArrayAsync(cancellationToken);

        SeenRequest[] seen = _origin.RequestsFor(uri);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            ByteAssert.AreEqual(received, s_bytes, "body");
            Assert.That(response.Content.Headers.ContentEncoding, Is.Empty);
            Assert.That(response.Content, Is.Not.InstanceOf<PeerDistResponseContent>());
            Assert.That(seen, Has.Length.EqualTo(2), "the advertised GET, then the plain one");
            Assert.That(seen[0].AdvertisesPeerDist, Is.True);
            Assert.That(seen[1].AcceptEncoding, Is.EqualTo("gzip"), "the caller's own codings, without peerdist");
            Assert.That(seen[1].PeerDist, Is.Null);
            Assert.That(seen[1].Range, Is.Null);
            Assert.That(response, Is.SameAs(inner.Responses.Last()), "the plain fallback's response is returned as it came");
        }
    }

    [Test]
    public async Task SendAsync_Logging_FallbackWarnsWithReasonAndDecodedDownloadReportsSources(CancellationToken cancellationToken)
    {
        await using ServingNode peer = ServingNode.Start(Resource.V2, s_bytes);
        await using var client = NewClient(out _, peer.EndPoint);
        var logger = new ListLogger<PeerDistHttpHandler>();
        using var http = new HttpClient(new PeerDistHttpHandler(client, RecordingHandler.OverSockets(), logger: logger));
        Uri broken = _origin.Add(Resource with { InformationOverride = [1, 0, 0, 0] });
        Uri good = _origin.Add(Resource);

        (await http.GetAsync(broken, cancellationToken)).Dispose();
        (await http.GetAsync(good, cancellationToken)).Dispose();

        var entries = logger.Entries.ToArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(
                entries.Where(e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning).Select(e => e.Message),
                Has.One.Contains(broken.AbsoluteUri).And.Contains("MalformedContentInformation"));
            Assert.That(
                entries.Where(e => e.EventName == "PeerDistDownloadClosed").Select(e => e.Message),
                Has.One.Contains(good.AbsoluteUri).And.Contains($"{s_bytes.Length} from peers, 0 from the origin"));
        }
    }

    [Test]
    public async Task SendAsync_ClientDisposed_PlainFallbackWithCorrectBytes(CancellationToken cancellationToken)
    {
        PeerDistClient client = NewClient(out MemoryContentCache cache);
        using var http = new HttpClient(new PeerDistHttpHandler(client, RecordingHandler.OverSockets()));
        Uri uri = _origin.Add(Resource);
        await client.DisposeAsync();

        using HttpResponseMessage response = await http.GetAsync(uri, cancellationToken);
        byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        cache.Dispose();

        using (Assert.EnterMultipleScope())
        {
            ByteAssert.AreEqual(body, s_bytes, "body");
            Assert.That(response.Content, Is.Not.InstanceOf<PeerDistResponseContent>());
            Assert.That(_origin.RequestsFor(uri).Select(r => r.AdvertisesPeerDist), Is.EqualTo(new[] { true, false }));
        }
    }

    [Test]
    public async Task SendAsync_OriginLiesInMissingDataAnswer_ReadFailsAndNoWrongByteIsDelivered(CancellationToken cancellationToken)
    {
        long corrupt = s_bytes.Length / 2;
        await using var client = NewClient(out _);
        using var http = new HttpClient(new PeerDistHttpHandler(client, RecordingHandler.OverSockets()));
        Uri uri = _origin.Add(Resource with { CorruptMissingDataOffset = corrupt });

        using HttpResponseMessage response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await using Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var received = new MemoryStream();
        byte[] buffer = new byte[16 * 1024];
        Exception? failure = null;
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException e)
        {
            failure = e;
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(failure, Is.InstanceOf<PeerDistOriginException>(), "the read fails with the origin error");
            Assert.That(received.Length, Is.LessThanOrEqualTo(corrupt), "nothing from the corrupted block on was delivered");
            ByteAssert.AreEqual(received.ToArray(), s_bytes.AsSpan(0, (int)received.Length), "the bytes delivered before the failure");
            Assert.That(((PeerDistResponseContent)response.Content).GetStatistics().BlocksRejected, Is.GreaterThan(0));
        }
    }

    [Test]
    public async Task ReadAsync_CancelledMidBody_ThrowsOperationCanceledAndTheResponseStillDisposes(CancellationToken cancellationToken)
    {
        // The peer holds the first half of the segments; the origin holds back the rest, so the body stalls mid-way.
        int heldSegments = Resource.V2.Segments.Count / 2;
        await using ServingNode peer = ServingNode.Start(Resource.V2, s_bytes, hold: (segment, _) => segment.Index < heldSegments);
        await using var client = NewClient(out _, peer.EndPoint);
        using var http = new HttpClient(new PeerDistHttpHandler(client, RecordingHandler.OverSockets()));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Uri uri = _origin.Add(Resource with { MissingDataGate = gate });
        int heldBytes = (int)Resource.V2.Segments[heldSegments].Offset;

        HttpResponseMessage response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        byte[] head = new byte[heldBytes];
        await stream.ReadExactlyAsync(head, cancellationToken);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(300));

        Assert.That(async () => await stream.ReadAsync(new byte[1024], cancel.Token), Throws.InstanceOf<OperationCanceledException>());
        ByteAssert.AreEqual(head, s_bytes.AsSpan(0, heldBytes), "the bytes read before the stall");
        PeerDistContent content = ((PeerDistResponseContent)response.Content).Content;
        await stream.DisposeAsync();
        response.Dispose();
        gate.SetResult();
        Assert.That(async () => await content.ReadAsync(0, new byte[1], CancellationToken.None), Throws.InstanceOf<ObjectDisposedException>(), "disposing the response closed the handle");
    }

    [Test]
    public async Task SendAsync_CancelledWhileWaitingForTheOrigin_ThrowsOperationCanceled(CancellationToken cancellationToken)
    {
        await using var client = NewClient(out _);
        using var http = new HttpClient(new PeerDistHttpHandler(client, RecordingHandler.OverSockets()));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Uri uri = _origin.Add(Resource with { MissingDataGate = gate });
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(300));

        // Buffered read (the default completion option): the whole body is fetched inside GetAsync, which is cancelled.
        Assert.That(async () => await http.GetAsync(uri, cancel.Token), Throws.InstanceOf<OperationCanceledException>());
        gate.SetResult();
    }

    [Test]
    public void Constructor_InvalidOptions_Throws()
    {
        using var cache = new MemoryContentCache();
        using var client = new PeerDistClient(new PeerDistClientOptions { Cache = cache });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => new PeerDistHttpHandler(client, new PeerDistHttpHandlerOptions { MaxContentInformationBytes = 0 }), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => new PeerDistHttpHandler(client, new PeerDistHttpHandlerOptions { MaxHashRequestsInFlight = 0 }), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => new PeerDistHttpHandler(client, new PeerDistHttpHandlerOptions { HashRequestTimeout = TimeSpan.Zero }), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => new PeerDistHttpHandler(client, new PeerDistHttpHandlerOptions { OriginRequestTimeout = TimeSpan.FromDays(-1) }), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => new PeerDistHttpHandler(client, new PeerDistHttpHandlerOptions { MaxContentInformationVersion = (ContentInformationVersion)3 }), Throws.ArgumentException);
            Assert.That(() => new PeerDistHttpHandler(client, new PeerDistHttpHandlerOptions { OriginRequestTimeout = Timeout.InfiniteTimeSpan }).Dispose(), Throws.Nothing);
        }
    }

    private static PeerDistClient NewClient(out MemoryContentCache cache, params EndPoint[] peers)
    {
        cache = new MemoryContentCache();
        return new PeerDistClient(new PeerDistClientOptions
        {
            Cache = cache,
            PeerLocator = peers.Length == 0 ? null : new StaticPeerLocator(peers),
        });
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(10, cancellationToken);
        }
    }

    private static byte[] PseudoRandom(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
