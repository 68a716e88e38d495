using PeerDist.Content;
using PeerDist.Http;

namespace PeerDist.Core.Tests.Http;

/// <summary>
/// The MS-PCCRTP header grammar. Inputs are the header forms of the specification's examples (section 4, recorded in
/// shared/spec-notes/wire.md §4.4), what real clients send (iPXE, the WPTS clients: wire.md §4.4 end) and the WPTS
/// content-server expectations (wire.md §4.3 / §8); the expected values follow from the grammar of MS-PCCRTP 2.2.
/// </summary>
public sealed class PccrtpHeaderTests
{
    [TestCase("1.0", 1, 0)]
    [TestCase("1.1", 1, 1)]
    [TestCase("2.0", 2, 0)]
    [TestCase("999.999", 999, 999)]
    [TestCase("1.23", 1, 23)]
    public void Version_TryParse_Valid(string text, int major, int minor)
    {
        Assert.That(PccrtpVersion.TryParse(text, out PccrtpVersion version), Is.True);
        Assert.That(version, Is.EqualTo(new PccrtpVersion(major, minor)));
        Assert.That(version.ToString(), Is.EqualTo(text));
    }

    [TestCase("")]
    [TestCase("1")]
    [TestCase("1.")]
    [TestCase(".1")]
    [TestCase("1 .1")]
    [TestCase("1. 1")]
    [TestCase("+1.1")]
    [TestCase("1.-1")]
    [TestCase("1.1.1")]
    [TestCase("a.b")]
    [TestCase("1234567890.0")]
    public void Version_TryParse_Invalid(string text) => Assert.That(PccrtpVersion.TryParse(text, out _), Is.False);

    [Test]
    public void Version_Compare_MajorAndMinorAsIntegers()
    {
        // wire.md §4.1: 1.23 > 1.3 (not a decimal fraction).
        Assert.That(new PccrtpVersion(1, 23), Is.GreaterThan(new PccrtpVersion(1, 3)));
        Assert.That(new PccrtpVersion(2, 0), Is.GreaterThan(new PccrtpVersion(1, 99)));
        Assert.That(PccrtpVersion.V10 < PccrtpVersion.V11, Is.True);
        Assert.That(PccrtpVersion.V11 <= PccrtpVersion.V11, Is.True);
    }

    // Forms from the specification's examples and real clients.
    [TestCase("Version=1.1", 1, 1, null, null)]
    [TestCase("Version=1.0", 1, 0, null, null)]
    [TestCase("Version=1.1, ContentLength=184946", 1, 1, 184946L, null)]
    [TestCase("Version=1.0, ContentLength=102400", 1, 0, 102400L, null)]
    [TestCase("Version=1.1, MissingDataRequest=true", 1, 1, null, true)]
    [TestCase("Version=1.0,MissingDataRequest=true", 1, 0, null, true)] // WPTS v1 client: no space
    [TestCase("Version=1.0, MissingDataRequest=false", 1, 0, null, false)]
    [TestCase("  version=1.1 ,  contentlength=0 ", 1, 1, 0L, null)]
    [TestCase("Version=1.1, FutureParameter=x", 1, 1, null, null)]
    public void PeerDist_TryParse_Valid(string value, int major, int minor, long? length, bool? missing)
    {
        Assert.That(PeerDistHeader.TryParse(value, out PeerDistHeader? header), Is.True);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(header!.Version, Is.EqualTo(new PccrtpVersion(major, minor)));
            Assert.That(header.ContentLength, Is.EqualTo(length));
            Assert.That(header.MissingDataRequest, Is.EqualTo(missing));
        }
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("ContentLength=5")] // no Version
    [TestCase("Version=1.0, MissingDataRequest=InvalidValue")] // the WPTS MissingDataRequestInvalid case
    [TestCase("Version=1.0, MissingDataRequest=")]
    [TestCase("Version=1.1, ContentLength=-1")]
    [TestCase("Version=1.1, ContentLength=12a")]
    [TestCase("Version=1.1, ContentLength=9999999999999999999")]
    [TestCase("Version=1.1, Version=1.0")]
    [TestCase("Version=1.1,,ContentLength=1")]
    [TestCase("Version")]
    [TestCase("=1.1")]
    [TestCase("Version=1")]
    public void PeerDist_TryParse_Invalid(string? value) => Assert.That(PeerDistHeader.TryParse(value, out _), Is.False);

    [Test]
    public void PeerDist_ToString_SpecificationForms()
    {
        Assert.That(new PeerDistHeader(PccrtpVersion.V11) { ContentLength = 184946 }.ToString(), Is.EqualTo("Version=1.1, ContentLength=184946"));
        Assert.That(new PeerDistHeader(PccrtpVersion.V11) { MissingDataRequest = true }.ToString(), Is.EqualTo("Version=1.1, MissingDataRequest=true"));
        Assert.That(new PeerDistHeader(PccrtpVersion.V10).ToString(), Is.EqualTo("Version=1.0"));
    }

    [TestCase("MinContentInformation=1.0, MaxContentInformation=1.0", "1.0", "1.0", false, false)]
    [TestCase("MinContentInformation=1.0, MaxContentInformation=2.0", "1.0", "2.0", false, false)]
    [TestCase("MinContentInformation=1.0, MaxContentInformation=2.0, HashRequest=true", "1.0", "2.0", false, true)]
    [TestCase("MakeHashRequest=true", null, null, true, false)] // the grammar's own server example: no window
    [TestCase("MinContentInformation=900.0, MaxContentInformation=999.0", "900.0", "999.0", false, false)]
    public void PeerDistEx_TryParse_Valid(string value, string? min, string? max, bool makeHash, bool hashRequest)
    {
        Assert.That(PeerDistExHeader.TryParse(value, out PeerDistExHeader? header), Is.True);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(header!.MinContentInformation?.ToString(), Is.EqualTo(min));
            Assert.That(header.MaxContentInformation?.ToString(), Is.EqualTo(max));
            Assert.That(header.MakeHashRequest, Is.EqualTo(makeHash));
            Assert.That(header.HashRequest, Is.EqualTo(hashRequest));
            Assert.That(header.ToString(), Is.EqualTo(value), "round trip of the specification's form");
        }
    }

    [TestCase("MinContentInformation=1, MaxContentInformation=2.0")]
    [TestCase("MinContentInformation=1.0, MinContentInformation=1.0")]
    [TestCase("MakeHashRequest=yes")]
    [TestCase("HashRequest")]
    [TestCase("")]
    public void PeerDistEx_TryParse_Invalid(string value) => Assert.That(PeerDistExHeader.TryParse(value, out _), Is.False);

    [TestCase(null, ContentInformationVersion.V2, ContentInformationVersion.V1)] // no header: V1 only (3.2.5.1)
    [TestCase("MinContentInformation=1.0, MaxContentInformation=1.0", ContentInformationVersion.V2, ContentInformationVersion.V1)]
    [TestCase("MinContentInformation=1.0, MaxContentInformation=2.0", ContentInformationVersion.V2, ContentInformationVersion.V2)]
    [TestCase("MinContentInformation=1.0, MaxContentInformation=2.0", ContentInformationVersion.V1, ContentInformationVersion.V1)]
    [TestCase("MinContentInformation=2.0, MaxContentInformation=2.0", ContentInformationVersion.V2, ContentInformationVersion.V2)]
    [TestCase("MinContentInformation=2.0, MaxContentInformation=2.0", ContentInformationVersion.V1, null)]
    [TestCase("MinContentInformation=900.0, MaxContentInformation=999.0", ContentInformationVersion.V2, null)] // WPTS: real content
    [TestCase("MinContentInformation=2.0, MaxContentInformation=1.0", ContentInformationVersion.V2, null)]
    [TestCase("MakeHashRequest=true", ContentInformationVersion.V2, ContentInformationVersion.V1)]
    public void SelectContentInformationVersion_Window(string? value, ContentInformationVersion highest, ContentInformationVersion? expected)
    {
        PeerDistExHeader? header = null;
        if (value is not null)
        {
            Assert.That(PeerDistExHeader.TryParse(value, out header), Is.True);
        }

        Assert.That(PeerDistExHeader.SelectContentInformationVersion(header, highest), Is.EqualTo(expected));
    }

    [TestCase("gzip, deflate, peerdist", true)] // the specification's example
    [TestCase("peerdist", true)]
    [TestCase("PeerDist", true)]
    [TestCase("gzip,peerdist;q=0.5", true)]
    [TestCase("peerdist; q=1", true)]
    [TestCase("peerdist;q=0.001", true)]
    [TestCase("peerdist;q=0", false)]
    [TestCase("peerdist;q=0.000", false)]
    [TestCase("peerdist;q=2", false)]
    [TestCase("peerdist;q=abc", false)]
    [TestCase("gzip, deflate", false)]
    [TestCase("*", false)]
    [TestCase("peerdistx", false)]
    [TestCase("", false)]
    [TestCase(null, false)]
    public void AcceptEncoding_AcceptsPeerDist(string? value, bool expected) => Assert.That(PccrtpAcceptEncoding.AcceptsPeerDist(value), Is.EqualTo(expected));

    [TestCase(null, "peerdist")]
    [TestCase("", "peerdist")]
    [TestCase("gzip, deflate", "gzip, deflate, peerdist")]
    [TestCase("gzip, peerdist", "gzip, peerdist")]
    [TestCase("peerdist;q=0", "peerdist;q=0")] // the caller refused it; leave that alone
    public void AcceptEncoding_AddPeerDist(string? value, string expected) => Assert.That(PccrtpAcceptEncoding.AddPeerDist(value), Is.EqualTo(expected));

    [TestCase("1.0", "1.0")]
    [TestCase("1.1", "1.1")]
    [TestCase("1.5", "1.1")]
    [TestCase("999.999", null)] // WPTS VersionIncompatible: real content
    [TestCase("0.9", null)]
    [TestCase("2.0", null)]
    public void NegotiateVersion_ClientVersion(string client, string? expected)
    {
        Assert.That(PccrtpVersion.TryParse(client, out PccrtpVersion version), Is.True);
        Assert.That(PccrtpServerRules.NegotiateVersion(version)?.ToString(), Is.EqualTo(expected));
    }
}
