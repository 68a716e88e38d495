namespace PeerDist.BranchOffice;

/// <summary>One measured figure next to its goal; <see cref="Pass"/> null when there is no verdict (informative).</summary>
internal sealed record Figure(string Name, string Value, string Goal, bool? Pass)
{
    public string Verdict => Pass switch
    {
        true => "PASS",
        false => "MISS",
        null => "-",
    };
}
