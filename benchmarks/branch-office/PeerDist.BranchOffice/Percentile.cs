namespace PeerDist.BranchOffice;

/// <summary>Nearest-rank percentiles (no interpolation: with 8 nodes, p99 is the slowest node).</summary>
internal static class Percentile
{
    public static double Of(IReadOnlyCollection<double> values, double percentile)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        double[] sorted = [.. values.Order()];
        int rank = (int)Math.Ceiling(percentile / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
