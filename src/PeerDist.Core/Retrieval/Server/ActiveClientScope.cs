namespace PeerDist.Retrieval.Server;

/// <summary>
/// One unit of MS-PCCRR 3.2.1 "Active Client Count", taken by <see cref="PccrrServer.EnterClient"/> and given back by
/// <see cref="Dispose"/>. Disposing twice gives back twice, but the count never goes below zero.
/// </summary>
public readonly struct ActiveClientScope : IDisposable, IEquatable<ActiveClientScope>
{
    private readonly PccrrServer? _server;

    internal ActiveClientScope(PccrrServer server) => _server = server;

    /// <summary>Gives the unit back (no-op for a default instance).</summary>
    public void Dispose() => _server?.ExitClient();

    /// <inheritdoc/>
    public bool Equals(ActiveClientScope other) => ReferenceEquals(_server, other._server);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ActiveClientScope other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _server?.GetHashCode() ?? 0;

    /// <summary>Compares two scopes.</summary>
    public static bool operator ==(ActiveClientScope left, ActiveClientScope right) => left.Equals(right);

    /// <summary>Compares two scopes.</summary>
    public static bool operator !=(ActiveClientScope left, ActiveClientScope right) => !left.Equals(right);
}
