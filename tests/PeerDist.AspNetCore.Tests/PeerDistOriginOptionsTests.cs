using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;
using PeerDist.Content;
using PeerDist.Cryptography;
using static PeerDist.AspNetCore.Tests.PccrtpRequests;

namespace PeerDist.AspNetCore.Tests;

[TestFixture]
[CancelAfter(60_000)]
public sealed class PeerDistOriginOptionsTests
{
    private const int FileLength = 3 * BlockSize;

    [Test]
    public void StartAsync_NoServerSecret_FailsAtStartWithTheReason()
    {
        Assert.That(
            async () => await OriginTestHost.StartAsync(o => o.ServerSecretPassphrase = null),
            Throws.TypeOf<OptionsValidationException>().With.Message.Contains("exactly one of ServerSecretKey, ServerSecretPassphrase and ServerSecretKeyFile"));
    }

    [Test]
    public void StartAsync_TwoServerSecrets_FailsAtStart()
    {
        Assert.That(
            async () => await OriginTestHost.StartAsync(o => o.ServerSecretKey = [1, 2, 3]),
            Throws.TypeOf<OptionsValidationException>());
    }

    [TestCase(0, TestName = "StartAsync_ZeroConcurrentGenerations_FailsAtStart")]
    [TestCase(-5, TestName = "StartAsync_NegativeConcurrentGenerations_FailsAtStart")]
    public void StartAsync_BadConcurrency_FailsAtStart(int value)
    {
        Assert.That(
            async () => await OriginTestHost.StartAsync(o => o.MaxConcurrentGenerations = value),
            Throws.TypeOf<OptionsValidationException>().With.Message.Contains("MaxConcurrentGenerations"));
    }

    [Test]
    public void UsePeerDist_WithoutAddPeerDistOrigin_ThrowsWithTheFix()
    {
        WebApplication app = WebApplication.CreateSlimBuilder().Build();

        Assert.That(() => app.UsePeerDist(), Throws.InvalidOperationException.With.Message.Contains("AddPeerDistOrigin"));
    }

    [Test]
    public async Task ServerSecretKeyFile_WindowsExportedKey_SegmentSecretsUseThatKey()
    {
        byte[] key = CreateContent(48, seed: 20);
        using ServerSecret secret = ServerSecret.FromKey(key);
        using ServerSecret other = ServerSecret.FromPassphrase("some other key");
        string keyFile = Path.Combine(Path.GetTempPath(), $"peerdist-key-{Guid.NewGuid():N}.bin");
        File.WriteAllBytes(keyFile, secret.ExportKeyFile("p@ss"));
        try
        {
            await using OriginTestHost host = await OriginTestHost.StartAsync(o =>
            {
                o.ServerSecretPassphrase = null;
                o.ServerSecretKeyFile = keyFile;
                o.ServerSecretKeyFilePassword = "p@ss";
            });
            byte[] file = CreateContent(FileLength, seed: 21);
            host.WriteFile("f.bin", file);

            using HttpRequestMessage request = Create("/f.bin", V2Client(hashRequest: true));
            using HttpResponseMessage response = await host.Client.SendAsync(request);
            byte[] body = await response.Content.ReadAsByteArrayAsync();

            await AssertDescribesAsync(body, file, new ContentRange(0, FileLength), ContentInformationVersion.V2, secret);
            ContentVerificationResult withOther = await ContentInformationVerifier.VerifyAsync(ContentInformation.Parse(body), new MemoryStream(file), other);
            Assert.That(withOther.IsMatch, Is.False, "the segment secrets must come from the key file's key");
        }
        finally
        {
            File.Delete(keyFile);
        }
    }

    [Test]
    public void ServerSecretKeyFile_WrongPassword_FailsAtStart()
    {
        using ServerSecret secret = ServerSecret.FromKey(CreateContent(32, seed: 22));
        string keyFile = Path.Combine(Path.GetTempPath(), $"peerdist-key-{Guid.NewGuid():N}.bin");
        File.WriteAllBytes(keyFile, secret.ExportKeyFile("right"));
        try
        {
            Assert.That(
                async () => await OriginTestHost.StartAsync(o =>
                {
                    o.ServerSecretPassphrase = null;
                    o.ServerSecretKeyFile = keyFile;
                    o.ServerSecretKeyFilePassword = "wrong";
                }),
                Throws.TypeOf<PeerDistFormatException>());
        }
        finally
        {
            File.Delete(keyFile);
        }
    }

    [Test]
    public void ServerSecretKeyFile_Missing_FailsAtStartNamingTheOption()
    {
        Assert.That(
            async () => await OriginTestHost.StartAsync(o =>
            {
                o.ServerSecretPassphrase = null;
                o.ServerSecretKeyFile = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.key");
                o.ServerSecretKeyFilePassword = "x";
            }),
            Throws.TypeOf<IOException>().With.Message.Contains("ServerSecretKeyFile"));
    }

    [Test]
    public async Task CacheDirectory_RestartedOrigin_AnswersWithoutHashingAgain()
    {
        string root = Directory.CreateTempSubdirectory("peerdist-origin-restart-").FullName;
        string cache = Path.Combine(root, "..", Path.GetFileName(root) + "-cache");
        byte[] file = CreateContent(FileLength, seed: 23);
        File.WriteAllBytes(Path.Combine(root, "f.bin"), file);
        try
        {
            await using (OriginTestHost first = await OriginTestHost.StartAsync(o => o.CacheDirectory = cache, root))
            {
                using HttpRequestMessage request = Create("/f.bin", V2Client(hashRequest: true));
                using HttpResponseMessage response = await first.Client.SendAsync(request);
                Assert.That(response.Content.Headers.ContentEncoding, Is.EqualTo(new[] { "peerdist" }));
            }

            await using OriginTestHost second = await OriginTestHost.StartAsync(o => o.CacheDirectory = cache, root);
            using HttpRequestMessage again = Create("/f.bin", V1Client());
            using HttpResponseMessage answer = await second.Client.SendAsync(again);
            byte[] body = await answer.Content.ReadAsByteArrayAsync();

            using (Assert.EnterMultipleScope())
            {
                Assert.That(answer.Content.Headers.ContentEncoding, Is.EqualTo(new[] { "peerdist" }));
                Assert.That(second.Origin.GetStatistics().Generations, Is.Zero);
            }

            using ServerSecret secret = ServerSecret.FromPassphrase("origin tests");
            await AssertDescribesAsync(body, file, new ContentRange(0, FileLength), ContentInformationVersion.V1, secret);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
            Directory.Delete(cache, recursive: true);
        }
    }
}
