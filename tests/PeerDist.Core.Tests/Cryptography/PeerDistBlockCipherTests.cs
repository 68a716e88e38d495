using System.Buffers;
using System.Security.Cryptography;
using PeerDist.Cryptography;
using PeerDist.Retrieval;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Cryptography;

/// <summary>
/// PCCRR block encryption (wire.md §1.8): AES-CBC with the first 16/24/32 bytes of Kp, PKCS#7 on the way out, padding
/// ignored on the way in; checked by round trips, against the BCL's own CBC, and against a ciphertext made by openssl.
/// </summary>
public class PeerDistBlockCipherTests
{
    private static readonly byte[] s_kp = Convert.FromHexString("73244131a4683d439f2f5a29256853d196f7b26263774bc7951c5e11bf2fc74e"); // derived-65536-sha256 Kp
    private static readonly byte[] s_iv = [.. Enumerable.Range(0, 16).Select(i => (byte)i)];

    private static readonly PccrrCryptoAlgorithm[] s_algorithms =
        [PccrrCryptoAlgorithm.None, PccrrCryptoAlgorithm.Aes128, PccrrCryptoAlgorithm.Aes192, PccrrCryptoAlgorithm.Aes256];

    private static readonly int[] s_lengths = [0, 1, 15, 16, 17, 65535, 65536, 131072];

    public static IEnumerable<TestCaseData> AlgorithmsAndLengths() =>
        s_algorithms.SelectMany(a => s_lengths.Select(n => new TestCaseData(a, n)));

    [TestCaseSource(nameof(AlgorithmsAndLengths))]
    public void EncryptDecrypt_RoundTrip_ReturnsThePlaintext(PccrrCryptoAlgorithm algorithm, int length)
    {
        byte[] plaintext = ContentPatterns.Mod251(length);
        byte[] iv = algorithm == PccrrCryptoAlgorithm.None ? [] : s_iv;
        byte[] ciphertext = new byte[PeerDistBlockCipher.GetCiphertextLength(length, algorithm)];
        byte[] decrypted = new byte[length];

        int written = PeerDistBlockCipher.Encrypt(plaintext, s_kp, algorithm, iv, ciphertext);
        int read = PeerDistBlockCipher.Decrypt(ciphertext, s_kp, algorithm, iv, length, decrypted);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(written, Is.EqualTo(algorithm == PccrrCryptoAlgorithm.None ? length : ((length / 16) + 1) * 16));
            Assert.That(read, Is.EqualTo(length));
            ByteAssert.AreEqual(decrypted, plaintext);
        }
    }

    [TestCase(PccrrCryptoAlgorithm.Aes128, 16)]
    [TestCase(PccrrCryptoAlgorithm.Aes192, 24)]
    [TestCase(PccrrCryptoAlgorithm.Aes256, 32)]
    public void Encrypt_Aes_EqualsBclCbcWithTheFirstBytesOfKp(PccrrCryptoAlgorithm algorithm, int keyLength)
    {
        byte[] plaintext = ContentPatterns.Mod251(1000);
        byte[] ours = new byte[PeerDistBlockCipher.GetCiphertextLength(plaintext.Length, algorithm)];
        PeerDistBlockCipher.Encrypt(plaintext, s_kp, algorithm, s_iv, ours);

        using var aes = Aes.Create();
        aes.Key = s_kp[..keyLength];
        byte[] expected = aes.EncryptCbc(plaintext, s_iv, PaddingMode.PKCS7);

        Assert.That(ours, Is.EqualTo(expected));
    }

    [Test]
    public void Encrypt_Aes128_UsesOnlyTheFirst16BytesOfKp()
    {
        byte[] otherTail = [.. s_kp[..16], .. new byte[16]];
        byte[] plaintext = ContentPatterns.Mod251(100);
        byte[] a = new byte[112];
        byte[] b = new byte[112];

        PeerDistBlockCipher.Encrypt(plaintext, s_kp, PccrrCryptoAlgorithm.Aes128, s_iv, a);
        PeerDistBlockCipher.Encrypt(plaintext, otherTail, PccrrCryptoAlgorithm.Aes128, s_iv, b);

        Assert.That(a, Is.EqualTo(b));
    }

    [Test]
    public void Encrypt_KeyChangesBetweenCalls_UsesEachKey()
    {
        // The per-thread AES instance is re-keyed only when the key changes; alternating keys must never reuse a stale one.
        byte[] otherKp = [.. s_kp.Reverse()];
        byte[] plaintext = ContentPatterns.Mod251(48);
        using var aes = Aes.Create();
        foreach (byte[] kp in new[] { s_kp, otherKp, s_kp, otherKp })
        {
            byte[] ours = new byte[64];
            PeerDistBlockCipher.Encrypt(plaintext, kp, PccrrCryptoAlgorithm.Aes128, s_iv, ours);
            aes.Key = kp[..16];

            Assert.That(ours, Is.EqualTo(aes.EncryptCbc(plaintext, s_iv, PaddingMode.PKCS7)));
        }
    }

    [TestCase(20)]
    [TestCase(65536)]
    public void Decrypt_InvalidPkcs7Padding_IsIgnored(int length)
    {
        // The client rule of wire.md §1.8: keep the first N bytes, never depend on unpadding. The padding bytes here are
        // 0xEE (not PKCS#7), encrypted without padding so the BCL's PKCS#7 decryption would reject them.
        byte[] plaintext = ContentPatterns.Mod251(length);
        int padded = ((length / 16) + 1) * 16;
        byte[] withBadPadding = [.. plaintext, .. Enumerable.Repeat((byte)0xEE, padded - length)];
        using var aes = Aes.Create();
        aes.Key = s_kp[..16];
        byte[] ciphertext = aes.EncryptCbc(withBadPadding, s_iv, PaddingMode.None);
        Assert.Throws<CryptographicException>(() => aes.DecryptCbc(ciphertext, s_iv, PaddingMode.PKCS7));
        byte[] decrypted = new byte[length];

        PeerDistBlockCipher.Decrypt(ciphertext, s_kp, PccrrCryptoAlgorithm.Aes128, s_iv, length, decrypted);

        ByteAssert.AreEqual(decrypted, plaintext);
    }

    [Test]
    public void Decrypt_CorruptedPaddingBlock_StillReturnsThePlaintext()
    {
        byte[] plaintext = ContentPatterns.Mod251(64);
        byte[] ciphertext = new byte[80];
        PeerDistBlockCipher.Encrypt(plaintext, s_kp, PccrrCryptoAlgorithm.Aes256, s_iv, ciphertext);
        ciphertext.AsSpan(64).Fill(0x42);
        byte[] decrypted = new byte[64];

        PeerDistBlockCipher.Decrypt(ciphertext, s_kp, PccrrCryptoAlgorithm.Aes256, s_iv, 64, decrypted);

        Assert.That(decrypted, Is.EqualTo(plaintext));
    }

    [TestCase(PccrrCryptoAlgorithm.Aes128, 33, 20)] // not a whole number of AES blocks
    [TestCase(PccrrCryptoAlgorithm.Aes128, 16, 17)] // shorter than the plaintext
    [TestCase(PccrrCryptoAlgorithm.None, 10, 11)] // shorter than the plaintext
    public void Decrypt_BadCiphertextLength_ThrowsInvalidCiphertextLength(PccrrCryptoAlgorithm algorithm, int cipherLength, int plaintextLength)
    {
        byte[] iv = algorithm == PccrrCryptoAlgorithm.None ? [] : s_iv;

        var e = Assert.Throws<PeerDistFormatException>(() =>
            PeerDistBlockCipher.Decrypt(new byte[cipherLength], s_kp, algorithm, iv, plaintextLength, new byte[plaintextLength]));

        Assert.That(e.Error, Is.EqualTo(PeerDistFormatError.InvalidCiphertextLength));
    }

    [Test]
    public void EncryptDecrypt_Misuse_ThrowsArgumentExceptions()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.Throws<ArgumentException>(() => PeerDistBlockCipher.Encrypt(new byte[4], s_kp, PccrrCryptoAlgorithm.Aes128, new byte[8], new byte[16]));
            Assert.Throws<ArgumentException>(() => PeerDistBlockCipher.Encrypt(new byte[4], s_kp, PccrrCryptoAlgorithm.None, s_iv, new byte[16]));
            Assert.Throws<ArgumentException>(() => PeerDistBlockCipher.Encrypt(new byte[16], s_kp, PccrrCryptoAlgorithm.Aes128, s_iv, new byte[16]));
            Assert.Throws<ArgumentException>(() => PeerDistBlockCipher.Encrypt(new byte[4], s_kp.AsSpan(0, 16).ToArray(), PccrrCryptoAlgorithm.Aes256, s_iv, new byte[16]));
            Assert.Throws<ArgumentOutOfRangeException>(() => PeerDistBlockCipher.Encrypt(new byte[4], s_kp, (PccrrCryptoAlgorithm)4, s_iv, new byte[16]));
            Assert.Throws<ArgumentException>(() => PeerDistBlockCipher.Decrypt(new byte[32], s_kp, PccrrCryptoAlgorithm.Aes128, s_iv, 20, new byte[19]));
        }
    }

    [Test]
    public void Decrypt_OpensslFixture_ReturnsTheBlockWhoseHashIsInTheContentInformation()
    {
        TestVectors.Vector vector = TestVectors.Load("pccrr/messages", "openssl-blk-aes128-derived-65536");
        PccrcExpectation pccrc = PccrcExpectation.From(PccrcTestData.Valid("derived-65536-sha256"));
        PccrcExpectation.SegmentFields segment = pccrc.Segments[0];
        PccrrBlockResponse response = PccrrBlockResponse.Parse(vector.Bytes);
        byte[] plaintext = new byte[PeerDistConstants.BlockSize];

        PeerDistBlockCipher.Decrypt(response.Block.ToArray(), segment.SegmentSecret, response.CryptoAlgorithm, response.IV.Span, plaintext.Length, plaintext);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.CryptoAlgorithm, Is.EqualTo(PccrrCryptoAlgorithm.Aes128));
            Assert.That(response.SegmentId.ToArray(), Is.EqualTo(segment.SegmentId));
            Assert.That(response.Block.Length, Is.EqualTo(65552));
            Assert.That(SHA256.HashData(plaintext), Is.EqualTo(segment.BlockHashes![0]));
            Assert.That(Convert.ToHexStringLower(SHA256.HashData(response.Block.ToArray())), Is.EqualTo(vector.Json.GetProperty("encryption").GetProperty("ciphertextSha256").GetString()));
        }
    }

    [Test]
    public void WriteEncrypted_SameBlockKeyAndIVAsOpensslFixture_ProducesIdenticalBytes()
    {
        TestVectors.Vector vector = TestVectors.Load("pccrr/messages", "openssl-blk-aes128-derived-65536");
        PccrcExpectation.SegmentFields segment = PccrcExpectation.From(PccrcTestData.Valid("derived-65536-sha256")).Segments[0];
        byte[] block = ContentPatterns.Mod251(PeerDistConstants.BlockSize);
        int length = PccrrBlockResponse.GetEncryptedEncodedLength(32, block.Length, PccrrCryptoAlgorithm.Aes128);
        byte[] span = new byte[length];
        var writer = new ArrayBufferWriter<byte>();

        bool ok = PccrrBlockResponse.TryWriteEncrypted(span, segment.SegmentId, 0, 0, block, segment.SegmentSecret, PccrrCryptoAlgorithm.Aes128, s_iv, out int written);
        PccrrBlockResponse.WriteEncrypted(writer, segment.SegmentId, 0, 0, block, segment.SegmentSecret, PccrrCryptoAlgorithm.Aes128, s_iv);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.True);
            Assert.That(written, Is.EqualTo(vector.Bytes.Length));
            ByteAssert.AreEqual(span, vector.Bytes, "span");
            ByteAssert.AreEqual(writer.WrittenSpan, vector.Bytes, "buffer writer");
        }
    }

    [Test]
    public void TryWriteEncrypted_DestinationTooSmall_WritesNothing()
    {
        byte[] destination = new byte[100];

        bool ok = PccrrBlockResponse.TryWriteEncrypted(destination, new byte[32], 0, 0, new byte[100], s_kp, PccrrCryptoAlgorithm.Aes128, s_iv, out int written);

        Assert.That((ok, written), Is.EqualTo((false, 0)));
        Assert.That(destination, Is.All.Zero);
    }

    [TestCase(PccrrCryptoAlgorithm.None)]
    [TestCase(PccrrCryptoAlgorithm.Aes192)]
    [TestCase(PccrrCryptoAlgorithm.Aes256)]
    public void WriteEncrypted_ThenParseAndDecrypt_ReturnsTheBlock(PccrrCryptoAlgorithm algorithm)
    {
        byte[] block = ContentPatterns.Mod251(12345);
        byte[] iv = algorithm == PccrrCryptoAlgorithm.None ? [] : s_iv;
        var writer = new ArrayBufferWriter<byte>();
        PccrrBlockResponse.WriteEncrypted(writer, s_kp, 7, 8, block, s_kp, algorithm, iv);

        PccrrBlockResponse response = PccrrBlockResponse.Parse(writer.WrittenMemory);
        byte[] plaintext = new byte[block.Length];
        PeerDistBlockCipher.Decrypt(response.Block.ToArray(), s_kp, response.CryptoAlgorithm, response.IV.Span, block.Length, plaintext);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((response.BlockIndex, response.NextBlockIndex, response.CryptoAlgorithm), Is.EqualTo((7u, 8u, algorithm)));
            Assert.That(response.IV.Length, Is.EqualTo(iv.Length));
            ByteAssert.AreEqual(plaintext, block);
        }
    }
}
