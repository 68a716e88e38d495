using PeerDist.Content;
using PeerDist.Tests.Shared;

namespace PeerDist.Tests.Content;

public class ContentInformationVectorTests
{
    private static IEnumerable<TestCaseData> ValidVectors() =>
        TestVectors.Enumerate("pccrc/v1").Concat(TestVectors.Enumerate("pccrc/v2"));

    [TestCaseSource(nameof(ValidVectors))]
    public void Parse_ValidVector_SegmentIdsMatch(TestVectors.Vector vector)
    {
        ContentInformation info = ContentInformation.Parse(vector.Bytes);
        var expected = vector.Json.GetProperty("segments").EnumerateArray().ToList();
        foreach (var segment in expected)
        {
            long index = segment.GetProperty("index").GetInt64();
            ContentSegment actual = info.Segments.Single(s => s.Index == index);
            Assert.That(Convert.ToHexStringLower(actual.SegmentId.Span), Is.EqualTo(segment.GetProperty("segmentId").GetString()));
        }
    }
}
