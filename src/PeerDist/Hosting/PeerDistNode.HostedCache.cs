using System.Diagnostics.Metrics;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using PeerDist.HostedCache;
using PeerDist.Transport.Http;

namespace PeerDist.Hosting;

/// <summary>The hosted-cache parts of the node: the offering client (MS-PCHC 3.2) and the hosted cache itself (MS-PCHC 3.1).</summary>
public sealed partial class PeerDistNode
{
    private PeerDistHttpServer? _https;
    private HostedCacheOfferer? _hostedCacheOfferer;

    private string PortSwitch => Options.Mode == PeerDistNodeMode.HostedCache ? "peerdist hosted-cache --port" : "peerdist serve --port";

    private static void CheckCertificate(PeerDistNodeOptions options)
    {
        if (options.Certificate is not { } certificate)
        {
            return;
        }

        if (!certificate.HasPrivateKey)
        {
            throw PeerDistNodeStartException.Create(
                PeerDistNodeStartError.CertificateWithoutPrivateKey,
                $"The hosted cache certificate '{certificate.Subject}' has no private key, so it cannot serve TLS (MS-PCHC version 1.0). Give a PFX/PKCS#12 file that contains the key, or the PEM certificate with its key (peerdist hosted-cache --certificate-key).");
        }

        DateTime now = DateTime.Now;
        if (now > certificate.NotAfter || now < certificate.NotBefore)
        {
            throw PeerDistNodeStartException.Create(
                PeerDistNodeStartError.CertificateInvalid,
                $"The hosted cache certificate '{certificate.Subject}' is valid from {certificate.NotBefore:u} to {certificate.NotAfter:u} only; clients would refuse it. Renew it (peerdist hosted-cache --certificate).");
        }
    }

    private void StartOffering()
    {
        if (_offerer is null)
        {
            return;
        }

        Uri target = Options.HostedCacheOfferUri ?? new Uri($"http://{Options.HostedCacheEndPoint}/");
        HostedCacheProtocolVersion version = target.Scheme == Uri.UriSchemeHttps ? HostedCacheProtocolVersion.V1 : HostedCacheProtocolVersion.V2;

        // The hosted cache pulls from the first bound endpoint's port, at the address the offer came from (MS-PCHC 3.1.5.2).
        _hostedCacheOfferer = new HostedCacheOfferer(
            new HostedCacheOffererOptions
            {
                HostedCache = target,
                Version = version,
                PccrrPort = _http!.LocalEndPoints[0].Port,
                ContentTag = Options.ContentTag,
                Handler = Options.HostedCacheCertificateThumbprint is { } thumbprint ? HostedCacheThumbprint.CreateHandler(thumbprint) : null,
            },
            _loggerFactory.CreateLogger<HostedCacheOfferer>());
        _offerer.Target = _hostedCacheOfferer;
        NodeLog.Offering(_logger, target, version == HostedCacheProtocolVersion.V1 ? "1.0" : "2.0");
    }

    private void StartTlsServer()
    {
        NodeLog.HostedCacheServing(_logger, string.Join(", ", _http!.LocalEndPoints));
        if (Options.Certificate is null)
        {
            NodeLog.NoCertificate(_logger);
            return;
        }

        var https = new PeerDistHttpServer(
            new PeerDistHttpServerOptions
            {
                EndPoints = Options.TlsListenEndPoints,
                ShutdownTimeout = Options.ShutdownTimeout,
                Tls = new SslServerAuthenticationOptions { ServerCertificate = Options.Certificate },
            },
            new Dictionary<string, IPeerDistRequestHandler> { [PeerDistHttpPaths.HostedCacheV1] = _hostedCache!.Server.V1Handler });
        try
        {
            https.Start();
        }
        catch (SocketException e)
        {
            throw BindFailure(Options.TlsListenEndPoints, e, "peerdist hosted-cache --tls-port");
        }

        _https = https;
        NodeLog.HostedCacheTls(_logger, string.Join(", ", https.LocalEndPoints));
    }

    private async Task StopHostedCacheAsync(CancellationToken cancellationToken)
    {
        if (_offerer is not null)
        {
            _offerer.Target = null;
        }

        if (_hostedCacheOfferer is not null)
        {
            await _hostedCacheOfferer.DisposeAsync().ConfigureAwait(false);
        }

        if (_https is not null)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Options.ShutdownTimeout);
            await _https.StopAsync(timeout.Token).ConfigureAwait(false);
            await _https.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void RegisterHostedCacheInstruments()
    {
        // Observable: the hosted cache server keeps its own counters; the meter reads them when a listener collects.
        Meter meter = Metrics.Meter;
        meter.CreateObservableCounter("peerdist.hosted_cache.offers_answered", () => _hostedCache!.Server.GetStatistics().OffersAnswered, "{offer}", "MS-PCHC offers answered.");
        meter.CreateObservableCounter("peerdist.hosted_cache.offers_dropped", () => _hostedCache!.Server.GetStatistics().OffersDropped, "{offer}", "MS-PCHC requests dropped as malformed.");
        meter.CreateObservableCounter("peerdist.hosted_cache.pulls_completed", () => _hostedCache!.Server.GetStatistics().PullsCompleted, "{segment}", "Offered segments pulled completely.");
        meter.CreateObservableCounter("peerdist.hosted_cache.pulls_failed", () => _hostedCache!.Server.GetStatistics().PullsFailed, "{segment}", "Offered segment pulls that stopped early.");
        meter.CreateObservableCounter("peerdist.hosted_cache.bytes_pulled", () => _hostedCache!.Server.GetStatistics().BytesPulled, "By", "Bytes pulled from offering clients.");
    }
}
