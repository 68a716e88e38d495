using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PeerDist.Tests.Http;

/// <summary>
/// A content server on real Kestrel, 127.0.0.1 port 0, written for these tests (independent of PeerDist.AspNetCore): it
/// answers a GET that lists peerdist in Accept-Encoding with <c>X-P2P-PeerDist: Version=1.x</c> (and no Range, not a
/// missing-data request) with the resource's content information (V2 when X-P2P-PeerDistEx allows 2.0, else V1),
/// <c>Content-Encoding: peerdist</c> and <c>X-P2P-PeerDist: Version=1.1, ContentLength=n</c> (wire.md §4.3, §4.4);
/// everything else gets the plain bytes, honouring <c>Range: bytes=a-b</c>. POST is echoed. Every request is recorded.
/// Header checks are plain string tests, deliberately not the parsers under test.
/// </summary>
internal sealed class PeerDistTestOrigin : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, OriginResource> _resources = new(StringComparer.Ordinal);
    private int _next;

    private PeerDistTestOrigin(WebApplication app)
    {
        _app = app;
    }

    public Uri BaseAddress { get; private set; } = null!;

    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    public static async Task<PeerDistTestOrigin> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        WebApplication app = builder.Build();
        var origin = new PeerDistTestOrigin(app);
        app.Run(origin.HandleAsync);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        origin.BaseAddress = new Uri(address);
        Assert.That(origin.BaseAddress.Host, Is.EqualTo("127.0.0.1"), "the origin listens on loopback only");
        return origin;
    }

    /// <summary>Publishes <paramref name="resource"/> under a fresh path and returns its address.</summary>
    public Uri Add(OriginResource resource)
    {
        string path = "/files/" + Interlocked.Increment(ref _next).ToString(CultureInfo.InvariantCulture) + ".bin";
        _resources[path] = resource;
        return new Uri(BaseAddress, path);
    }

    /// <summary>The requests received for <paramref name="uri"/>, in arrival order.</summary>
    public SeenRequest[] RequestsFor(Uri uri) => [.. Requests.Where(r => r.Path == uri.AbsolutePath)];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        HttpResponse response = context.Response;
        var seen = new SeenRequest(
            request.Method,
            request.Path.Value ?? "",
            Header(request, "Accept-Encoding"),
            Header(request, "X-P2P-PeerDist"),
            Header(request, "X-P2P-PeerDistEx"),
            Header(request, "Range"),
            Header(request, "Authorization"),
            Header(request, "X-Api-Key"),
            Header(request, "If-None-Match"));
        Requests.Enqueue(seen);
        if (!_resources.TryGetValue(seen.Path, out OriginResource? resource))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (resource.RequiredAuthorization is { } required && seen.Authorization != required)
        {
            response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        if (HttpMethods.IsPost(request.Method))
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body, context.RequestAborted);
            await response.WriteAsync($"posted {body.Length} bytes", context.RequestAborted);
            return;
        }

        if (seen.IsHashRequest && resource.HashRequestGate is { } hashGate)
        {
            await hashGate.Task.WaitAsync(context.RequestAborted);
        }

        response.Headers.ETag = resource.ETag;
        response.Headers.LastModified = resource.LastModified.ToString("R", CultureInfo.InvariantCulture);
        response.Headers.AcceptRanges = "bytes";
        response.ContentType = resource.ContentType;
        bool peerDist = HttpMethods.IsGet(request.Method) && resource.AnswerPeerDist && seen.AdvertisesPeerDist &&
            seen.PeerDist?.StartsWith("Version=1.", StringComparison.Ordinal) == true && !seen.IsMissingDataRequest && seen.Range is null;
        if (peerDist)
        {
            await WriteContentInformationAsync(context, resource, seen);
            return;
        }

        if (resource.MakeHashRequest && !seen.IsHashRequest)
        {
            response.Headers["X-P2P-PeerDist"] = "Version=1.1";
            response.Headers["X-P2P-PeerDistEx"] = "MakeHashRequest=true";
        }

        long total = resource.Content.Length;
        long start = 0;
        long length = total;
        if (seen.Range is { } range && range.StartsWith("bytes=", StringComparison.Ordinal))
        {
            string[] bounds = range["bytes=".Length..].Split('-');
            start = long.Parse(bounds[0], CultureInfo.InvariantCulture);
            long last = bounds[1].Length == 0 ? total - 1 : Math.Min(total - 1, long.Parse(bounds[1], CultureInfo.InvariantCulture));
            length = last - start + 1;
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = $"bytes {start}-{last}/{total}";
        }

        if (seen.IsMissingDataRequest && resource.MissingDataGate is { } gate)
        {
            await gate.Task.WaitAsync(context.RequestAborted);
        }

        response.ContentLength = length;
        if (HttpMethods.IsHead(request.Method))
        {
            return;
        }

        byte[] bytes = resource.Content.AsSpan((int)start, (int)length).ToArray();
        if (seen.IsMissingDataRequest && resource.CorruptMissingDataOffset is long bad && bad >= start && bad < start + length)
        {
            bytes[bad - start] ^= 0x01;
        }

        await response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    private static async Task WriteContentInformationAsync(HttpContext context, OriginResource resource, SeenRequest seen)
    {
        HttpResponse response = context.Response;
        bool v2 = seen.PeerDistEx?.Contains("MaxContentInformation=2.0", StringComparison.Ordinal) == true;
        byte[] body = resource.InformationOverride ?? (v2 ? resource.V2 : resource.V1).ToArray();
        response.Headers.ContentEncoding = "peerdist";
        string peerDistHeader = resource.PeerDistHeaderOverride ?? $"Version=1.1, ContentLength={resource.Content.Length}";
        if (peerDistHeader.Length > 0)
        {
            response.Headers["X-P2P-PeerDist"] = peerDistHeader;
        }

        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted);
    }

    private static string? Header(HttpRequest request, string name) =>
        request.Headers.TryGetValue(name, out Microsoft.Extensions.Primitives.StringValues values) ? values.ToString() : null;
}
