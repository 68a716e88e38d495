using System.Net;

namespace PeerDist.Cli;

/// <summary>What <c>peerdist get</c> was asked to do, parsed and checked.</summary>
internal sealed record GetRequest
{
    /// <summary>The absolute http or https URL.</summary>
    public required Uri Url { get; init; }

    /// <summary>The output file, or <c>-</c> for standard output.</summary>
    public string Output { get; init; } = InputFiles.StandardStream;

    /// <summary>The cache directory; null for a temporary one.</summary>
    public string? Cache { get; init; }

    /// <summary>The peers given with <c>--peer</c>.</summary>
    public IReadOnlyList<IPEndPoint> Peers { get; init; } = [];

    /// <summary>Whether peers are found by MS-PCCRD discovery.</summary>
    public bool Discover { get; init; }

    /// <summary>The interfaces to probe on (empty: the default ones).</summary>
    public IReadOnlyList<string> Interfaces { get; init; } = [];

    /// <summary>Whether discovery runs on loopback only.</summary>
    public bool Loopback { get; init; }

    /// <summary>The MS-PCCRD port.</summary>
    public int DiscoveryPort { get; init; }

    /// <summary>Whether the file goes to standard output.</summary>
    public bool ToStandardOutput => Output == InputFiles.StandardStream;
}
