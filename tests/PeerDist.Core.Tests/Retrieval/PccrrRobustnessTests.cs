using System.Buffers;
using System.Buffers.Binary;
using PeerDist.Retrieval;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Retrieval;

/// <summary>
/// Hostile input and generated messages: seeded random bytes and mutated vectors reach the decoders thousands of times
/// and only Done / NeedMoreData / InvalidData (or <see cref="PeerDistFormatException"/> from Parse) come back; anything
/// that decodes re-encodes to the same bytes (padding aside); generated messages of every type round-trip.
/// </summary>
public class PccrrRobustnessTests
{
    private const int Seed = 0x5EED_CC;

    private static readonly uint[] s_interesting =
    [
        0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 31, 32, 33, 48, 64, 65, 255, 511, 512, 513, 0xFFFF, 98_304, 98_305, 393_216, 393_217,
        0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFE, 0xFFFF_FFFF,
    ];

    [Test]
    public void TryRead_RandomBytes_OnlyTypedOutcomes()
    {
        var rng = new Random(Seed);
        var failures = new List<string>();
        int done = 0;
        for (int i = 0; i < 6000; i++)
        {
            bool response = (i & 1) == 1;
            byte[] input = new byte[rng.Next(4) switch { 0 => rng.Next(0, 24), 1 => rng.Next(16, 120), 2 => rng.Next(0, 600), _ => rng.Next(0, 4000) }];
            rng.NextBytes(input);
            int prefix = response ? 4 : 0;

            // Mostly a plausible header, so random bodies reach the field checks.
            if (input.Length >= prefix + 16 && rng.Next(4) != 0)
            {
                uint size = (uint)(input.Length - prefix);
                if (response)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(input, size);
                }

                uint[] types = response ? [1, 4, 5, 7] : [0, 2, 3, 6];
                BinaryPrimitives.WriteUInt32BigEndian(input.AsSpan(prefix + 4), types[rng.Next(4)]);
                BinaryPrimitives.WriteUInt32BigEndian(input.AsSpan(prefix + 8), size);
                BinaryPrimitives.WriteUInt32BigEndian(input.AsSpan(prefix + 12), (uint)rng.Next(4));
                if (input.Length >= prefix + 20 && rng.Next(2) == 0)
                {
                    int idAt = BinaryPrimitives.ReadUInt32BigEndian(input.AsSpan(prefix + 4)) is 6 or 7 ? prefix + 36 : prefix + 16;
                    if (input.Length >= idAt + 4)
                    {
                        BinaryPrimitives.WriteUInt32BigEndian(input.AsSpan(idAt), (uint)(rng.Next(3) switch { 0 => 32, 1 => 48, _ => rng.Next(0, 8) }));
                    }
                }
            }

            done += Check(input, response, $"random #{i}", failures) ? 1 : 0;
        }

        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(20)));
        TestContext.Out.WriteLine($"6000 random inputs, {done} decoded");
    }

    [Test]
    public void TryRead_MutatedVectors_OnlyTypedOutcomes()
    {
        var rng = new Random(Seed + 1);
        TestVectors.Vector[] vectors = [.. TestVectors.Names(PccrrTestData.Folder).Where(n => n != PccrrTestData.EncryptedBlock).Select(n => TestVectors.Load(PccrrTestData.Folder, n))];
        var failures = new List<string>();
        int done = 0;
        for (int i = 0; i < 8000; i++)
        {
            TestVectors.Vector vector = vectors[rng.Next(vectors.Length)];
            byte[] input = (byte[])vector.Bytes.Clone();
            switch (rng.Next(5))
            {
                case 0:
                    input[rng.Next(input.Length)] ^= (byte)rng.Next(1, 256);
                    break;
                case 1:
                    BinaryPrimitives.WriteUInt32BigEndian(input.AsSpan(rng.Next(input.Length / 4) * 4), s_interesting[rng.Next(s_interesting.Length)]);
                    break;
                case 2:
                    input = input[..rng.Next(input.Length)];
                    break;
                case 3:
                    input = [.. input, .. Enumerable.Range(0, rng.Next(1, 9)).Select(_ => (byte)rng.Next(256))];
                    break;
                default:
                    for (int k = rng.Next(2, 6); k > 0; k--)
                    {
                        input[rng.Next(input.Length)] = (byte)rng.Next(256);
                    }

                    break;
            }

            done += Check(input, PccrrTestData.IsResponse(vector), $"mutation #{i} of {vector.Name}", failures) ? 1 : 0;
        }

        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(20)));
        TestContext.Out.WriteLine($"8000 mutated inputs, {done} decoded");
    }

    [Test]
    public void Write_GeneratedMessages_RoundTripThroughTheDecoder()
    {
        var rng = new Random(Seed + 2);
        var failures = new List<string>();
        for (int i = 0; i < 2000; i++)
        {
            (byte[] bytes, bool response) = Generate(rng);
            var input = new ReadOnlySequence<byte>(bytes);
            OperationStatus status = PccrrFrameDecoderTests.Read(input, response, out PccrrMessage message, out SequencePosition consumed, out _, out PeerDistFormatError error);
            if (status != OperationStatus.Done || !consumed.Equals(input.End))
            {
                failures.Add($"#{i}: {status} {error}");
                continue;
            }

            byte[] again = PccrrTestData.Encode(message);
            if (!again.AsSpan().SequenceEqual(bytes))
            {
                failures.Add($"#{i} {message.MessageType}: re-encoding differs");
            }

            if (i % 50 == 0)
            {
                ReadOnlySequence<byte> split = SequenceVariants.Chunked(bytes, 1 + (i % 13));
                if (PccrrFrameDecoderTests.Read(split, response, out PccrrMessage fromSplit, out _, out _, out _) != OperationStatus.Done ||
                    !PccrrTestData.Encode(fromSplit).AsSpan().SequenceEqual(bytes))
                {
                    failures.Add($"#{i}: split input differs");
                }
            }
        }

        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(20)));
    }

    [Test]
    public void TryWrite_DestinationTooSmall_ReturnsFalseAndWritesNothing()
    {
        var rng = new Random(Seed + 3);
        for (int i = 0; i < 200; i++)
        {
            (byte[] bytes, bool response) = Generate(rng);
            PccrrMessage message = PccrrTestData.Decode(bytes, response);
            byte[] small = new byte[bytes.Length - 1];
            bool ok = message.MessageType switch
            {
                PccrrMessageType.NegotiateRequest => message.NegotiateRequest.TryWrite(small, out int w0) || w0 != 0,
                PccrrMessageType.NegotiateResponse => message.NegotiateResponse.TryWrite(small, out int w1) || w1 != 0,
                PccrrMessageType.GetBlockList => message.GetBlockList.TryWrite(small, out int w2) || w2 != 0,
                PccrrMessageType.GetBlocks => message.GetBlocks.TryWrite(small, out int w3) || w3 != 0,
                PccrrMessageType.BlockList => message.BlockList.TryWrite(small, out int w4) || w4 != 0,
                PccrrMessageType.Block => message.Block.TryWrite(small, out int w5) || w5 != 0,
                PccrrMessageType.GetSegmentList => message.GetSegmentList.TryWrite(small, out int w6) || w6 != 0,
                _ => message.SegmentList.TryWrite(small, out int w7) || w7 != 0,
            };

            Assert.That(ok, Is.False, message.MessageType.ToString());
            Assert.That(small, Is.All.Zero);
        }
    }

    /// <summary>A random valid message of a random type, encoded by the library's writers.</summary>
    internal static (byte[] Bytes, bool Response) Generate(Random rng)
    {
        PccrrVersion Version() => new((ushort)rng.Next(0, 3), (ushort)rng.Next(0, 3));
        var crypto = (PccrrCryptoAlgorithm)rng.Next(4);
        byte[] Bytes(int n)
        {
            byte[] b = new byte[n];
            rng.NextBytes(b);
            return b;
        }

        byte[] Id() => Bytes(rng.Next(3) switch { 0 => 32, 1 => 48, _ => 64 });
        PccrrBlockRange[] BlockRanges()
        {
            var ranges = new PccrrBlockRange[rng.Next(0, 6)];
            for (int i = 0; i < ranges.Length; i++)
            {
                uint index = (uint)rng.Next(0, 512);
                ranges[i] = new PccrrBlockRange(index, (uint)rng.Next(1, 513 - (int)index));
            }

            return ranges;
        }

        var writer = new ArrayBufferWriter<byte>();
        int type = rng.Next(8);
        switch (type)
        {
            case 0: new PccrrNegotiateRequest(Version(), Version(), crypto, Version()).Write(writer); break;
            case 1: new PccrrNegotiateResponse(Version(), Version(), crypto, Version()).Write(writer); break;
            case 2: new PccrrGetBlockListRequest(Id(), BlockRanges(), crypto, Version()).Write(writer); break;
            case 3: new PccrrGetBlocksRequest(Id(), BlockRanges(), Bytes(rng.Next(0, 7)), crypto, Version()).Write(writer); break;
            case 4: new PccrrBlockListResponse(Id(), BlockRanges(), (uint)rng.Next(512), crypto, Version()).Write(writer); break;
            case 5:
                new PccrrBlockResponse(Id(), (uint)rng.Next(512), (uint)rng.Next(512), new ReadOnlySequence<byte>(Bytes(rng.Next(0, 70))), Bytes(rng.Next(2) * 16), crypto, Bytes(rng.Next(0, 6)), Version()).Write(writer);
                break;
            case 6:
                new PccrrGetSegmentListRequest(Bytes(16), Enumerable.Range(0, rng.Next(0, 4)).Select(_ => (ReadOnlyMemory<byte>)Id()).ToArray(), Bytes(rng.Next(0, 11)), crypto, Version()).Write(writer);
                break;
            default:
                PccrrSegmentRange[] ranges = [.. Enumerable.Range(0, rng.Next(0, 5)).Select(_ => new PccrrSegmentRange((uint)rng.Next(), (uint)rng.Next(1, 100)))];
                new PccrrSegmentListResponse(Bytes(16), ranges, Bytes(rng.Next(0, 11)), crypto, Version()).Write(writer);
                break;
        }

        return (writer.WrittenSpan.ToArray(), type is 1 or 4 or 5 or 7);
    }

    /// <summary>Runs one input through the frame decoder and the span path; true when it decoded.</summary>
    private static bool Check(byte[] input, bool response, string label, List<string> failures)
    {
        try
        {
            var sequence = new ReadOnlySequence<byte>(input);
            OperationStatus status = PccrrFrameDecoderTests.Read(sequence, response, out PccrrMessage message, out SequencePosition consumed, out SequencePosition examined, out PeerDistFormatError error);
            switch (status)
            {
                case OperationStatus.Done:
                    long length = sequence.Slice(0, consumed).Length;
                    byte[] again = PccrrTestData.Encode(message);

                    // Padding is skipped leniently, so a mutated pad byte is the only allowed difference; compare lengths then bytes outside pads.
                    if (again.Length != length)
                    {
                        failures.Add($"{label}: re-encoded length {again.Length}, consumed {length}");
                    }

                    return true;
                case OperationStatus.NeedMoreData:
                    if (!consumed.Equals(sequence.Start) || !examined.Equals(sequence.End))
                    {
                        failures.Add($"{label}: NeedMoreData moved the reader");
                    }

                    break;
                case OperationStatus.InvalidData:
                    if (error == PeerDistFormatError.Unknown || !consumed.Equals(sequence.Start))
                    {
                        failures.Add($"{label}: InvalidData without a reason or with a moved reader");
                    }

                    break;
                default:
                    failures.Add($"{label}: status {status}");
                    break;
            }

            if (input.Length >= (response ? 12 : 8))
            {
                var type = (PccrrMessageType)(BinaryPrimitives.ReadUInt32BigEndian(input.AsSpan(response ? 8 : 4)) & 7);
                _ = PccrrTestData.TryParseTyped(type, input, out _, out _);
            }
        }
        catch (Exception e) when (e is not PeerDistFormatException)
        {
            failures.Add($"{label}: {e.GetType().Name}: {e.Message}");
        }

        return false;
    }
}
