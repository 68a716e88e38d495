using System.Diagnostics.Metrics;
using System.Net;
using PeerDist.Content;
using PeerDist.Cryptography;
using static PeerDist.AspNetCore.Tests.PccrtpRequests;

namespace PeerDist.AspNetCore.Tests;

[TestFixture]
[CancelAfter(60_000)]
public sealed class PeerDistMiddlewareTests
{
    private const int FileLength = (5 * BlockSize) + 4321;

    private OriginTestHost _host = null!;
    private ServerSecret _secret = null!;
    private byte[] _file = null!;

    [SetUp]
    public async Task SetUp()
    {
        _host = await OriginTestHost.StartAsync();
        _secret = ServerSecret.FromPassphrase("origin tests");
        _file = CreateContent(FileLength, seed: 1);
        _host.WriteFile("big.bin", _file);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _host.DisposeAsync();
        _secret.Dispose();
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            return await _host.Client.SendAsync(request);
        }
    }

    private async Task PublishAheadAsync(string name = "big.bin") =>
        await _host.Origin.PublishFileAsync(Path.Combine(_host.WebRoot, name));

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out IEnumerable<string>? values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : null;

    private static async Task AssertPlainAsync(HttpResponseMessage response, byte[] expected)
    {
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentEncoding, Is.Empty);
            Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(expected.Length));
            Assert.That(body, Is.EqualTo(expected));
        }
    }

    [Test]
    public async Task Get_ClientWithoutPeerDist_GetsThePlainSiteByteForByte()
    {
        using HttpResponseMessage response = await SendAsync(Create("/big.bin", ("Accept-Encoding", "gzip, deflate")));
        await PublishAheadAsync();
        using HttpResponseMessage after = await SendAsync(Create("/big.bin", ("Accept-Encoding", "gzip, deflate")));

        await AssertPlainAsync(response, _file);
        await AssertPlainAsync(after, _file);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Header(after, "X-P2P-PeerDist"), Is.Null);
            Assert.That(Header(after, "X-P2P-PeerDistEx"), Is.Null);
            Assert.That(after.Headers.Vary, Is.Empty);
            Assert.That(_host.Origin.GetStatistics().PlainResponses, Is.Zero, "a client that does not speak PeerDist is not counted");
        }
    }

    [Test]
    public async Task Get_FirstRequest_PlainWithMakeHashRequest_LaterRequestContentInformation()
    {
        using HttpResponseMessage first = await SendAsync(Create("/big.bin", V1Client()));
        await AssertPlainAsync(first, _file);
        using (Assert.EnterMultipleScope())
        {
            // wire.md §4.4 "Server without hashes yet".
            Assert.That(Header(first, "X-P2P-PeerDistEx"), Is.EqualTo("MakeHashRequest=true"));
            Assert.That(Header(first, "X-P2P-PeerDist"), Is.EqualTo("Version=1.0"));
        }

        while (_host.Origin.GetStatistics().Generations == 0)
        {
            await Task.Delay(20);
        }

        using HttpResponseMessage second = await SendAsync(Create("/big.bin", V1Client()));
        byte[] body = await second.Content.ReadAsByteArrayAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Header(second, "Content-Encoding"), Is.EqualTo("peerdist"));
            Assert.That(Header(second, "X-P2P-PeerDist"), Is.EqualTo($"Version=1.0, ContentLength={FileLength}"));
            Assert.That(second.Content.Headers.ContentLength, Is.EqualTo(body.Length));
            Assert.That(second.Headers.ETag, Is.EqualTo(first.Headers.ETag));
            Assert.That(second.Content.Headers.LastModified, Is.EqualTo(first.Content.Headers.LastModified));
            Assert.That(second.Content.Headers.ContentType, Is.EqualTo(first.Content.Headers.ContentType));
            Assert.That(second.Headers.Vary, Does.Contain("Accept-Encoding"));
            Assert.That(_host.Origin.GetStatistics(), Is.EqualTo(new PeerDistOriginStatistics
            {
                PeerDistResponses = 1,
                PlainResponses = 1,
                MakeHashResponses = 1,
                ContentInformationBytes = body.Length,
                Generations = 1,
            }));
        }

        ContentInformation info = await AssertDescribesAsync(body, _file, new ContentRange(0, FileLength), ContentInformationVersion.V1, _secret);
        Assert.That(info.Segments.Sum(s => s.ListedBlockCount), Is.EqualTo(6), "every block of the file is listed");
    }

    [Test]
    public async Task Get_HashRequest_WaitsForGenerationAndGetsV2()
    {
        using HttpResponseMessage response = await SendAsync(Create("/big.bin", V2Client(hashRequest: true)));
        byte[] body = await response.Content.ReadAsByteArrayAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Header(response, "Content-Encoding"), Is.EqualTo("peerdist"));
            Assert.That(Header(response, "X-P2P-PeerDist"), Is.EqualTo($"Version=1.1, ContentLength={FileLength}"));
        }

        await AssertDescribesAsync(body, _file, new ContentRange(0, FileLength), ContentInformationVersion.V2, _secret);
    }

    [Test]
    public async Task Get_SpecExampleHeaders_AnswerInTheSpecForm()
    {
        await PublishAheadAsync();

        // wire.md §4.4 client request: Version=1.1 capped at MaxContentInformation=1.0.
        using HttpResponseMessage response = await SendAsync(Create(
            "/big.bin",
            ("Accept", "*/*"),
            ("Accept-Language", "en-US"),
            ("Accept-Encoding", "gzip, deflate, peerdist"),
            ("X-P2P-PeerDist", "Version=1.1"),
            ("X-P2P-PeerDistEx", "MinContentInformation=1.0, MaxContentInformation=1.0"),
            ("User-Agent", "Mozilla/4.0")));
        byte[] body = await response.Content.ReadAsByteArrayAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Header(response, "Content-Encoding"), Is.EqualTo("peerdist"));
            Assert.That(Header(response, "X-P2P-PeerDist"), Is.EqualTo($"Version=1.1, ContentLength={FileLength}"));
            Assert.That(response.Headers.ETag, Is.Not.Null);
            Assert.That(response.Content.Headers.LastModified, Is.Not.Null);
            Assert.That(response.Headers.AcceptRanges, Does.Contain("bytes"));
        }

        await AssertDescribesAsync(body, _file, new ContentRange(0, FileLength), ContentInformationVersion.V1, _secret);
    }

    [Test]
    public async Task Get_NoPeerDistInAcceptEncoding_IdenticalPlainContent()
    {
        await PublishAheadAsync();

        // WPTS ContentServer_PccrtpServer_ContentEncodingNotHavePeerDist.
        using HttpResponseMessage response = await SendAsync(Create("/big.bin", ("Accept-Encoding", "gzip, deflate"), ("X-P2P-PeerDist", "Version=1.1")));

        await AssertPlainAsync(response, _file);
    }

    [TestCase("Version=999.999", null, TestName = "Get_Version999_PlainContent")]
    [TestCase("Version=1.1", "MinContentInformation=900.0, MaxContentInformation=999.0", TestName = "Get_ContentInformationWindow900To999_PlainContent")]
    [TestCase("Version=1.0, MissingDataRequest=InvalidValue", null, TestName = "Get_MissingDataRequestInvalidValue_PlainContent")]
    [TestCase("Version=abc", null, TestName = "Get_MalformedVersion_PlainContent")]
    [TestCase("Version=1.1", "MinContentInformation=1.0, MaxContentInformation=two", TestName = "Get_MalformedPeerDistEx_PlainContent")]
    public async Task Get_UnusableHeaders_PlainContent(string peerDist, string? peerDistEx)
    {
        await PublishAheadAsync();
        var headers = new List<(string, string)> { ("Accept-Encoding", "gzip, deflate, peerdist"), ("X-P2P-PeerDist", peerDist) };
        if (peerDistEx is not null)
        {
            headers.Add(("X-P2P-PeerDistEx", peerDistEx));
        }

        using HttpResponseMessage response = await SendAsync(Create("/big.bin", [.. headers]));

        await AssertPlainAsync(response, _file);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Header(response, "X-P2P-PeerDistEx"), Is.Null);
            Assert.That(_host.Origin.GetStatistics().PlainResponses, Is.EqualTo(1));
            Assert.That(_host.Origin.GetStatistics().PeerDistResponses, Is.Zero);
        }
    }

    [TestCase("PeerDist", "Version=1.1")]
    [TestCase("gzip;q=0.5, PEERDIST;q=0.8", "Version=1.1")]
    [TestCase("peerdist", "version=1.1")]
    public async Task Get_CaseAndWeightVariants_ContentInformation(string acceptEncoding, string peerDist)
    {
        await PublishAheadAsync();

        using HttpResponseMessage response = await SendAsync(Create("/big.bin", ("Accept-Encoding", acceptEncoding), ("X-P2P-PeerDist", peerDist)));
        byte[] body = await response.Content.ReadAsByteArrayAsync();

        Assert.That(Header(response, "Content-Encoding"), Is.EqualTo("peerdist"));
        await AssertDescribesAsync(body, _file, new ContentRange(0, FileLength), ContentInformationVersion.V1, _secret);
    }

    [Test]
    public async Task Get_PeerDistRefusedWithQZero_PlainContent()
    {
        await PublishAheadAsync();

        using HttpResponseMessage response = await SendAsync(Create("/big.bin", ("Accept-Encoding", "gzip, peerdist;q=0"), ("X-P2P-PeerDist", "Version=1.1")));

        await AssertPlainAsync(response, _file);
    }

    [Test]
    public async Task Get_MissingDataRequestFalse_ContentInformation()
    {
        await PublishAheadAsync();

        // WPTS ContentServer_PccrtpServer_MissingDataRequestFalse.
        using HttpResponseMessage response = await SendAsync(Create(
            "/big.bin", ("Accept-Encoding", "peerdist"), ("X-P2P-PeerDist", "Version=1.0, MissingDataRequest=false")));
        byte[] body = await response.Content.ReadAsByteArrayAsync();

        Assert.That(Header(response, "Content-Encoding"), Is.EqualTo("peerdist"));
        await AssertDescribesAsync(body, _file, new ContentRange(0, FileLength), ContentInformationVersion.V1, _secret);
    }

    [TestCase("Version=1.0,MissingDataRequest=true", TestName = "Get_MissingDataRequestTrue_WptsForm_RangeHonouredAndCounted")]
    [TestCase("Version=1.1, MissingDataRequest=true", TestName = "Get_MissingDataRequestTrue_IpxeForm_RangeHonouredAndCounted")]
    public async Task Get_MissingDataRequestTrue_RangeHonouredAndCounted(string peerDist)
    {
        await PublishAheadAsync();

        // wire.md §4.2: the fallback is a plain range GET without peerdist in Accept-Encoding.
        using HttpResponseMessage response = await SendAsync(Create("/big.bin", ("X-P2P-PeerDist", peerDist), ("Range", "bytes=70000-70999")));
        byte[] body = await response.Content.ReadAsByteArrayAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
            Assert.That(response.Content.Headers.ContentEncoding, Is.Empty);
            Assert.That(response.Content.Headers.ContentRange?.ToString(), Is.EqualTo($"bytes 70000-70999/{FileLength}"));
            Assert.That(body, Is.EqualTo(_file.AsSpan(70000, 1000).ToArray()));
            Assert.That(_host.Origin.GetStatistics().MissingDataRequests, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Get_MissingDataRequestTrueWithPeerDistAccepted_StillPlainContent()
    {
        await PublishAheadAsync();

        // WPTS MissingContentRetrieval_HTTPOnly sends Accept-Encoding: peerdist too and expects the real content.
        using HttpResponseMessage response = await SendAsync(Create(
            "/big.bin", ("Accept-Encoding", "peerdist"), ("X-P2P-PeerDist", "Version=1.1,MissingDataRequest=true")));

        await AssertPlainAsync(response, _file);
        Assert.That(_host.Origin.GetStatistics().MissingDataRequests, Is.EqualTo(1));
    }

    [Test]
    public async Task Head_PeerDist_SameHeadersAsGetWithoutBody()
    {
        await PublishAheadAsync();

        using HttpResponseMessage get = await SendAsync(Create("/big.bin", V2Client()));
        byte[] getBody = await get.Content.ReadAsByteArrayAsync();
        using HttpResponseMessage head = await SendAsync(Create(HttpMethod.Head, "/big.bin", V2Client()));
        byte[] headBody = await head.Content.ReadAsByteArrayAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(headBody, Is.Empty);
            Assert.That(Header(head, "Content-Encoding"), Is.EqualTo("peerdist"));
            Assert.That(Header(head, "X-P2P-PeerDist"), Is.EqualTo(Header(get, "X-P2P-PeerDist")));
            Assert.That(head.Content.Headers.ContentLength, Is.EqualTo(getBody.Length));
            Assert.That(head.Headers.ETag, Is.EqualTo(get.Headers.ETag));
            Assert.That(head.Content.Headers.LastModified, Is.EqualTo(get.Content.Headers.LastModified));
        }
    }

    [Test]
    public async Task Head_NotGenerated_PlainHeadersWithMakeHashRequest()
    {
        using HttpResponseMessage head = await SendAsync(Create(HttpMethod.Head, "/big.bin", V2Client()));
        byte[] body = await head.Content.ReadAsByteArrayAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body, Is.Empty);
            Assert.That(head.Content.Headers.ContentLength, Is.EqualTo(FileLength));
            Assert.That(head.Content.Headers.ContentEncoding, Is.Empty);
            Assert.That(Header(head, "X-P2P-PeerDistEx"), Is.EqualTo("MakeHashRequest=true"));
        }
    }

    [Test]
    public async Task Head_PlainClient_PlainHeaders()
    {
        using HttpResponseMessage head = await SendAsync(Create(HttpMethod.Head, "/big.bin"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(head.Content.Headers.ContentLength, Is.EqualTo(FileLength));
            Assert.That(head.Content.Headers.ContentEncoding, Is.Empty);
            Assert.That(Header(head, "X-P2P-PeerDist"), Is.Null);
        }
    }

    [TestCase(ContentInformationVersion.V1)]
    [TestCase(ContentInformationVersion.V2)]
    public async Task Get_RangeWithPeerDist_200WithRangeRestrictedContentInformation(ContentInformationVersion version)
    {
        await PublishAheadAsync();
        (string, string)[] headers = version == ContentInformationVersion.V1 ? V1Client() : V2Client();

        using HttpResponseMessage response = await SendAsync(Create("/big.bin", [.. headers, ("Range", "bytes=100000-230000")]));
        byte[] body = await response.Content.ReadAsByteArrayAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Header(response, "Content-Encoding"), Is.EqualTo("peerdist"));
            Assert.That(response.Content.Headers.ContentRange, Is.Null);
            Assert.That(Header(response, "X-P2P-PeerDist"), Does.EndWith(", ContentLength=130001"));
        }

        await AssertDescribesAsync(body, _file, new ContentRange(100000, 130001), version, _secret);
    }

    [Test]
    public async Task Get_SmallFile_AlwaysPlainAndNeverHashed()
    {
        byte[] small = CreateContent(65535, seed: 2);
        _host.WriteFile("small.bin", small);

        using HttpResponseMessage response = await SendAsync(Create("/small.bin", V2Client(hashRequest: true)));

        await AssertPlainAsync(response, small);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Header(response, "X-P2P-PeerDistEx"), Is.Null);
            Assert.That(_host.Origin.GetStatistics().Generations, Is.Zero);
            Assert.That(_host.Origin.Publisher.GetStatistics().PendingGenerations, Is.Zero);
        }
    }

    [Test]
    public async Task Get_FileAtThreshold_IsServedAsPeerDist()
    {
        byte[] exact = CreateContent(65536, seed: 3);
        _host.WriteFile("exact.bin", exact);

        using HttpResponseMessage response = await SendAsync(Create("/exact.bin", V1Client()));
        await response.Content.ReadAsByteArrayAsync();
        using HttpResponseMessage second = await SendAsync(Create("/exact.bin", [.. V2Client(hashRequest: true)]));
        byte[] body = await second.Content.ReadAsByteArrayAsync();

        Assert.That(Header(second, "Content-Encoding"), Is.EqualTo("peerdist"));
        await AssertDescribesAsync(body, exact, new ContentRange(0, exact.Length), ContentInformationVersion.V2, _secret);
    }

    [Test]
    public async Task Get_FileChanged_NewContentInformation()
    {
        await PublishAheadAsync();
        using HttpResponseMessage before = await SendAsync(Create("/big.bin", V1Client()));
        byte[] oldBody = await before.Content.ReadAsByteArrayAsync();

        byte[] changed = CreateContent(FileLength + BlockSize, seed: 4);
        string path = _host.WriteFile("big.bin", changed);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(5));

        using HttpResponseMessage first = await SendAsync(Create("/big.bin", V1Client()));
        await AssertPlainAsync(first, changed);
        Assert.That(Header(first, "X-P2P-PeerDistEx"), Is.EqualTo("MakeHashRequest=true"), "the old hashes are never served for the new bytes");

        using HttpResponseMessage after = await SendAsync(Create("/big.bin", [.. V1Client(), ("X-P2P-PeerDistEx", "MinContentInformation=1.0, MaxContentInformation=1.0, HashRequest=true")]));
        byte[] newBody = await after.Content.ReadAsByteArrayAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Header(before, "Content-Encoding"), Is.EqualTo("peerdist"));
            Assert.That(Header(after, "Content-Encoding"), Is.EqualTo("peerdist"));
            Assert.That(Header(after, "X-P2P-PeerDist"), Is.EqualTo($"Version=1.0, ContentLength={changed.Length}"));
            Assert.That(newBody, Is.Not.EqualTo(oldBody));
        }

        await AssertDescribesAsync(newBody, changed, new ContentRange(0, changed.Length), ContentInformationVersion.V1, _secret);
    }

    [Test]
    public async Task Get_OptedInEndpoint_ContentInformation()
    {
        using HttpResponseMessage response = await SendAsync(Create("/opted/big.bin", V2Client(hashRequest: true)));
        byte[] body = await response.Content.ReadAsByteArrayAsync();

        Assert.That(Header(response, "Content-Encoding"), Is.EqualTo("peerdist"));
        await AssertDescribesAsync(body, _file, new ContentRange(0, FileLength), ContentInformationVersion.V2, _secret);
    }

    [Test]
    public async Task Get_EndpointNotOptedIn_PlainWithoutMakeHashRequest()
    {
        using HttpResponseMessage response = await SendAsync(Create("/plain/big.bin", V2Client(hashRequest: true)));

        await AssertPlainAsync(response, _file);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Header(response, "X-P2P-PeerDistEx"), Is.Null);
            Assert.That(_host.Origin.GetStatistics().Generations, Is.Zero);
        }
    }

    [Test]
    public async Task Get_NotFound_Untouched404()
    {
        using HttpResponseMessage response = await SendAsync(Create("/missing.bin", V2Client()));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Get_ConcurrentFirstRequests_GenerateOnce()
    {
        Task<HttpResponseMessage>[] requests = [.. Enumerable.Range(0, 6).Select(_ => SendAsync(Create("/big.bin", V2Client(hashRequest: true))))];
        HttpResponseMessage[] responses = await Task.WhenAll(requests);
        foreach (HttpResponseMessage response in responses)
        {
            response.Dispose();
        }

        Assert.That(_host.Origin.GetStatistics().Generations, Is.EqualTo(1));
    }

    [Test]
    public async Task Get_MultiSegmentFile_V1ContentInformationVerifies()
    {
        // WPTS ContentServer_PccrcServer_MultipleSegment: more than one 32 MiB V1 segment.
        byte[] large = CreateContent((32 * 1024 * 1024) + (3 * BlockSize) + 17, seed: 40);
        _host.WriteFile("large.bin", large);
        await _host.Origin.PublishFileAsync(Path.Combine(_host.WebRoot, "large.bin"));

        using HttpResponseMessage response = await SendAsync(Create(
            "/large.bin", ("Accept-Encoding", "peerdist"), ("X-P2P-PeerDist", "Version=1.1"), ("X-P2P-PeerDistEx", "MinContentInformation=1.0, MaxContentInformation=1.0")));
        byte[] body = await response.Content.ReadAsByteArrayAsync();

        Assert.That(Header(response, "X-P2P-PeerDist"), Is.EqualTo($"Version=1.1, ContentLength={large.Length}"));
        ContentInformation info = await AssertDescribesAsync(body, large, new ContentRange(0, large.Length), ContentInformationVersion.V1, _secret);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(info.Segments, Has.Count.EqualTo(2));
            Assert.That(info.Segments.Sum(s => s.ListedBlockCount), Is.EqualTo(512 + 4));
        }
    }

    [Test]
    public async Task Meter_PeerDistAndPlainResponses_AreReported()
    {
        var measurements = new List<(string Instrument, long Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == PeerDistOrigin.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (measurements)
            {
                measurements.Add((instrument.Name, value));
            }
        });
        listener.Start();

        using HttpResponseMessage plain = await SendAsync(Create("/big.bin", V1Client()));
        await PublishAheadAsync();
        using HttpResponseMessage peerDist = await SendAsync(Create("/big.bin", V1Client()));
        using HttpResponseMessage missing = await SendAsync(Create("/big.bin", ("X-P2P-PeerDist", "Version=1.1, MissingDataRequest=true")));
        listener.RecordObservableInstruments();

        lock (measurements)
        {
            using (Assert.EnterMultipleScope())
            {
                Assert.That(measurements.Where(m => m.Instrument == "peerdist.origin.peerdist_responses").Sum(m => m.Value), Is.EqualTo(1));
                Assert.That(measurements.Where(m => m.Instrument == "peerdist.origin.plain_responses").Sum(m => m.Value), Is.EqualTo(1));
                Assert.That(measurements.Where(m => m.Instrument == "peerdist.origin.missing_data_requests").Sum(m => m.Value), Is.EqualTo(1));
                Assert.That(measurements.Where(m => m.Instrument == "peerdist.origin.generations").Select(m => m.Value).LastOrDefault(), Is.GreaterThanOrEqualTo(1));
            }
        }
    }
}
