using System.Security.Cryptography;
using PeerDist.Content;
using PeerDist.Cryptography;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Cryptography;

/// <summary>
/// The server secret (MS-PCCRC 2.5): from raw key bytes, from a <c>netsh branchcache set key</c> passphrase, and from a
/// <c>netsh branchcache exportkey</c> file. The key files in spec-vectors/pccrc/keyfile were made with openssl, not with
/// this code (see spec-vectors/README.md).
/// </summary>
public class ServerSecretTests
{
    private const string IpxeSecretKeyHex = "2a3d73eb435e9f2b8a344267e7467a3c7385c6e055e2b4d30dfec7c38b0ed72c";

    public static IEnumerable<TestCaseData> KeyFiles() =>
        TestVectors.Names("pccrc/keyfile").Select(name => new TestCaseData(TestVectors.Load("pccrc/keyfile", name)).SetArgDisplayNames(name));

    [TestCase(ContentHashAlgorithm.Sha256, ExpectedResult = "7e7808bc36d0dd67f344928421614399497f0e85149f6f2bc4dd7b7856acc1a1")] // iPXE pccrc_test.c V1
    [TestCase(ContentHashAlgorithm.Sha512Truncated, ExpectedResult = "68e8229a3f1d6c7fe9b3f75911c3f18c9086785177afd73f7d22615570a0e7cc")] // iPXE pccrc_test.c V2
    public string FromKey_IpxeSecretKey_DerivesPublishedKs(ContentHashAlgorithm algorithm)
    {
        using var secret = ServerSecret.FromKey(Convert.FromHexString(IpxeSecretKeyHex));
        return DeriveHex(secret, algorithm);
    }

    [Test]
    public void FromKey_SourceChangedAfterwards_KeepsItsOwnCopy()
    {
        byte[] key = Convert.FromHexString(IpxeSecretKeyHex);
        using var secret = ServerSecret.FromKey(key);
        key.AsSpan().Clear();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(secret.Length, Is.EqualTo(32));
            Assert.That(DeriveHex(secret, ContentHashAlgorithm.Sha256), Is.EqualTo("7e7808bc36d0dd67f344928421614399497f0e85149f6f2bc4dd7b7856acc1a1"));
        }
    }

    [Test]
    public void FromKey_Empty_ThrowsArgumentException()
    {
        Assert.That(() => ServerSecret.FromKey([]), Throws.ArgumentException);
    }

    [TestCase(ContentHashAlgorithm.Sha256)]
    [TestCase(ContentHashAlgorithm.Sha384)]
    [TestCase(ContentHashAlgorithm.Sha512)]
    [TestCase(ContentHashAlgorithm.Sha512Truncated)]
    public void FromPassphrase_ServerSecret_EqualsUtf16LeBytesWithoutTerminator(ContentHashAlgorithm algorithm)
    {
        // pccrc.md §3.3: WPTS configures Windows with `netsh branchcache set key "server secret"` and checks its output
        // with the UTF-16LE bytes of the passphrase, no NUL.
        byte[] utf16 = Convert.FromHexString("7300650072007600650072002000730065006300720065007400");
        using var fromPassphrase = ServerSecret.FromPassphrase("server secret");
        using var fromKey = ServerSecret.FromKey(utf16);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(fromPassphrase.Length, Is.EqualTo(26));
            Assert.That(DeriveHex(fromPassphrase, algorithm), Is.EqualTo(DeriveHex(fromKey, algorithm)));
        }
    }

    [Test]
    public void FromPassphrase_NonAscii_UsesUtf16LeCodeUnits()
    {
        // U+00E4, U+00F6 and U+20AC are one UTF-16 code unit each; U+1F511 is a surrogate pair.
        using var fromPassphrase = ServerSecret.FromPassphrase("P\u00e4\u00f6\u20ac\U0001F511");
        using var fromKey = ServerSecret.FromKey(Convert.FromHexString("5000e400f600ac203dd811dd"));
        Assert.That(DeriveHex(fromPassphrase, ContentHashAlgorithm.Sha256), Is.EqualTo(DeriveHex(fromKey, ContentHashAlgorithm.Sha256)));
    }

    [Test]
    public void FromPassphrase_NullOrEmpty_ThrowsArgumentException()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => ServerSecret.FromPassphrase(null!), Throws.InstanceOf<ArgumentException>());
            Assert.That(() => ServerSecret.FromPassphrase(string.Empty), Throws.ArgumentException);
        }
    }

    [TestCaseSource(nameof(KeyFiles))]
    public void FromExportedKeyFile_OpenSslFile_DerivesKs(TestVectors.Vector keyFile)
    {
        using var secret = ServerSecret.FromExportedKeyFile(keyFile.Bytes, keyFile.String("password")!);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(secret.Length, Is.EqualTo(keyFile.Hex("serverSecretHex")!.Length));
            Assert.That(DeriveHex(secret, ContentHashAlgorithm.Sha256), Is.EqualTo(keyFile.String("ksHex")));
            Assert.That(DeriveHex(secret, ContentHashAlgorithm.Sha512Truncated), Is.EqualTo(keyFile.String("ksV2Hex")));
        }
    }

    [Test]
    public void FromExportedKeyFile_IpxeSecretFile_DerivesTheWindowsSegmentSecret()
    {
        // End to end: key file → Ks → the Kp and segment ID an IIS 8.5 server published (iPXE, pccrc.md §5.2).
        TestVectors.Vector keyFile = TestVectors.Load("pccrc/keyfile", "exportkey-ipxe-secret");
        TestVectors.Vector windows = TestVectors.Load("pccrc/v1", "ipxe-iis85-v1");
        using var secret = ServerSecret.FromExportedKeyFile(keyFile.Bytes, "P@ssw0rd");
        byte[] ks = new byte[32];
        secret.DeriveServerKey(ContentHashAlgorithm.Sha256, ks);
        System.Text.Json.JsonElement segment = windows.Json.GetProperty("segments")[0];
        byte[] hod = Convert.FromHexString(segment.GetProperty("hod").GetString()!);
        byte[] kp = new byte[32];
        PeerDistKeyDerivation.ComputeSegmentSecret(ContentHashAlgorithm.Sha256, ks, hod, kp);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Convert.ToHexStringLower(ks), Is.EqualTo(windows.String("ksHex")));
            Assert.That(Convert.ToHexStringLower(kp), Is.EqualTo(segment.GetProperty("kp").GetString()));
        }
    }

    [TestCaseSource(nameof(KeyFiles))]
    public void FromExportedKeyFile_WrongPassword_ThrowsInvalidKeyFileWithoutKeyMaterial(TestVectors.Vector keyFile)
    {
        var exception = Assert.Throws<PeerDistFormatException>(() => ServerSecret.FromExportedKeyFile(keyFile.Bytes, keyFile.String("wrongPassword")!));
        Assert.That(exception.Error, Is.EqualTo(PeerDistFormatError.InvalidKeyFile));
        AssertNoSecrets(exception.ToString(), keyFile);
        AssertNoSecrets(exception.Message, keyFile);
    }

    [Test]
    public void FromExportedKeyFile_ValidPaddingButWrongChecksum_ThrowsInvalidKeyFile()
    {
        // Encrypted with the right key, but the first 32 bytes are not SHA-256 of the rest (MS-PCCRC 2.5).
        byte[] plaintext = [.. new byte[32], .. Convert.FromHexString(IpxeSecretKeyHex)];
        byte[] file = EncryptLikeExportKey(plaintext, "P@ssw0rd");
        var exception = Assert.Throws<PeerDistFormatException>(() => ServerSecret.FromExportedKeyFile(file, "P@ssw0rd"));
        Assert.That(exception.Error, Is.EqualTo(PeerDistFormatError.InvalidKeyFile));
        Assert.That(exception.Message, Does.Not.Contain(IpxeSecretKeyHex).IgnoreCase);
    }

    [Test]
    public void FromExportedKeyFile_NoSecretAfterChecksum_ThrowsInvalidKeyFile()
    {
        byte[] file = EncryptLikeExportKey(SHA256.HashData(Array.Empty<byte>()), "P@ssw0rd");
        Assert.That(file, Has.Length.EqualTo(48));
        var exception = Assert.Throws<PeerDistFormatException>(() => ServerSecret.FromExportedKeyFile(file, "P@ssw0rd"));
        Assert.That(exception.Error, Is.EqualTo(PeerDistFormatError.InvalidKeyFile));
    }

    [TestCase(0)]
    [TestCase(16)]
    [TestCase(32)]
    [TestCase(47)]
    [TestCase(79)]
    [TestCase(81)]
    public void FromExportedKeyFile_LengthNotWholeBlocksOrTooShort_ThrowsInvalidKeyFile(int length)
    {
        TestVectors.Vector keyFile = TestVectors.Load("pccrc/keyfile", "exportkey-ipxe-secret");
        byte[] file = new byte[length];
        keyFile.Bytes.AsSpan(0, Math.Min(length, keyFile.Bytes.Length)).CopyTo(file);
        var exception = Assert.Throws<PeerDistFormatException>(() => ServerSecret.FromExportedKeyFile(file, "P@ssw0rd"));
        Assert.That(exception.Error, Is.EqualTo(PeerDistFormatError.InvalidKeyFile));
    }

    [Test]
    public void FromExportedKeyFile_NullPassword_ThrowsArgumentNullException()
    {
        TestVectors.Vector keyFile = TestVectors.Load("pccrc/keyfile", "exportkey-ipxe-secret");
        Assert.That(() => ServerSecret.FromExportedKeyFile(keyFile.Bytes, null!), Throws.ArgumentNullException);
    }

    [TestCaseSource(nameof(KeyFiles))]
    public void ExportKeyFile_SameKeyAndPassword_EqualsOpenSslBytes(TestVectors.Vector keyFile)
    {
        // Fixed key, zero IV and no salt make the export deterministic, so it must equal openssl's output exactly.
        using var secret = ServerSecret.FromKey(keyFile.Hex("serverSecretHex"));
        Assert.That(secret.ExportKeyFile(keyFile.String("password")!), Is.EqualTo(keyFile.Bytes));
    }

    [TestCase("")]
    [TestCase("P@ssw0rd")]
    [TestCase("a much longer export password, with spaces \u00e9\u20ac")]
    public void ExportKeyFile_RoundTrip_GivesTheSameKey(string password)
    {
        byte[] key = new byte[45];
        RandomNumberGenerator.Fill(key);
        using var original = ServerSecret.FromKey(key);
        byte[] file = original.ExportKeyFile(password);
        using var imported = ServerSecret.FromExportedKeyFile(file, password);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(file, Has.Length.EqualTo(80)); // 32 + 45 = 77 bytes, PKCS#7-padded to 80
            Assert.That(imported.Length, Is.EqualTo(key.Length));
            Assert.That(DeriveHex(imported, ContentHashAlgorithm.Sha512), Is.EqualTo(DeriveHex(original, ContentHashAlgorithm.Sha512)));
            Assert.That(DeriveHex(imported, ContentHashAlgorithm.Sha512), Is.EqualTo(Convert.ToHexStringLower(SHA512.HashData(key))));
        }
    }

    [Test]
    public void ToString_AnySource_IsRedacted()
    {
        TestVectors.Vector keyFile = TestVectors.Load("pccrc/keyfile", "exportkey-ipxe-secret");
        using var fromKey = ServerSecret.FromKey(Convert.FromHexString(IpxeSecretKeyHex));
        using var fromPassphrase = ServerSecret.FromPassphrase("server secret");
        using var fromFile = ServerSecret.FromExportedKeyFile(keyFile.Bytes, "P@ssw0rd");
        foreach (ServerSecret secret in new[] { fromKey, fromPassphrase, fromFile })
        {
            string text = secret.ToString();
            using (Assert.EnterMultipleScope())
            {
                Assert.That(text, Does.Contain("redacted"));
                Assert.That(text, Does.Not.Contain("server secret"));
                AssertNoSecrets(text, keyFile);
            }
        }
    }

    [Test]
    public void Dispose_ThenUse_ThrowsObjectDisposedException()
    {
        var secret = ServerSecret.FromKey(Convert.FromHexString(IpxeSecretKeyHex));
        secret.Dispose();
        secret.Dispose(); // idempotent
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => secret.DeriveServerKey(ContentHashAlgorithm.Sha256, new byte[32]), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => secret.Length, Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => secret.ExportKeyFile("P@ssw0rd"), Throws.TypeOf<ObjectDisposedException>());
        }
    }

    [Test]
    public void DeriveServerKey_DestinationNotOneDigest_ThrowsArgumentException()
    {
        using var secret = ServerSecret.FromKey(Convert.FromHexString(IpxeSecretKeyHex));
        Assert.That(() => secret.DeriveServerKey(ContentHashAlgorithm.Sha256, new byte[64]), Throws.ArgumentException);
    }

    private static string DeriveHex(ServerSecret secret, ContentHashAlgorithm algorithm)
    {
        byte[] ks = new byte[algorithm.GetDigestLength()];
        secret.DeriveServerKey(algorithm, ks);
        return Convert.ToHexStringLower(ks);
    }

    /// <summary>AES-256-CBC, PKCS#7, key SHA-256(UTF-16LE password), zero IV: the export layout, for crafted plaintexts.</summary>
    private static byte[] EncryptLikeExportKey(byte[] plaintext, string password)
    {
        using Aes aes = Aes.Create();
        aes.Key = SHA256.HashData(System.Text.Encoding.Unicode.GetBytes(password));
        return aes.EncryptCbc(plaintext, new byte[16], PaddingMode.PKCS7);
    }

    /// <summary>None of the key file's secrets (secret key, Ks, file key, plaintext) appears, in either hex case.</summary>
    private static void AssertNoSecrets(string text, TestVectors.Vector keyFile)
    {
        foreach (string property in new[] { "serverSecretHex", "ksHex", "ksV2Hex", "fileKeyHex", "plaintextHex" })
        {
            string hex = keyFile.String(property)!;
            Assert.That(text, Does.Not.Contain(hex[..16]).IgnoreCase, property);
        }

        Assert.That(text, Does.Not.Contain(keyFile.String("password")!));
        Assert.That(text, Does.Not.Contain(IpxeSecretKeyHex[..16]).IgnoreCase);
    }
}
