namespace PeerDist.Retrieval.Client;

/// <summary>The answer to one <c>MSG_GETBLKLIST</c> (MS-PCCRR 2.2.5.2), as <see cref="PccrrClient.GetBlockListAsync"/> returns it.</summary>
/// <param name="Outcome">
/// <see cref="BlockOutcome.Delivered"/> when a matching <c>MSG_BLKLIST</c> arrived (possibly with no ranges); otherwise why not.
/// </param>
/// <param name="BlockRanges">The ranges the peer holds, each inside a requested range; empty unless delivered.</param>
/// <param name="NextBlockIndex">The peer's <c>NextBlockIndex</c> (0 when none or not delivered).</param>
public readonly record struct PccrrBlockListResult(BlockOutcome Outcome, ReadOnlyMemory<PccrrBlockRange> BlockRanges, uint NextBlockIndex)
{
    /// <summary>Whether <paramref name="blockIndex"/> lies in one of <see cref="BlockRanges"/>.</summary>
    public bool Contains(int blockIndex)
    {
        foreach (PccrrBlockRange range in BlockRanges.Span)
        {
            if ((ulong)(uint)blockIndex - range.Index < range.Count)
            {
                return true;
            }
        }

        return false;
    }
}
