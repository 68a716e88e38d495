using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace PeerDist.AspNetCore.Tests;

/// <summary>
/// A real Kestrel site on 127.0.0.1 (port 0) with PeerDist in front of the static file middleware, serving a fresh
/// temporary web root, plus two endpoints that send files: <c>/opted/{name}</c> (opted in) and <c>/plain/{name}</c> (not).
/// </summary>
public sealed class OriginTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private readonly bool _ownsRoot;

    private OriginTestHost(WebApplication app, string root, bool ownsRoot, Uri address)
    {
        _app = app;
        _ownsRoot = ownsRoot;
        WebRoot = root;
        BaseAddress = address;
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = address,
        };
    }

    public string WebRoot { get; }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public PeerDistOrigin Origin => _app.Services.GetRequiredService<PeerDistOrigin>();

    public static async Task<OriginTestHost> StartAsync(Action<PeerDistOriginOptions>? configure = null, string? root = null)
    {
        bool ownsRoot = root is null;
        root ??= Directory.CreateTempSubdirectory("peerdist-origin-tests-").FullName;
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = root, WebRootPath = root });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Services.AddPeerDistOrigin(options =>
        {
            options.ServerSecretPassphrase = "origin tests";
            configure?.Invoke(options);
        });

        WebApplication app = builder.Build();
        try
        {
            app.UsePeerDist();
        }
        catch
        {
            await app.DisposeAsync();
            if (ownsRoot)
            {
                Directory.Delete(root, recursive: true);
            }

            throw;
        }

        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(root),
            ServeUnknownFileTypes = true,
        });
        // Routing after PeerDist, so that a HEAD that asks for peerdist is routed as the GET it runs as.
        app.UseRouting();
        app.MapGet("/opted/{name}", (string name) => Results.File(Path.Combine(root, name), "application/octet-stream", enableRangeProcessing: true, lastModified: File.GetLastWriteTimeUtc(Path.Combine(root, name)))).WithPeerDist();
        app.MapGet("/plain/{name}", (string name) => Results.File(Path.Combine(root, name), "application/octet-stream", lastModified: File.GetLastWriteTimeUtc(Path.Combine(root, name))));
        app.MapGet("/bytes/{name}", (string name) =>
        {
            // An endpoint that writes the body itself (no SendFileAsync): ETag from the file's time, length known.
            string path = Path.Combine(root, name);
            var etag = new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{File.GetLastWriteTimeUtc(path).Ticks:x}\"");
            return Results.Bytes(File.ReadAllBytes(path), "application/octet-stream", entityTag: etag);
        }).WithPeerDist();
        app.MapGet("/writer/{name}", async (string name, HttpContext context) =>
        {
            // Writes through the PipeWriter in pieces.
            byte[] bytes = File.ReadAllBytes(Path.Combine(root, name));
            context.Response.ContentLength = bytes.Length;
            context.Response.Headers.ETag = "\"w1\"";
            for (int at = 0; at < bytes.Length; at += 10_000)
            {
                await context.Response.BodyWriter.WriteAsync(bytes.AsMemory(at, Math.Min(10_000, bytes.Length - at)));
            }
        }).WithPeerDist();
        app.MapGet("/chunked/{name}", async (string name, HttpContext context) =>
        {
            // No Content-Length: a length the content information could be checked against is unknown.
            context.Response.Headers.ETag = "\"c1\"";
            await context.Response.Body.WriteAsync(File.ReadAllBytes(Path.Combine(root, name)));
        }).WithPeerDist();
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new OriginTestHost(app, root, ownsRoot, new Uri(address));
    }

    public string WriteFile(string name, byte[] bytes)
    {
        string path = Path.Combine(WebRoot, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (!_ownsRoot)
        {
            return;
        }

        try
        {
            Directory.Delete(WebRoot, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
