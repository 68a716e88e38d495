using PeerDist.Content;
using PeerDist.Cryptography;
using PeerDist.Tests.Shared;

namespace PeerDist.Cli.Tests.Content;

/// <summary>
/// <see cref="ContentInformationVerifier"/> (PeerDist.Core; tested here next to the tool that uses it). Content
/// information comes from the builder or from the vectors whose content is known (content[i] = i mod 251).
/// </summary>
[TestFixture]
public sealed class ContentInformationVerifierTests
{
    private const int BlockSize = PeerDistConstants.BlockSize;
    private const int SegmentSize = PeerDistConstants.SegmentSize;

    /// <summary>Every valid vector whose content is known, except the 4 GiB one (left to the Core tests).</summary>
    public static IEnumerable<TestCaseData> VectorsWithKnownContent() =>
        PccrcTestData.ValidVectors()
            .Where(c => c.Arguments[0] is TestVectors.Vector { ContentLength: < 256L * 1024 * 1024 });

    [TestCaseSource(nameof(VectorsWithKnownContent))]
    public async Task VerifyAsync_VectorWithItsContent_Matches(TestVectors.Vector vector)
    {
        ContentInformation info = ContentInformation.Parse(vector.Bytes);
        using ServerSecret secret = ServerSecret.FromKey(vector.Hex("serverSecretHex"));
        using Stream content = ContentPatterns.Mod251Stream(vector.ContentLength!.Value);

        ContentVerificationResult result = await ContentInformationVerifier.VerifyAsync(info, content, secret);

        Assert.That(result.Mismatches, Is.Empty);
        Assert.That(result.IsMatch, Is.True);
        Assert.That(result.SegmentCount, Is.EqualTo(info.Segments.Count));
        Assert.That(result.HashesOfDataChecked, Is.EqualTo(info.Segments.Count));
        Assert.That(result.SegmentSecretsChecked, Is.EqualTo(info.Segments.Count));
        Assert.That(result.BlockHashesChecked, Is.EqualTo(info.Version == ContentInformationVersion.V1 ? info.Segments.Sum(s => s.ListedBlockCount) : 0));
        Assert.That(result.BytesRead, Is.EqualTo(info.Segments.Sum(s => (long)s.Length)));
    }

    [Test]
    public async Task VerifyAsync_V2WithBoundariesOurChunkerWouldNotChoose_UsesTheListedBoundaries()
    {
        // MS-PCCRC 3.6 layout: segments of 61440, 87040 and 45056 bytes, which are not content-defined cut points.
        TestVectors.Vector vector = TestVectors.Load("pccrc/v2", "derived-193536-v2-whole");
        ContentInformation info = ContentInformation.Parse(vector.Bytes);
        byte[] bytes = ContentPatterns.Mod251(193536);
        using var content = new MemoryStream(bytes);
        ContentInformation ours = Build(bytes, ContentInformationVersion.V2);
        Assume.That(ours.Segments.Select(s => s.Length), Is.Not.EqualTo(info.Segments.Select(s => s.Length)));

        ContentVerificationResult result = await ContentInformationVerifier.VerifyAsync(info, content);

        Assert.That(result.Mismatches, Is.Empty);
        Assert.That(result.HashesOfDataChecked, Is.EqualTo(3));
    }

    [Test]
    public async Task VerifyAsync_WindowsVectorWithItsSecretButNoContent_SegmentSecretsMatchAndContentIsTooShort()
    {
        // The iPXE vectors are real Windows output; their content is not published but their secret is.
        TestVectors.Vector vector = TestVectors.Load("pccrc/v2", "ipxe-iis85-v2");
        ContentInformation info = ContentInformation.Parse(vector.Bytes);
        using ServerSecret secret = ServerSecret.FromKey(vector.Hex("serverSecretHex"));

        ContentVerificationResult result = await ContentInformationVerifier.VerifyAsync(info, Stream.Null, secret);

        Assert.That(result.SegmentSecretsChecked, Is.EqualTo(2));
        Assert.That(result.Mismatches.Select(m => m.Kind), Is.EqualTo(new[] { ContentMismatchKind.ContentTooShort, ContentMismatchKind.ContentTooShort }));
        Assert.That(result.Mismatches[1].Range, Is.EqualTo(new ContentRange(39390, 60320)));
    }

    [TestCase(0, 0)] // first byte of the content
    [TestCase(65536 + 7, 1)]
    [TestCase(200_000 - 1, 3)] // last byte, in the short last block
    public async Task VerifyAsync_FlippedByte_ReportsExactlyThatBlock(int offset, int expectedBlock)
    {
        byte[] bytes = ContentPatterns.Mod251(200_000);
        ContentInformation info = Build(bytes, ContentInformationVersion.V1);
        bytes[offset] ^= 0x80;

        ContentVerificationResult result = await VerifyAsync(info, bytes, seekable: true);

        Assert.That(result.Mismatches, Is.EqualTo(new[]
        {
            new ContentMismatch(ContentMismatchKind.BlockHash, 0, 0, expectedBlock, info.Segments[0].GetBlockRange(expectedBlock)),
        }));
    }

    [Test]
    public async Task VerifyAsync_FlippedByteInSecondSegment_NamesSegmentAndBlock()
    {
        byte[] bytes = ContentPatterns.Mod251(SegmentSize + (3 * BlockSize));
        ContentInformation info = Build(bytes, ContentInformationVersion.V1);
        bytes[SegmentSize + BlockSize + 1] ^= 0x01;

        ContentVerificationResult result = await VerifyAsync(info, bytes, seekable: false);

        ContentMismatch mismatch = result.Mismatches.Single();
        Assert.That(mismatch.Kind, Is.EqualTo(ContentMismatchKind.BlockHash));
        Assert.That(mismatch.SegmentListIndex, Is.EqualTo(1));
        Assert.That(mismatch.SegmentIndex, Is.EqualTo(1));
        Assert.That(mismatch.BlockIndex, Is.EqualTo(1));
        Assert.That(mismatch.Range, Is.EqualTo(new ContentRange(SegmentSize + BlockSize, BlockSize)));
        Assert.That(mismatch.ToString(), Is.EqualTo($"BlockHash: segment 1 (listed 1), block 1, bytes [{SegmentSize + BlockSize}, {SegmentSize + (2 * BlockSize)})"));
    }

    [Test]
    public async Task VerifyAsync_FlippedByteInUnlistedBlockOfRangeCi_ReportsHashOfData()
    {
        // A range content information lists block hashes only up to the last block of the range (P7), but HoD covers
        // every block: a change after the range is caught by HoD.
        byte[] bytes = ContentPatterns.Mod251(4 * BlockSize);
        ContentInformation info = Build(bytes, ContentInformationVersion.V1, new ContentRange(0, BlockSize));
        Assume.That(info.Segments[0].ListedBlockCount, Is.EqualTo(1));
        bytes[(3 * BlockSize) + 9] ^= 0x01;

        ContentVerificationResult result = await VerifyAsync(info, bytes, seekable: true);

        Assert.That(result.Mismatches, Is.EqualTo(new[]
        {
            new ContentMismatch(ContentMismatchKind.HashOfData, 0, 0, -1, new ContentRange(0, 4 * BlockSize)),
        }));
        Assert.That(result.BlockHashesChecked, Is.EqualTo(1));
    }

    [Test]
    public async Task VerifyAsync_FlippedByteV2_ReportsTheSegmentHashOfData()
    {
        byte[] bytes = ContentPatterns.Mod251(600_000);
        ContentInformation info = Build(bytes, ContentInformationVersion.V2);
        int target = info.Segments.Count / 2;
        bytes[info.Segments[target].Offset + 3] ^= 0x01;

        ContentVerificationResult result = await VerifyAsync(info, bytes, seekable: false);

        Assert.That(result.Mismatches, Is.EqualTo(new[]
        {
            new ContentMismatch(ContentMismatchKind.HashOfData, target, target, -1, info.Segments[target].Range),
        }));
    }

    [Test]
    public async Task VerifyAsync_WrongSecret_ReportsEverySegmentSecretOnly()
    {
        byte[] bytes = ContentPatterns.Mod251(SegmentSize + 10);
        ContentInformation info = Build(bytes, ContentInformationVersion.V1);
        using ServerSecret wrong = ServerSecret.FromPassphrase("not the secret");

        ContentVerificationResult result = await ContentInformationVerifier.VerifyAsync(info, new MemoryStream(bytes), wrong);

        Assert.That(result.Mismatches.Select(m => (m.Kind, m.SegmentListIndex, m.BlockIndex)), Is.EqualTo(new[]
        {
            (ContentMismatchKind.SegmentSecret, 0, -1),
            (ContentMismatchKind.SegmentSecret, 1, -1),
        }));
    }

    [Test]
    public async Task VerifyAsync_RightSecret_ChecksEverySegmentSecret()
    {
        byte[] bytes = ContentPatterns.Mod251(300_000);
        using ServerSecret secret = ServerSecret.FromPassphrase("secret");
        ContentInformation info = ContentInformationBuilder.Create(bytes, secret, new ContentInformationBuilderOptions { Version = ContentInformationVersion.V2 });

        ContentVerificationResult result = await ContentInformationVerifier.VerifyAsync(info, new MemoryStream(bytes), secret);

        Assert.That(result.IsMatch, Is.True);
        Assert.That(result.SegmentSecretsChecked, Is.EqualTo(info.Segments.Count));
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task VerifyAsync_ContentEndsInsideABlock_ReportsContentTooShortAndChecksWhatIsThere(bool seekable)
    {
        byte[] bytes = ContentPatterns.Mod251(SegmentSize + (2 * BlockSize));
        ContentInformation info = Build(bytes, ContentInformationVersion.V1);
        byte[] truncated = bytes[..((3 * BlockSize) + 100)];

        ContentVerificationResult result = await VerifyAsync(info, truncated, seekable);

        Assert.That(result.Mismatches, Is.EqualTo(new[]
        {
            new ContentMismatch(ContentMismatchKind.ContentTooShort, 0, 0, 3, ContentRange.FromBounds((3 * BlockSize) + 100, SegmentSize)),
            new ContentMismatch(ContentMismatchKind.ContentTooShort, 1, 1, 0, new ContentRange(SegmentSize, 2 * BlockSize)),
        }));
        Assert.That(result.BlockHashesChecked, Is.EqualTo(3));
        Assert.That(result.HashesOfDataChecked, Is.EqualTo(0));
    }

    [TestCase(true, 5)]
    [TestCase(false, 5)]
    [TestCase(true, 1)]
    public async Task VerifyAsync_ContentLongerThanTheWholeCi_ReportsContentTooLong(bool seekable, int extra)
    {
        byte[] bytes = ContentPatterns.Mod251(100_000);
        ContentInformation info = Build(bytes, ContentInformationVersion.V1);
        byte[] longer = ContentPatterns.Mod251(100_000 + extra);

        ContentVerificationResult result = await VerifyAsync(info, longer, seekable);

        Assert.That(result.Mismatches, Is.EqualTo(new[]
        {
            new ContentMismatch(ContentMismatchKind.ContentTooLong, 0, 0, -1, new ContentRange(100_000, extra)),
        }));
    }

    [Test]
    public async Task VerifyAsync_ContentGoesOnAfterARangeCi_IsNotTooLong()
    {
        // A V1 segment of exactly 32 MiB may be followed by more content; a V2 range CI says nothing of what follows.
        byte[] bytes = ContentPatterns.Mod251(400_000);
        ContentInformation info = Build(bytes, ContentInformationVersion.V2, new ContentRange(1000, 2000));

        ContentVerificationResult result = await VerifyAsync(info, bytes, seekable: false);

        Assert.That(result.Mismatches, Is.Empty);
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task VerifyAsync_RangeCiStartingInALaterSegment_SkipsToIt(bool seekable)
    {
        byte[] bytes = ContentPatterns.Mod251((2 * SegmentSize) + 1000);
        ContentInformation info = Build(bytes, ContentInformationVersion.V1, new ContentRange(SegmentSize + 5, 100));
        Assume.That(info.Segments[0].Index, Is.EqualTo(1));
        bytes[10] ^= 0x01; // outside the listed segments: not read
        bytes[SegmentSize + 70_000] ^= 0x01; // block 1 of segment 1: unlisted, so HoD

        ContentVerificationResult result = await VerifyAsync(info, bytes, seekable);

        Assert.That(result.Mismatches, Is.EqualTo(new[]
        {
            new ContentMismatch(ContentMismatchKind.HashOfData, 0, 1, -1, new ContentRange(SegmentSize, SegmentSize)),
        }));
        Assert.That(result.BytesRead, Is.EqualTo(SegmentSize));
    }

    [Test]
    public async Task VerifyAsync_StreamPositionIsContentStart_ReadsRelativeToIt()
    {
        byte[] bytes = ContentPatterns.Mod251(150_000);
        ContentInformation info = Build(bytes, ContentInformationVersion.V1);
        byte[] prefixed = [0xAA, 0xBB, 0xCC, .. bytes];
        using var stream = new MemoryStream(prefixed);
        stream.Position = 3;

        ContentVerificationResult result = await ContentInformationVerifier.VerifyAsync(info, stream);

        Assert.That(result.Mismatches, Is.Empty);
    }

    [Test]
    public async Task VerifyAsync_Progress_ReportsBytesReadUpToTheTotal()
    {
        byte[] bytes = ContentPatterns.Mod251(9 * 1024 * 1024);
        ContentInformation info = Build(bytes, ContentInformationVersion.V1);
        var reports = new List<long>();

        await ContentInformationVerifier.VerifyAsync(info, new MemoryStream(bytes), progress: new SynchronousProgress(reports.Add));

        Assert.That(reports, Is.Ordered.Ascending);
        Assert.That(reports[^1], Is.EqualTo(bytes.Length));
    }

    [Test]
    public void VerifyAsync_Cancelled_Throws()
    {
        byte[] bytes = ContentPatterns.Mod251(100_000);
        ContentInformation info = Build(bytes, ContentInformationVersion.V1);
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        Assert.That(
            async () => await ContentInformationVerifier.VerifyAsync(info, new MemoryStream(bytes), cancellationToken: cancellation.Token),
            Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void ContentMismatch_ToString_NeverShowsHashesOrKeys()
    {
        var mismatch = new ContentMismatch(ContentMismatchKind.SegmentSecret, 2, 7, -1, new ContentRange(10, 20));

        Assert.That(mismatch.ToString(), Is.EqualTo("SegmentSecret: segment 7 (listed 2), bytes [10, 30)"));
    }

    private static ContentInformation Build(byte[] content, ContentInformationVersion version, ContentRange? range = null)
    {
        using ServerSecret secret = ServerSecret.FromPassphrase("secret");
        return ContentInformationBuilder.Create(content, secret, new ContentInformationBuilderOptions { Version = version, Range = range });
    }

    private static Task<ContentVerificationResult> VerifyAsync(ContentInformation info, byte[] content, bool seekable) =>
        ContentInformationVerifier.VerifyAsync(info, seekable ? new MemoryStream(content) : new PipeLikeStream(content));

    /// <summary>Calls back on the reporting thread (<see cref="Progress{T}"/> would post to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }

    /// <summary>A stream that can only be read forward, like a pipe or a socket, and returns at most 50 000 bytes a read.</summary>
    private sealed class PipeLikeStream(byte[] content) : ForwardOnlyStream
    {
        private readonly MemoryStream _inner = new(content);

        public override int Read(Span<byte> buffer) => _inner.Read(buffer[..Math.Min(buffer.Length, 50_000)]);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
