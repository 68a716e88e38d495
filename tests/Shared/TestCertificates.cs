using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PeerDist.Tests.Shared;

/// <summary>Self-signed certificates for TLS tests on loopback (never trusted by the machine; tests pin them).</summary>
public static class TestCertificates
{
    /// <summary>A fresh ECDSA P-256 server certificate for <c>localhost</c> / 127.0.0.1 with its private key, valid for a day.</summary>
    public static X509Certificate2 CreateServerCertificate(string subject = "CN=peerdist-test")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 created = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), password: null);
    }
}
