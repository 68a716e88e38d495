using System.Security.Cryptography;
using PeerDist.Content;
using PeerDist.Cryptography;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Cryptography;

/// <summary>
/// The key arithmetic of MS-PCCRC 2.2 and 2.5 as corrected by Windows output (pccrc.md §3): against the values iPXE
/// published with real IIS 8.5 content information, the derived values of pccrc.md §5.3, and the BCL.
/// </summary>
public class PeerDistKeyDerivationTests
{
    private static readonly byte[] s_noMoreSecrets = "no more secrets"u8.ToArray(); // the MS-PCCRC 3 examples' secret

    /// <summary>Every V1 and V2 vector: its secret, Ks and the HoD, Kp and segment ID of each segment its JSON lists.</summary>
    public static IEnumerable<TestCaseData> AllValidVectors() =>
        new[] { "pccrc/v1", "pccrc/v2" }
            .SelectMany(folder => TestVectors.Names(folder).Select(name => TestVectors.Load(folder, name)))
            .Select(v => new TestCaseData(v).SetArgDisplayNames(v.Name));

    [Test]
    public void SegmentIdLabel_Always_IsUtf16LeMsP2PCachingWithTerminator()
    {
        // pccrc.md §3.1 and P1: 30 bytes, UTF-16LE with the 2-byte NUL, although MS-PCCRC 2.2 says ASCII.
        byte[] expected = Convert.FromHexString("4d0053005f005000320050005f00430041004300480049004e0047000000");
        Assert.That(PeerDistKeyDerivation.SegmentIdLabel.ToArray(), Is.EqualTo(expected));
        Assert.That(PeerDistKeyDerivation.SegmentIdLabel.Length, Is.EqualTo(30));
    }

    [TestCase(ContentHashAlgorithm.Sha256, ExpectedResult = "5ae6569b5de55b1cb15d1d893b3ffdeafc9b1c00aab131844c36730d6d2fa091")] // pccrc.md §5.3 D_Ks
    [TestCase(ContentHashAlgorithm.Sha384, ExpectedResult = "3aaa55353d10d0a0c013d4ebe46fbd89d34bd7a926849aa52432aa20f2426da08252436445ecebcc7bbaf46d7c5c361b")] // pccrc.md §5.3 D_Ks
    [TestCase(ContentHashAlgorithm.Sha512, ExpectedResult = "de5336e19c45891368f48e9dd5d7642a828c4fbd83e1c9fecf0eb80542b0c33d56c31ca10b24d3442d497516e6629e1d4a2e85e5cd272ad9ae5898bd2a35b5b9")] // pccrc.md §5.3 D_Ks
    [TestCase(ContentHashAlgorithm.Sha512Truncated, ExpectedResult = "de5336e19c45891368f48e9dd5d7642a828c4fbd83e1c9fecf0eb80542b0c33d")] // pccrc.md §5.3 D_Ks v2_trunc
    public string ComputeServerKey_NoMoreSecrets_EqualsDerivedKs(ContentHashAlgorithm algorithm)
    {
        byte[] ks = new byte[algorithm.GetDigestLength()];
        PeerDistKeyDerivation.ComputeServerKey(algorithm, s_noMoreSecrets, ks);
        return Convert.ToHexStringLower(ks);
    }

    [TestCase(ContentHashAlgorithm.Sha256, ExpectedResult = "7e7808bc36d0dd67f344928421614399497f0e85149f6f2bc4dd7b7856acc1a1")] // iPXE pccrc_test.c, IIS 8.5 V1
    [TestCase(ContentHashAlgorithm.Sha512Truncated, ExpectedResult = "68e8229a3f1d6c7fe9b3f75911c3f18c9086785177afd73f7d22615570a0e7cc")] // iPXE pccrc_test.c, IIS 8.5 V2
    public string ComputeServerKey_IpxeSecretKey_EqualsPublishedKs(ContentHashAlgorithm algorithm)
    {
        byte[] secretKey = Convert.FromHexString("2a3d73eb435e9f2b8a344267e7467a3c7385c6e055e2b4d30dfec7c38b0ed72c");
        byte[] ks = new byte[algorithm.GetDigestLength()];
        PeerDistKeyDerivation.ComputeServerKey(algorithm, secretKey, ks);
        return Convert.ToHexStringLower(ks);
    }

    [Test]
    public void ComputeSegmentSecretAndId_IpxeV1Segment_EqualsWindowsValues()
    {
        // Real IIS 8.5 output published by iPXE (pccrc.md §5.2): Kp = HMAC-SHA256(Ks, HoD), HoHoDk = HMAC-SHA256(Kp, HoD ‖ label).
        byte[] ks = Convert.FromHexString("7e7808bc36d0dd67f344928421614399497f0e85149f6f2bc4dd7b7856acc1a1");
        byte[] hod = Convert.FromHexString("d8d976354a4872e925761803f458d9daaa67f8e31c630fb74e6a312ef8a25aba");
        byte[] kp = new byte[32];
        byte[] id = new byte[32];
        PeerDistKeyDerivation.ComputeSegmentSecret(ContentHashAlgorithm.Sha256, ks, hod, kp);
        PeerDistKeyDerivation.ComputeSegmentId(ContentHashAlgorithm.Sha256, kp, hod, id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Convert.ToHexStringLower(kp), Is.EqualTo("11afc0d7949243f94f9c1fab35d9fd1e331fcf7811a2e01d3587b38d770a29e2"));
            Assert.That(Convert.ToHexStringLower(id), Is.EqualTo("491b217dbee2b5f12ca79b015e06f4bbe64f9745bad7867aef17de59927edce9"));
        }
    }

    [Test]
    public void ComputeHashOfData_IpxeV1BlockHashes_EqualsWindowsHoD()
    {
        // V1 HoD = SHA-256(BlockHash0 ‖ BlockHash1) (MS-PCCRC 2.2), checked on the published Windows values.
        byte[] blockHashes = Convert.FromHexString(
            "73c18ab8549110f8e90e71bbc3ab2aa8c44d13f4929499255b660f24ec77800b974bdd65567fdeeccdafe457a9503b4548f66ed3b188dcfda0ac382b09711acc");
        byte[] hod = new byte[32];
        PeerDistKeyDerivation.ComputeHashOfData(ContentHashAlgorithm.Sha256, blockHashes, hod);
        Assert.That(Convert.ToHexStringLower(hod), Is.EqualTo("d8d976354a4872e925761803f458d9daaa67f8e31c630fb74e6a312ef8a25aba"));
    }

    [TestCase("e0d0c358e2684b62330d32b5f1978724a0d0a52bdc5e781fae71ff57a8be3dd4", "58037ed404116bb616d9b14116088520c47cdc50abcea3fae188a98ea22df3c0", "3371bbeaddb62353adcef970a06fdf65001e0421f4c7108276b0c37a9f9ec10f")] // iPXE IIS 8.5 V2 segment 0
    [TestCase("3381d0d0cb74f4b613d8210f37f002a06f3910586096a130d34398c08e66d7bc", "b8b6eb7783e4f807647b63f146b52f4ac89ccc7abf5fa11acafc2acf5028586c", "d7e924425e8f4f88f01dc6a9bb1bc37be113ec7917c745d4965c2b55fa163a6e")] // iPXE IIS 8.5 V2 segment 1
    public void ComputeSegmentSecretAndId_IpxeV2Segment_EqualsWindowsValues(string hodHex, string kpHex, string idHex)
    {
        // pccrc.md P3: the 32-byte truncation applies to the output of a full HMAC-SHA512 keyed with the 32-byte values.
        byte[] ks = Convert.FromHexString("68e8229a3f1d6c7fe9b3f75911c3f18c9086785177afd73f7d22615570a0e7cc");
        byte[] hod = Convert.FromHexString(hodHex);
        byte[] kp = new byte[32];
        byte[] id = new byte[32];
        PeerDistKeyDerivation.ComputeSegmentSecret(ContentHashAlgorithm.Sha512Truncated, ks, hod, kp);
        PeerDistKeyDerivation.ComputeSegmentId(ContentHashAlgorithm.Sha512Truncated, kp, hod, id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Convert.ToHexStringLower(kp), Is.EqualTo(kpHex));
            Assert.That(Convert.ToHexStringLower(id), Is.EqualTo(idHex));
        }
    }

    [TestCaseSource(nameof(AllValidVectors))]
    public void Derivation_EveryVector_ReproducesKsKpAndSegmentIds(TestVectors.Vector vector)
    {
        ContentHashAlgorithm algorithm = vector.String("hashAlgorithm") switch
        {
            "sha256" => ContentHashAlgorithm.Sha256,
            "sha384" => ContentHashAlgorithm.Sha384,
            "sha512" => ContentHashAlgorithm.Sha512,
            _ => ContentHashAlgorithm.Sha512Truncated,
        };
        int length = algorithm.GetDigestLength();
        byte[] ks = new byte[length];
        PeerDistKeyDerivation.ComputeServerKey(algorithm, vector.Hex("serverSecretHex"), ks);
        Assert.That(Convert.ToHexStringLower(ks), Is.EqualTo(vector.String("ksHex")));
        foreach (System.Text.Json.JsonElement segment in vector.Json.GetProperty("segments").EnumerateArray())
        {
            byte[] hod = Convert.FromHexString(segment.GetProperty("hod").GetString()!);
            byte[] kp = new byte[length];
            byte[] id = new byte[length];
            PeerDistKeyDerivation.ComputeSegmentSecret(algorithm, ks, hod, kp);
            PeerDistKeyDerivation.ComputeSegmentId(algorithm, kp, hod, id);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(Convert.ToHexStringLower(kp), Is.EqualTo(segment.GetProperty("kp").GetString()));
                Assert.That(Convert.ToHexStringLower(id), Is.EqualTo(segment.GetProperty("segmentId").GetString()));
            }

            long blockCount = (segment.GetProperty("length").GetInt64() + PeerDistConstants.BlockSize - 1) / PeerDistConstants.BlockSize;
            if (segment.TryGetProperty("blockHashes", out System.Text.Json.JsonElement blocks) && blocks.GetArrayLength() == blockCount)
            {
                // Every block listed: the HoD can be recomputed from them (MS-PCCRC 2.2).
                byte[] all = [.. blocks.EnumerateArray().SelectMany(b => Convert.FromHexString(b.GetString()!))];
                byte[] recomputed = new byte[length];
                PeerDistKeyDerivation.ComputeHashOfData(algorithm, all, recomputed);
                Assert.That(recomputed, Is.EqualTo(hod));
            }
        }
    }

    [TestCase(ContentHashAlgorithm.Sha256)]
    [TestCase(ContentHashAlgorithm.Sha384)]
    [TestCase(ContentHashAlgorithm.Sha512)]
    [TestCase(ContentHashAlgorithm.Sha512Truncated)]
    public void ComputeHashAndHmac_AnyAlgorithm_EqualBclOneShots(ContentHashAlgorithm algorithm)
    {
        byte[] data = "PeerDist"u8.ToArray();
        byte[] key = "key"u8.ToArray();
        (byte[] hash, byte[] hmac) = algorithm switch
        {
            ContentHashAlgorithm.Sha256 => (SHA256.HashData(data), HMACSHA256.HashData(key, data)),
            ContentHashAlgorithm.Sha384 => (SHA384.HashData(data), HMACSHA384.HashData(key, data)),
            ContentHashAlgorithm.Sha512 => (SHA512.HashData(data), HMACSHA512.HashData(key, data)),
            _ => (SHA512.HashData(data)[..32], HMACSHA512.HashData(key, data)[..32]),
        };
        byte[] actualHash = new byte[algorithm.GetDigestLength()];
        byte[] actualHmac = new byte[algorithm.GetDigestLength()];
        PeerDistKeyDerivation.ComputeHash(algorithm, data, actualHash);
        PeerDistKeyDerivation.ComputeHmac(algorithm, key, data, actualHmac);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(actualHash, Is.EqualTo(hash));
            Assert.That(actualHmac, Is.EqualTo(hmac));
        }
    }

    [TestCase(16)] // PCCRR CryptoAlgoId AES_128
    [TestCase(24)] // AES_192
    [TestCase(32)] // AES_256
    public void GetBlockKey_AesKeyLength_IsPrefixOfKp(int keyLength)
    {
        // pccrc.md §4.1 / P17: the first 16/24/32 bytes of Kp, as iPXE does against Windows peers.
        byte[] kp = Convert.FromHexString("11afc0d7949243f94f9c1fab35d9fd1e331fcf7811a2e01d3587b38d770a29e2");
        Assert.That(PeerDistKeyDerivation.GetBlockKey(kp, keyLength).ToArray(), Is.EqualTo(kp[..keyLength]));
    }

    [Test]
    public void GetBlockKey_LongerKp_TakesPrefix()
    {
        byte[] kp = new byte[64];
        RandomNumberGenerator.Fill(kp);
        Assert.That(PeerDistKeyDerivation.GetBlockKey(kp, 32).ToArray(), Is.EqualTo(kp[..32]));
    }

    [TestCase(-1)]
    [TestCase(0)]
    [TestCase(8)]
    [TestCase(15)]
    [TestCase(17)]
    [TestCase(31)]
    [TestCase(33)]
    [TestCase(48)]
    [TestCase(64)]
    public void GetBlockKey_OtherLength_ThrowsArgumentOutOfRangeException(int keyLength)
    {
        byte[] kp = new byte[64];
        Assert.That(() => { _ = PeerDistKeyDerivation.GetBlockKey(kp, keyLength); }, Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void GetBlockKey_KpShorterThanKey_ThrowsArgumentException()
    {
        byte[] kp = new byte[16];
        Assert.That(() => { _ = PeerDistKeyDerivation.GetBlockKey(kp, 24); }, Throws.TypeOf<ArgumentException>());
    }

    [TestCase(ContentHashAlgorithm.Sha256, 31)]
    [TestCase(ContentHashAlgorithm.Sha256, 33)]
    [TestCase(ContentHashAlgorithm.Sha384, 32)]
    [TestCase(ContentHashAlgorithm.Sha512, 48)]
    [TestCase(ContentHashAlgorithm.Sha512Truncated, 64)]
    [TestCase(ContentHashAlgorithm.Sha512Truncated, 0)]
    public void Compute_DestinationNotOneDigest_ThrowsArgumentException(ContentHashAlgorithm algorithm, int destinationLength)
    {
        int digest = algorithm.GetDigestLength();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => PeerDistKeyDerivation.ComputeHash(algorithm, [1], new byte[destinationLength]), Throws.ArgumentException);
            Assert.That(() => PeerDistKeyDerivation.ComputeHmac(algorithm, [1], [2], new byte[destinationLength]), Throws.ArgumentException);
            Assert.That(() => PeerDistKeyDerivation.ComputeServerKey(algorithm, [1], new byte[destinationLength]), Throws.ArgumentException);
            Assert.That(() => PeerDistKeyDerivation.ComputeHashOfData(algorithm, new byte[digest], new byte[destinationLength]), Throws.ArgumentException);
            Assert.That(() => PeerDistKeyDerivation.ComputeSegmentSecret(algorithm, new byte[digest], new byte[digest], new byte[destinationLength]), Throws.ArgumentException);
            Assert.That(() => PeerDistKeyDerivation.ComputeSegmentId(algorithm, new byte[digest], new byte[digest], new byte[destinationLength]), Throws.ArgumentException);
        }
    }

    [TestCase(ContentHashAlgorithm.Sha256, 31)]
    [TestCase(ContentHashAlgorithm.Sha256, 64)]
    [TestCase(ContentHashAlgorithm.Sha512Truncated, 64)]
    public void ComputeSegmentId_HashOfDataNotOneDigest_ThrowsArgumentException(ContentHashAlgorithm algorithm, int hodLength)
    {
        int digest = algorithm.GetDigestLength();
        Assert.That(() => PeerDistKeyDerivation.ComputeSegmentId(algorithm, new byte[digest], new byte[hodLength], new byte[digest]), Throws.ArgumentException);
    }
}
