using System.Net;
using PeerDist.Hosting;

namespace PeerDist.BranchOffice;

/// <summary>What an <c>agent</c> child was asked to be.</summary>
internal sealed record AgentSettings
{
    public required IPAddress Address { get; init; }

    public int Port { get; init; } = 80;

    public string? Interface { get; init; }

    public Uri? Origin { get; init; }

    public string? Sha256 { get; init; }

    public PeerDistNodeMode Mode { get; init; } = PeerDistNodeMode.Distributed;

    public IPEndPoint? HostedCache { get; init; }

    public string Role { get; init; } = "download";

    public string? CachePath { get; init; }

    public TimeSpan? DiscoveryWait { get; init; }

    public int ContentInformationVersion { get; init; } = 1;

    public int Reads { get; init; } = 200;

    public int ReadSize { get; init; } = 64 * 1024;

    public int Seed { get; init; } = 1;
}
