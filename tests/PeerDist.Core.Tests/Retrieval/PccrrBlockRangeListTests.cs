using System.Buffers;
using PeerDist.Retrieval;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Retrieval;

/// <summary>
/// <see cref="PccrrBlockRangeList"/>: the built form and the decoded view (over the encoded big-endian ranges) read the
/// same, whatever the shape of the input.
/// </summary>
public class PccrrBlockRangeListTests
{
    [Test]
    public void Decode_GetBlockListVector_ViewReadsTheRangesOfTheVector()
    {
        // spec-vectors/pccrr/messages/derived-getblklist-two-ranges: ranges [0,4] and [8,2] (wire.md §1.11).
        byte[] bytes = TestVectors.Load(PccrrTestData.Folder, "derived-getblklist-two-ranges").Bytes;

        PccrrBlockRangeList ranges = PccrrTestData.Decode(bytes, response: false).GetBlockList.BlockRanges;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ranges.Length, Is.EqualTo(2));
            Assert.That(ranges[0], Is.EqualTo(new PccrrBlockRange(0, 4)));
            Assert.That(ranges[1], Is.EqualTo(new PccrrBlockRange(8, 2)));
            Assert.That(ranges.ToArray(), Is.EqualTo(new[] { new PccrrBlockRange(0, 4), new PccrrBlockRange(8, 2) }));
            Assert.That(ranges == new PccrrBlockRangeList(new[] { new PccrrBlockRange(0, 4), new PccrrBlockRange(8, 2) }), Is.True);
            Assert.That(ranges.ToString(), Is.EqualTo("[0+4, 8+2]"));
        }
    }

    [Test]
    public void Decode_MultiSegmentInput_ViewReadsTheSameRanges()
    {
        byte[] bytes = TestVectors.Load(PccrrTestData.Folder, "derived-getblklist-two-ranges").Bytes;
        var input = SequenceVariants.OneBytePerSegment(bytes);

        OperationStatus status = PccrrFrameDecoder.TryReadRequest(input, null, out PccrrMessage message, out _, out _, out _, out _);

        Assert.That(status, Is.EqualTo(OperationStatus.Done));
        Assert.That(message.GetBlockList.BlockRanges.ToArray(), Is.EqualTo(new[] { new PccrrBlockRange(0, 4), new PccrrBlockRange(8, 2) }));
    }

    [Test]
    public void BuiltList_EnumerationIndexerAndCopyTo_Agree()
    {
        PccrrBlockRangeList list = [new(3, 1), new(7, 5), new(100, 412)];
        var enumerated = new List<PccrrBlockRange>();
        foreach (PccrrBlockRange range in list)
        {
            enumerated.Add(range);
        }

        var copied = new PccrrBlockRange[3];
        list.CopyTo(copied);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(enumerated, Is.EqualTo(new[] { new PccrrBlockRange(3, 1), new PccrrBlockRange(7, 5), new PccrrBlockRange(100, 412) }));
            Assert.That(copied, Is.EqualTo(enumerated));
            Assert.That(list[2], Is.EqualTo(new PccrrBlockRange(100, 412)));
            Assert.That(() => list[3], Throws.TypeOf<ArgumentOutOfRangeException>());
            Assert.That(() => list.CopyTo(new PccrrBlockRange[2]), Throws.ArgumentException);
        }
    }

    [Test]
    public void Empty_HasNoRanges()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(PccrrBlockRangeList.Empty.IsEmpty, Is.True);
            Assert.That(PccrrBlockRangeList.Empty.ToArray(), Is.Empty);
            Assert.That(PccrrBlockRangeList.Empty, Is.EqualTo(new PccrrBlockRangeList(Array.Empty<PccrrBlockRange>())));
            Assert.That(PccrrBlockRangeList.Empty, Is.Not.EqualTo((PccrrBlockRangeList)new[] { new PccrrBlockRange(0, 1) }));
        }
    }
}
