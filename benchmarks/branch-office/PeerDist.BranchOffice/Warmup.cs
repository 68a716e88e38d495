using System.Security.Cryptography;
using PeerDist.Caching;
using PeerDist.Client;
using PeerDist.Content;
using PeerDist.Cryptography;
using PeerDist.Hosting;

namespace PeerDist.BranchOffice;

/// <summary>
/// Runs the code a download takes (PCCRR client and server, AES, SHA-256, block lists, the cooperative download) against
/// the agent's own node before it says <c>ready</c>. Without it, eight agents compile the same code at once while the
/// measured transfer runs, and the two cores go to the JIT instead of the links (a benchmark warms up before it
/// measures). The warm-up content is a private random one, flushed afterwards; nothing of it leaves the namespace.
/// </summary>
internal static class Warmup
{
    private const int Length = 2 * 1024 * 1024;
    private const int Rounds = 4;

    public static async Task RunAsync(PeerDistNode node, CancellationToken cancellationToken)
    {
        if (node.EndPoint is not { } self)
        {
            return;
        }

        byte[] data = RandomNumberGenerator.GetBytes(Length);
        ContentInformation information;
        using (ServerSecret secret = ServerSecret.FromPassphrase("branch-office warm-up " + Guid.NewGuid()))
        {
            information = ContentInformationBuilder.Create((ReadOnlyMemory<byte>)data, secret);
        }

        Guid tag = Guid.NewGuid();
        await using (PeerDistContent held = node.Client.OpenContent(information, tag: tag))
        {
            await held.AddDataAsync(0, data, cancellationToken);
        }

        try
        {
            for (int round = 0; round < Rounds; round++)
            {
                using var cache = new MemoryContentCache();
                await using var client = new PeerDistClient(new PeerDistClientOptions { Cache = cache, PeerLocator = new StaticPeerLocator([self]) });
                await using PeerDistContent content = client.OpenContent(information);
                await content.DownloadAsync(PeerDistDownloadOptions.Default, cancellationToken);
            }

            // Let the runtime's background compiler finish the methods that just became hot.
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
        finally
        {
            node.Client.FlushContent(tag);
        }
    }
}
