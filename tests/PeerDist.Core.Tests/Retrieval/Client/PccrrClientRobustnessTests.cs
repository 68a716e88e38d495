using PeerDist.Retrieval;
using PeerDist.Retrieval.Client;

namespace PeerDist.Tests.Retrieval.Client;

/// <summary>Seeded random and mutated responses: the client only ever ends in a typed outcome and never leaks bad bytes.</summary>
[TestFixture]
public sealed class PccrrClientRobustnessTests
{
    private const byte Guard = 0xEE;
    private const int Seed = 20_261_125;

    private static readonly PeerContent s_content = PeerContent.V1((5 * PeerDistConstants.BlockSize) + 3000, seed: 7);

    [Test]
    public async Task GetBlockAsync_SeededRandomResponses_OnlyTypedOutcomes()
    {
        var random = new Random(Seed);
        byte[] valid = s_content.BlockResponse(5);
        byte[] expected = s_content.Plaintext(5);
        byte[] destination = new byte[expected.Length];
        int[] seen = new int[Enum.GetValues<BlockOutcome>().Length];

        for (int i = 0; i < 3000; i++)
        {
            byte[] body = Mutate(random, i, valid);
            var transport = new FakePccrrTransport(_ => body);
            destination.AsSpan().Fill(Guard);

            BlockOutcome outcome = await new PccrrClient(transport).GetBlockAsync(FakePccrrTransport.Peer, s_content.Segment, 5, destination);

            seen[(int)outcome]++;
            if (outcome == BlockOutcome.Delivered)
            {
                Assert.That(destination.AsSpan().SequenceEqual(expected), Is.True, $"iteration {i}");
            }
            else if (destination.AsSpan().ContainsAnyExcept(Guard))
            {
                Assert.Fail($"iteration {i}: {outcome} but the destination was written");
            }

            if (transport.Outstanding != 0)
            {
                Assert.Fail($"iteration {i}: a response buffer was not disposed");
            }
        }

        Assert.That(seen[(int)BlockOutcome.BadData], Is.GreaterThan(1000));
        Assert.That(seen.Sum(), Is.EqualTo(3000));
    }

    [Test]
    public async Task GetBlocksAsync_SeededRandomBlockLists_OnlyTypedOutcomes()
    {
        var random = new Random(Seed + 1);
        byte[] validList = s_content.BlockListResponse(new PccrrBlockRange(0, 4));
        byte[][] blocks = [.. Enumerable.Range(0, 4).Select(i => s_content.BlockResponse(i))];
        byte[] expected = s_content.Plaintext(0, 4);
        byte[] destination = new byte[expected.Length];
        var outcomes = new BlockOutcome[4];

        for (int i = 0; i < 1000; i++)
        {
            byte[] list = Mutate(random, i, validList);
            int lyingBlock = random.Next(8);
            byte[] lie = Mutate(random, i / 4, blocks[lyingBlock & 3]);
            var transport = new FakePccrrTransport(r => r.Type == PccrrMessageType.GetBlockList ? list : r.BlockIndex == (uint)lyingBlock ? lie : blocks[Math.Min(r.BlockIndex, 3u)]);
            destination.AsSpan().Fill(Guard);

            int delivered = await new PccrrClient(transport).GetBlocksAsync(FakePccrrTransport.Peer, s_content.Segment, 0, 4, destination, outcomes);

            Assert.That(delivered, Is.EqualTo(outcomes.Count(o => o == BlockOutcome.Delivered)), $"iteration {i}");
            for (int b = 0; b < 4; b++)
            {
                Span<byte> slot = destination.AsSpan(b * PeerDistConstants.BlockSize, PeerDistConstants.BlockSize);
                bool ok = outcomes[b] == BlockOutcome.Delivered
                    ? slot.SequenceEqual(expected.AsSpan(b * PeerDistConstants.BlockSize, PeerDistConstants.BlockSize))
                    : !slot.ContainsAnyExcept(Guard);
                if (!ok || !Enum.IsDefined(outcomes[b]))
                {
                    Assert.Fail($"iteration {i}, block {b}: {outcomes[b]} with wrong destination bytes");
                }
            }

            if (transport.Outstanding != 0)
            {
                Assert.Fail($"iteration {i}: a response buffer was not disposed");
            }
        }
    }

    /// <summary>Pure noise, a few flipped bytes (often in the headers), a truncation, or a valid prefix with a random tail.</summary>
    private static byte[] Mutate(Random random, int iteration, byte[] valid)
    {
        switch (iteration % 4)
        {
            case 0:
                byte[] noise = new byte[random.Next(0, 200)];
                random.NextBytes(noise);
                return noise;
            case 1:
                byte[] flipped = (byte[])valid.Clone();
                int flips = random.Next(1, 5);
                for (int f = 0; f < flips; f++)
                {
                    int at = random.Next(2) == 0 ? random.Next(Math.Min(valid.Length, 96)) : random.Next(valid.Length);
                    flipped[at] ^= (byte)random.Next(1, 256);
                }

                return flipped;
            case 2:
                return valid[..random.Next(valid.Length)];
            default:
                int keep = random.Next(Math.Min(valid.Length, 96));
                byte[] tail = new byte[random.Next(0, 128)];
                random.NextBytes(tail);
                return [.. valid.AsSpan(0, keep), .. tail];
        }
    }
}
