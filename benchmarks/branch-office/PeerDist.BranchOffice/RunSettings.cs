namespace PeerDist.BranchOffice;

/// <summary>The run's settings, from the <c>run</c> options (see the README's table for why each default).</summary>
internal sealed record RunSettings
{
    public const long MiB = 1024 * 1024;

    public int Peers { get; init; } = 8;

    public long SizeBytes { get; init; } = 128 * MiB;

    /// <summary>The large size of scenarios 6 and 7.</summary>
    public long LargeSizeBytes { get; init; } = 1024 * MiB;

    public double WanMbit { get; init; } = 80;

    /// <summary>One cap per node, or one for all (the last value repeats).</summary>
    public IReadOnlyList<double> LanMbit { get; init; } = [120];

    public double HostedCacheLanMbit { get; init; } = 1000;

    /// <summary>
    /// The MTU of every lab link. 9000 (jumbo frames, as on many LANs) by default: at 1500 the kernel's per-packet work on
    /// the veths, the bridge and the shapers costs two cores more than the transfer itself.
    /// </summary>
    public int Mtu { get; init; } = 9000;

    public IReadOnlyList<int> Scenarios { get; init; } = [1, 2, 3, 4, 5, 6, 7];

    public required string OutputDirectory { get; init; }

    public bool Smoke { get; init; }

    public int Seed { get; init; } = 7;

    public int CrowdNodes { get; init; } = 64;

    public long CrowdSizeBytes { get; init; } = 16 * MiB;

    public int StreamReads { get; init; } = 200;

    public int ContentInformationVersion { get; init; } = 1;

    public int? DiscoveryWaitMs { get; init; }

    /// <summary>Contents larger than this are cached on disk by the agents (8 x 1 GiB in memory is too much for the box).</summary>
    public long MemoryCacheLimitBytes { get; init; } = 256 * MiB;

    public double LanCap(int node) => LanMbit[Math.Min(node - 1, LanMbit.Count - 1)];
}
