using System.Net;
using System.Net.Sockets;

namespace PeerDist.Hosting;

/// <summary>The node's start errors that name what to change.</summary>
public sealed partial class PeerDistNode
{
    internal static PeerDistNodeStartException BindFailure(IReadOnlyList<IPEndPoint> listenEndPoints, SocketException e, string portSwitch = "peerdist serve --port")
    {
        // PeerDistHttpServer does not say which endpoint failed; name them all: the message is for a person choosing
        // another port.
        string endPoints = string.Join(", ", listenEndPoints);
        int port = listenEndPoints[0].Port;
        IPEndPoint first = listenEndPoints[0];
        return e.SocketErrorCode switch
        {
            SocketError.AddressAlreadyInUse => PeerDistNodeStartException.Create(
                PeerDistNodeStartError.PortInUse,
                $"Cannot listen on {endPoints}: the port is already in use by another program (or another node). Choose another port with PeerDistNodeOptions.ListenEndPoints ({portSwitch}), or port 0 for any free one.",
                first,
                e),
            SocketError.AccessDenied => PeerDistNodeStartException.Create(
                PeerDistNodeStartError.PortAccessDenied,
                port is > 0 and < 1024 && !OperatingSystem.IsWindows()
                    ? $"Cannot listen on {endPoints}: port {port} is a privileged port on this system. Use a port >= 1024 ({portSwitch}, PeerDistNodeOptions.ListenEndPoints), or grant the program CAP_NET_BIND_SERVICE (sudo setcap cap_net_bind_service=+ep <dotnet or the tool>)."
                    : $"Cannot listen on {endPoints}: permission denied. Choose another port with PeerDistNodeOptions.ListenEndPoints ({portSwitch}).",
                first,
                e),
            SocketError.AddressNotAvailable => PeerDistNodeStartException.Create(
                PeerDistNodeStartError.AddressNotAvailable,
                $"Cannot listen on {endPoints}: the address is not one of this machine's. Choose another with PeerDistNodeOptions.ListenEndPoints (peerdist serve --listen).",
                first,
                e),
            _ => PeerDistNodeStartException.Create(
                PeerDistNodeStartError.Unknown,
                $"Cannot listen on {endPoints}: {e.Message} ({e.SocketErrorCode}).",
                first,
                e),
        };
    }
}
