using System.Buffers;
using System.Buffers.Binary;
using PeerDist.Content;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Content;

/// <summary>
/// Writing: write(parse(x)) == x byte for byte for every vector (including the "whole" spelled as 0 by Windows and as a
/// length by the spec examples), and the three ways to write agree: <see cref="ContentInformation.TryWrite"/>,
/// <see cref="ContentInformation.Write"/> and the static writers.
/// </summary>
public class ContentInformationWriterTests
{
    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.ValidVectors))]
    public void ToArray_ParsedValidVector_ReproducesTheFileByteForByte(TestVectors.Vector vector)
    {
        ContentInformation info = ContentInformation.Parse(vector.Bytes);

        ByteAssert.AreEqual(info.ToArray(), vector.Bytes);
    }

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.EdgeCases))]
    public void ToArray_ParsedEdgeCase_ReproducesTheInputByteForByte(PccrcEdgeCase edge)
    {
        ContentInformation info = ContentInformation.Parse(edge.Bytes);

        ByteAssert.AreEqual(info.ToArray(), edge.Bytes, edge.Name);
    }

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.ValidVectors))]
    public void GetEncodedLength_ParsedValidVector_EqualsFileLength(TestVectors.Vector vector)
    {
        ContentInformation info = ContentInformation.Parse(vector.Bytes);

        int staticLength = info switch
        {
            ContentInformationV1 v1 => ContentInformationV1Writer.GetEncodedLength(v1),
            ContentInformationV2 v2 => ContentInformationV2Writer.GetEncodedLength(v2),
            _ => -1,
        };

        using (Assert.EnterMultipleScope())
        {
            Assert.That(info.GetEncodedLength(), Is.EqualTo(vector.Bytes.Length));
            Assert.That(staticLength, Is.EqualTo(vector.Bytes.Length));
        }
    }

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.ValidVectors))]
    public void Write_BufferWriter_EqualsTryWriteAndAdvancesOnce(TestVectors.Vector vector)
    {
        ContentInformation info = ContentInformation.Parse(vector.Bytes);
        byte[] viaSpan = new byte[info.GetEncodedLength()];
        bool written = info.TryWrite(viaSpan, out int count);
        var recorder = new RecordingBufferWriter();

        info.Write(recorder);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(written, Is.True);
            Assert.That(count, Is.EqualTo(vector.Bytes.Length));
            Assert.That(recorder.SizeHints, Is.EqualTo(new[] { vector.Bytes.Length }), "one GetSpan(length)");
            Assert.That(recorder.Advances, Is.EqualTo(new[] { vector.Bytes.Length }), "one Advance(length)");
        }

        ByteAssert.AreEqual(recorder.Written, viaSpan, "Write vs TryWrite");
        ByteAssert.AreEqual(viaSpan, vector.Bytes, "TryWrite vs file");
    }

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.ValidVectors))]
    public void Write_BufferWriterWithEarlierData_AppendsAfterIt(TestVectors.Vector vector)
    {
        ContentInformation info = ContentInformation.Parse(vector.Bytes);
        var writer = new ArrayBufferWriter<byte>();
        writer.Write<byte>([0xAB, 0xCD]);

        info.Write(writer);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(writer.WrittenCount, Is.EqualTo(vector.Bytes.Length + 2));
            Assert.That(writer.WrittenSpan[..2].ToArray(), Is.EqualTo(new byte[] { 0xAB, 0xCD }));
        }

        ByteAssert.AreEqual(writer.WrittenSpan[2..], vector.Bytes);
    }

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.ValidVectors))]
    public void StaticWriters_ParsedValidVector_AgreeWithInstanceMethods(TestVectors.Vector vector)
    {
        ContentInformation info = ContentInformation.Parse(vector.Bytes);
        byte[] destination = new byte[vector.Bytes.Length];
        var writer = new ArrayBufferWriter<byte>();
        bool written;
        int count;
        if (info is ContentInformationV1 v1)
        {
            written = ContentInformationV1Writer.TryWrite(v1, destination, out count);
            ContentInformationV1Writer.Write(v1, writer);
        }
        else
        {
            var v2 = (ContentInformationV2)info;
            written = ContentInformationV2Writer.TryWrite(v2, destination, out count);
            ContentInformationV2Writer.Write(v2, writer);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(written, Is.True);
            Assert.That(count, Is.EqualTo(vector.Bytes.Length));
        }

        ByteAssert.AreEqual(destination, vector.Bytes, "static TryWrite");
        ByteAssert.AreEqual(writer.WrittenSpan, vector.Bytes, "static Write");
    }

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.ValidVectors))]
    public void TryWrite_DestinationTooSmall_ReturnsFalseAndWritesNothing(TestVectors.Vector vector)
    {
        ContentInformation info = ContentInformation.Parse(vector.Bytes);
        int length = info.GetEncodedLength();

        // Too small by one byte, much too small, and empty; each destination is filled with a sentinel first.
        foreach (int size in new[] { length - 1, Math.Min(length - 1, 17), 0 })
        {
            byte[] destination = new byte[size];
            Array.Fill(destination, (byte)0xA5);

            bool written = info.TryWrite(destination, out int count);

            using (Assert.EnterMultipleScope())
            {
                Assert.That(written, Is.False, $"size {size}");
                Assert.That(count, Is.Zero, $"size {size}");
                Assert.That(Array.TrueForAll(destination, b => b == 0xA5), Is.True, $"size {size}: nothing written");
            }
        }
    }

    [TestCaseSource(typeof(PccrcTestData), nameof(PccrcTestData.ValidVectors))]
    public void TryWrite_LargerDestination_WritesOnlyTheEncodedLength(TestVectors.Vector vector)
    {
        ContentInformation info = ContentInformation.Parse(vector.Bytes);
        byte[] destination = new byte[vector.Bytes.Length + 64];
        Array.Fill(destination, (byte)0xA5);

        bool written = info.TryWrite(destination, out int count);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(written, Is.True);
            Assert.That(count, Is.EqualTo(vector.Bytes.Length));
            Assert.That(destination[^64..], Is.All.EqualTo((byte)0xA5));
        }

        ByteAssert.AreEqual(destination.AsSpan(0, count), vector.Bytes);
    }

    [Test]
    public void ToArray_Spec31AndSpec32_KeepTheirOwnSpellingOfTheWholeLastSegment()
    {
        // MS-PCCRC 3.1 writes dwReadBytesInLastSegment = 128000 and 3.2 writes 0 (Windows style); both mean "the whole
        // last segment" (pccrc.md P6). The writer must keep what was parsed, not normalise it.
        byte[] s31 = PccrcTestData.Bytes("spec-3-1-v1-125kb-full-dwread-128000");
        byte[] s32 = PccrcTestData.Bytes("spec-3-2-v1-125kb-full-dwread-0");
        var i31 = (ContentInformationV1)ContentInformation.Parse(s31);
        var i32 = (ContentInformationV1)ContentInformation.Parse(s32);
        byte[] w31 = i31.ToArray();
        byte[] w32 = i32.ToArray();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(i31.ReadBytesInLastSegment, Is.EqualTo(128000u));
            Assert.That(i32.ReadBytesInLastSegment, Is.Zero);
            Assert.That(i31.Range, Is.EqualTo(i32.Range));
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(w31.AsSpan(10)), Is.EqualTo(128000u));
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(w32.AsSpan(10)), Is.Zero);
            Assert.That(PccrcTestData.WithUInt32LittleEndian(w31, 10, 0), Is.EqualTo(w32), "the only difference is dwRead");
        }
    }

    [Test]
    public void ToArray_Spec36AndDerivedWhole_KeepTheirOwnSpellingOfTheWholeRange()
    {
        // MS-PCCRC 3.6 writes ullLengthOfRange = 0x2F400; Windows writes 0 for the whole resource (pccrc.md P12).
        byte[] s36 = PccrcTestData.Bytes("spec-3-6-v2-189kb-full");
        byte[] whole = PccrcTestData.Bytes("derived-193536-v2-whole");
        var i36 = (ContentInformationV2)ContentInformation.Parse(s36);
        var iWhole = (ContentInformationV2)ContentInformation.Parse(whole);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(i36.LengthOfRange, Is.EqualTo(0x2F400));
            Assert.That(iWhole.LengthOfRange, Is.Zero);
            Assert.That(i36.Range, Is.EqualTo(iWhole.Range));
            Assert.That(BinaryPrimitives.ReadUInt64BigEndian(i36.ToArray().AsSpan(23)), Is.EqualTo(0x2F400UL));
            Assert.That(BinaryPrimitives.ReadUInt64BigEndian(iWhole.ToArray().AsSpan(23)), Is.Zero);
            Assert.That(PccrcTestData.WithUInt64BigEndian(i36.ToArray(), 23, 0), Is.EqualTo(whole), "the only difference is ullLengthOfRange");
        }
    }

    [Test]
    public void ToArray_RegroupedChunks_KeepsTheChunkGrouping()
    {
        byte[] regrouped = PccrcTestData.RegroupV2Chunks(PccrcTestData.Bytes("ipxe-iis85-v2"), 1, 1);
        var info = (ContentInformationV2)ContentInformation.Parse(regrouped);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(info.ChunkSegmentCounts, Is.EqualTo(new[] { 1, 1 }));
            Assert.That(info.GetEncodedLength(), Is.EqualTo(regrouped.Length));
            Assert.That(info.ToArray(), Is.EqualTo(regrouped));
        }
    }

    [Test]
    public void Writers_NullArguments_ThrowArgumentNullException()
    {
        ContentInformation info = ContentInformation.Parse(PccrcTestData.Bytes("ipxe-iis85-v1"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => info.Write(null!), Throws.ArgumentNullException);
            Assert.That(() => ContentInformationV1Writer.GetEncodedLength(null!), Throws.ArgumentNullException);
            Assert.That(() => ContentInformationV1Writer.TryWrite(null!, new byte[200], out _), Throws.ArgumentNullException);
            Assert.That(() => ContentInformationV1Writer.Write(null!, new ArrayBufferWriter<byte>()), Throws.ArgumentNullException);
            Assert.That(() => ContentInformationV1Writer.Write((ContentInformationV1)info, null!), Throws.ArgumentNullException);
            Assert.That(() => ContentInformationV2Writer.GetEncodedLength(null!), Throws.ArgumentNullException);
            Assert.That(() => ContentInformationV2Writer.TryWrite(null!, new byte[200], out _), Throws.ArgumentNullException);
            Assert.That(() => ContentInformationV2Writer.Write(null!, new ArrayBufferWriter<byte>()), Throws.ArgumentNullException);
        }
    }

    /// <summary>Records every GetSpan size hint and Advance count, so the test can see the writer asks once and advances once.</summary>
    private sealed class RecordingBufferWriter : IBufferWriter<byte>
    {
        private byte[] _buffer = [];
        private int _written;

        public List<int> SizeHints { get; } = [];

        public List<int> Advances { get; } = [];

        public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _written);

        public void Advance(int count)
        {
            Advances.Add(count);
            _written += count;
        }

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            SizeHints.Add(sizeHint);
            Grow(sizeHint);
            return _buffer.AsMemory(_written);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            SizeHints.Add(sizeHint);
            Grow(sizeHint);
            return _buffer.AsSpan(_written);
        }

        private void Grow(int sizeHint)
        {
            // Hand out more than asked for, as real writers do, so a writer that relied on the span length would show.
            int needed = _written + Math.Max(sizeHint, 1) + 32;
            if (_buffer.Length < needed)
            {
                Array.Resize(ref _buffer, needed);
            }
        }
    }
}
