namespace PeerDist.Content;

/// <summary>The outcome of <see cref="ContentInformationVerifier.VerifyAsync"/>: what was checked and every mismatch found.</summary>
public sealed class ContentVerificationResult
{
    private readonly ContentMismatch[] _mismatches;

    internal ContentVerificationResult(
        ContentMismatch[] mismatches,
        int segmentCount,
        int blockHashesChecked,
        int hashesOfDataChecked,
        int segmentSecretsChecked,
        long bytesRead)
    {
        _mismatches = mismatches;
        SegmentCount = segmentCount;
        BlockHashesChecked = blockHashesChecked;
        HashesOfDataChecked = hashesOfDataChecked;
        SegmentSecretsChecked = segmentSecretsChecked;
        BytesRead = bytesRead;
    }

    /// <summary>Whether the content matches: no mismatch was found.</summary>
    /// <remarks>
    /// Without a server secret the segment secrets are not checked (<see cref="SegmentSecretsChecked"/> is 0), so a match
    /// then says nothing about who made the content information.
    /// </remarks>
    public bool IsMatch => _mismatches.Length == 0;

    /// <summary>Every mismatch, in content order (a segment's block mismatches before its segment-level ones).</summary>
    public IReadOnlyList<ContentMismatch> Mismatches => _mismatches;

    /// <summary>How many listed segments the content information has.</summary>
    public int SegmentCount { get; }

    /// <summary>How many listed V1 block hashes were compared with the content (0 for V2, which lists none).</summary>
    public int BlockHashesChecked { get; }

    /// <summary>How many segment hashes of data (HoD) were compared: one per segment whose bytes were all present.</summary>
    public int HashesOfDataChecked { get; }

    /// <summary>How many segment secrets (Kp) were checked against the server secret: 0 when none was given.</summary>
    public int SegmentSecretsChecked { get; }

    /// <summary>How many content bytes were read.</summary>
    public long BytesRead { get; }

    /// <summary>A one-line summary.</summary>
    public override string ToString() =>
        $"{(IsMatch ? "match" : $"{_mismatches.Length} mismatch(es)")}: {SegmentCount} segment(s), {BlockHashesChecked} block hash(es), " +
        $"{HashesOfDataChecked} hash(es) of data, {SegmentSecretsChecked} segment secret(s) checked, {BytesRead} byte(s) read";
}
