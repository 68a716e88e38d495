using System.Buffers;
using PeerDist.Cryptography;
using PeerDist.Retrieval;
using PeerDist.Retrieval.Server;
using PeerDist.Tests.Retrieval.Server;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Retrieval;

/// <summary>
/// The per-block hot path allocates nothing of its own once warm: decoding a <c>MSG_BLK</c> from a single-segment buffer, writing
/// one with the block encrypted in place, and the cipher itself up to the BCL's per-call cipher context (no payload or
/// key copies). Requests decode to views over the input: their block ranges are not copied into arrays.
/// </summary>
public class PccrrAllocationTests
{
    private static readonly byte[] s_kp = Convert.FromHexString("73244131a4683d439f2f5a29256853d196f7b26263774bc7951c5e11bf2fc74e");
    private static readonly byte[] s_iv = new byte[16];

    [Test]
    public void TryReadResponse_BlockMessage_AllocatesNothing()
    {
        byte[] bytes = TestVectors.Load(PccrrTestData.Folder, PccrrTestData.EncryptedBlock).Bytes;
        var input = new ReadOnlySequence<byte>(bytes);

        long allocated = Measure(() =>
        {
            PccrrFrameDecoder.TryReadResponse(input, null, out PccrrMessage message, out _, out _, out _, out _);
            return message.Block.Block.Length;
        });

        Assert.That(allocated, Is.Zero);
    }

    [TestCase("derived-getblks-block5")]
    [TestCase("derived-getblklist-two-ranges")]
    public void TryReadRequest_RangeRequests_AllocatesNothing(string vector)
    {
        byte[] bytes = TestVectors.Load(PccrrTestData.Folder, vector).Bytes;
        var input = new ReadOnlySequence<byte>(bytes);

        long allocated = Measure(() =>
        {
            PccrrFrameDecoder.TryReadRequest(input, null, out PccrrMessage message, out _, out _, out _, out _);
            PccrrBlockRangeList ranges = message.MessageType == PccrrMessageType.GetBlocks ? message.GetBlocks.BlockRanges : message.GetBlockList.BlockRanges;
            long sum = 0;
            foreach (PccrrBlockRange range in ranges)
            {
                sum += range.Index + range.Count;
            }

            return sum;
        });

        Assert.That(allocated, Is.Zero);
    }

    [Test]
    public void WriteGetBlocks_IntoBuffer_AllocatesNothing()
    {
        byte[] segmentId = new byte[32];
        PccrrBlockRange[] ranges = [new(5, 1)];
        byte[] destination = new byte[128];

        long allocated = Measure(() =>
        {
            new PccrrGetBlocksRequest(segmentId, ranges).TryWrite(destination, out int written);
            return written;
        });

        Assert.That(allocated, Is.Zero);
    }

    [Test]
    public void TryWriteEncryptedAndDecrypt_FullBlock_AllocateNoPayloadCopies()
    {
        byte[] block = ContentPatterns.Mod251(PeerDistConstants.BlockSize);
        byte[] destination = new byte[PccrrBlockResponse.GetEncryptedEncodedLength(32, block.Length, PccrrCryptoAlgorithm.Aes128)];
        byte[] plaintext = new byte[block.Length];

        long allocated = Measure(() =>
        {
            PccrrBlockResponse.TryWriteEncrypted(destination, s_kp, 1, 2, block, s_kp, PccrrCryptoAlgorithm.Aes128, s_iv, out int written);
            return written + PeerDistBlockCipher.Decrypt(destination.AsSpan(68, 65552), s_kp, PccrrCryptoAlgorithm.Aes128, s_iv, block.Length - 7, plaintext);
        });

        // The BCL's one-shot EncryptCbc/DecryptCbc create a small native cipher context object per call (about 64 bytes on
        // Linux/OpenSSL); what must not happen is a copy of the 64 KiB block or a key array per call.
        Assert.That(allocated, Is.LessThan(1024));
        Assert.That(plaintext.AsSpan(0, block.Length - 7).SequenceEqual(block.AsSpan(0, block.Length - 7)), Is.True);
    }

    [Test]
    public void ServerHandle_GetBlocksForHeldBlock_AllocatesNoPayloadCopies()
    {
        var source = MemoryBlockSource.FromContent(PccrrServerTestData.V1Info, PccrrServerTestData.V1Content);
        PccrrServer server = PccrrServerTestData.CreateServer(source);
        byte[] request = PccrrServerTestData.GetBlocks(PccrrServerTestData.V1Segment.SegmentId, 2);
        var response = new ArrayBufferWriter<byte>(PeerDistConstants.BlockSize + 256);

        long allocated = Measure(() =>
        {
            response.ResetWrittenCount();
            server.Handle(request, response);
            return response.WrittenCount;
        });

        // Decode, lookup, key and IV handling and the MSG_BLK write allocate nothing; what remains is the BCL's per-call
        // cipher context (see above), far below one block.
        Assert.That(response.WrittenCount, Is.GreaterThan(PeerDistConstants.BlockSize));
        Assert.That(allocated, Is.LessThan(1024));
    }

    private static long Measure(Func<long> action)
    {
        action();
        action();
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
