using System.Net;
using PeerDist.Content;
using PeerDist.Cryptography;
using static PeerDist.AspNetCore.Tests.PccrtpRequests;

namespace PeerDist.AspNetCore.Tests;

/// <summary>Opted-in endpoints that write the body themselves (no SendFileAsync): the bytes are copied as they go out and hashed afterwards.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class PeerDistEndpointBodyTests
{
    private const int FileLength = (4 * BlockSize) + 999;

    private OriginTestHost _host = null!;
    private string _cache = null!;
    private ServerSecret _secret = null!;
    private byte[] _file = null!;

    [SetUp]
    public async Task SetUp()
    {
        _cache = Directory.CreateTempSubdirectory("peerdist-origin-cache-").FullName;
        _host = await OriginTestHost.StartAsync(o => o.CacheDirectory = _cache);
        _secret = ServerSecret.FromPassphrase("origin tests");
        _file = CreateContent(FileLength, seed: 30);
        _host.WriteFile("f.bin", _file);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _host.DisposeAsync();
        _secret.Dispose();
        Directory.Delete(_cache, recursive: true);
    }

    private async Task<(HttpResponseMessage Response, byte[] Body)> GetAsync(string path, (string, string)[] headers, HttpMethod? method = null)
    {
        using HttpRequestMessage request = Create(method ?? HttpMethod.Get, path, headers);
        HttpResponseMessage response = await _host.Client.SendAsync(request);
        return (response, await response.Content.ReadAsByteArrayAsync());
    }

    private async Task WaitForGenerationsAsync(long count)
    {
        while (_host.Origin.GetStatistics().Generations < count)
        {
            await Task.Delay(20);
        }
    }

    [TestCase("/bytes/f.bin")]
    [TestCase("/writer/f.bin")]
    public async Task Get_EndpointBody_FirstPlainWithMakeHashRequest_ThenContentInformation(string path)
    {
        (HttpResponseMessage first, byte[] firstBody) = await GetAsync(path, V2Client());
        using (first)
        {
            using (Assert.EnterMultipleScope())
            {
                Assert.That(firstBody, Is.EqualTo(_file));
                Assert.That(first.Content.Headers.ContentEncoding, Is.Empty);
                Assert.That(string.Join(",", first.Headers.GetValues("X-P2P-PeerDistEx")), Is.EqualTo("MakeHashRequest=true"));
            }
        }

        await WaitForGenerationsAsync(1);
        (HttpResponseMessage second, byte[] body) = await GetAsync(path, V2Client());
        using (second)
        {
            using (Assert.EnterMultipleScope())
            {
                Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(second.Content.Headers.ContentEncoding, Is.EqualTo(new[] { "peerdist" }));
                Assert.That(string.Join(",", second.Headers.GetValues("X-P2P-PeerDist")), Is.EqualTo($"Version=1.1, ContentLength={FileLength}"));
                Assert.That(second.Content.Headers.ContentLength, Is.EqualTo(body.Length));
            }

            await AssertDescribesAsync(body, _file, new ContentRange(0, FileLength), ContentInformationVersion.V2, _secret);
        }

        (HttpResponseMessage v1, byte[] v1Body) = await GetAsync(path, V1Client());
        using (v1)
        {
            await AssertDescribesAsync(v1Body, _file, new ContentRange(0, FileLength), ContentInformationVersion.V1, _secret);
        }

        // The copy of the body is deleted once hashed (just after the generation completes).
        string spool = Path.Combine(_cache, "peerdist-spool");
        for (int i = 0; i < 250 && Directory.EnumerateFiles(spool).Any(); i++)
        {
            await Task.Delay(20);
        }

        Assert.That(Directory.EnumerateFiles(spool), Is.Empty);
    }

    [Test]
    public async Task Get_EndpointBodyChanged_OldContentInformationNotServed()
    {
        (HttpResponseMessage first, _) = await GetAsync("/bytes/f.bin", V1Client());
        first.Dispose();
        await WaitForGenerationsAsync(1);

        byte[] changed = CreateContent(FileLength, seed: 31);
        string path = _host.WriteFile("f.bin", changed);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(3)); // a new ETag, same length

        (HttpResponseMessage response, byte[] body) = await GetAsync("/bytes/f.bin", V1Client());
        using (response)
        {
            using (Assert.EnterMultipleScope())
            {
                Assert.That(body, Is.EqualTo(changed));
                Assert.That(response.Content.Headers.ContentEncoding, Is.Empty);
            }
        }

        await WaitForGenerationsAsync(2);
        (HttpResponseMessage after, byte[] info) = await GetAsync("/bytes/f.bin", V1Client());
        using (after)
        {
            await AssertDescribesAsync(info, changed, new ContentRange(0, FileLength), ContentInformationVersion.V1, _secret);
        }
    }

    [Test]
    public async Task Head_EndpointBody_SameHeadersAsGetWithoutBody()
    {
        (HttpResponseMessage first, _) = await GetAsync("/writer/f.bin", V2Client());
        first.Dispose();
        await WaitForGenerationsAsync(1);

        (HttpResponseMessage get, byte[] getBody) = await GetAsync("/writer/f.bin", V2Client());
        (HttpResponseMessage head, byte[] headBody) = await GetAsync("/writer/f.bin", V2Client(), HttpMethod.Head);
        using (get)
        using (head)
        {
            using (Assert.EnterMultipleScope())
            {
                Assert.That(headBody, Is.Empty);
                Assert.That(head.Content.Headers.ContentEncoding, Is.EqualTo(new[] { "peerdist" }));
                Assert.That(head.Content.Headers.ContentLength, Is.EqualTo(getBody.Length));
                Assert.That(head.Headers.GetValues("X-P2P-PeerDist"), Is.EqualTo(get.Headers.GetValues("X-P2P-PeerDist")));
            }
        }
    }

    [Test]
    public async Task Get_EndpointWithoutContentLength_AlwaysPlain()
    {
        (HttpResponseMessage first, byte[] body) = await GetAsync("/chunked/f.bin", V2Client());
        using (first)
        {
            using (Assert.EnterMultipleScope())
            {
                Assert.That(body, Is.EqualTo(_file));
                Assert.That(first.Content.Headers.ContentEncoding, Is.Empty);
                Assert.That(first.Headers.Contains("X-P2P-PeerDistEx"), Is.False);
            }
        }

        await Task.Delay(200);
        Assert.That(_host.Origin.GetStatistics().Generations, Is.Zero);
    }

    [Test]
    public async Task Get_EndpointBody_PlainClientUnaffected()
    {
        (HttpResponseMessage response, byte[] body) = await GetAsync("/writer/f.bin", []);
        using (response)
        {
            using (Assert.EnterMultipleScope())
            {
                Assert.That(body, Is.EqualTo(_file));
                Assert.That(response.Headers.Contains("X-P2P-PeerDistEx"), Is.False);
                Assert.That(response.Headers.Vary, Is.Empty);
            }
        }
    }
}
