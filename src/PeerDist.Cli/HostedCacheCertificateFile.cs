using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PeerDist.Cli;

/// <summary>
/// Loads the hosted cache's TLS certificate (MS-PCHC version 1.0) from <c>--certificate</c>: a PKCS#12 file (.pfx, .p12)
/// with <c>--certificate-password</c>, or a PEM certificate (.pem, .crt, .cer) with its key in the same file or in
/// <c>--certificate-key</c> (encrypted keys take <c>--certificate-password</c>). Every failure is a one-line
/// <see cref="CliException.BadInput"/> naming the file and the switch to fix.
/// </summary>
internal static class HostedCacheCertificateFile
{
    public static X509Certificate2 Load(string path, string? password, string? keyPath)
    {
        if (!File.Exists(path))
        {
            throw CliException.BadInput($"the certificate file '{path}' does not exist (--certificate)");
        }

        if (keyPath is not null && !File.Exists(keyPath))
        {
            throw CliException.BadInput($"the key file '{keyPath}' does not exist (--certificate-key)");
        }

        string extension = Path.GetExtension(path).ToLowerInvariant();
        return extension is ".pfx" or ".p12" ? LoadPkcs12(path, password, keyPath) : LoadPem(path, password, keyPath);
    }

    private static X509Certificate2 LoadPkcs12(string path, string? password, string? keyPath)
    {
        if (keyPath is not null)
        {
            throw CliException.Usage("--certificate-key is for PEM certificates; a .pfx/.p12 file carries its own key");
        }

        try
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.DefaultKeySet);
        }
        catch (CryptographicException e)
        {
            throw CliException.BadInput(password is null
                ? $"cannot read the certificate file '{path}': {e.Message.TrimEnd('.')} (if it is protected, give --certificate-password)"
                : $"cannot read the certificate file '{path}': wrong password (--certificate-password) or not a PKCS#12 file ({e.Message.TrimEnd('.')})");
        }
    }

    private static X509Certificate2 LoadPem(string path, string? password, string? keyPath)
    {
        X509Certificate2 loaded;
        try
        {
            loaded = password is null
                ? X509Certificate2.CreateFromPemFile(path, keyPath)
                : X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath);
        }
        catch (CryptographicException e)
        {
            throw CliException.BadInput(DescribePemFailure(path, keyPath, e));
        }

        using (loaded)
        {
            // A key loaded from PEM is ephemeral; a PKCS#12 round trip makes it usable by SslStream on every platform.
            return X509CertificateLoader.LoadPkcs12(loaded.Export(X509ContentType.Pkcs12), password: null);
        }
    }

    private static string DescribePemFailure(string path, string? keyPath, CryptographicException e)
    {
        try
        {
            using X509Certificate2 certificateOnly = X509CertificateLoader.LoadCertificateFromFile(path);
        }
        catch (CryptographicException)
        {
            return $"'{path}' is not a certificate (PEM, or .pfx/.p12 with --certificate-password): {e.Message.TrimEnd('.')} (--certificate)";
        }

        // The certificate reads, so the key is the problem: absent, encrypted, or not the certificate's.
        return keyPath is null
            ? $"the certificate '{path}' has no private key: give its key with --certificate-key KEY.pem (or a .pfx/.p12 file that contains it)"
            : $"cannot use the key '{keyPath}' with the certificate '{path}': {e.Message.TrimEnd('.')} (a wrong key, or an encrypted key without the right --certificate-password)";
    }
}
