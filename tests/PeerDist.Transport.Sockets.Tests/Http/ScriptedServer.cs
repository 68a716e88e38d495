using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PeerDist.Transport.Tests.Http;

/// <summary>A loopback server that answers every request head on one connection with fixed bytes (for client tests).</summary>
internal sealed class ScriptedServer : IDisposable
{
    private readonly Socket _listener;
    private readonly Task _loop;
    private readonly int _pieceSize;

    /// <param name="response">The bytes of every answer (Latin-1).</param>
    /// <param name="closeAfterResponse">Whether to close after the first answer.</param>
    /// <param name="pieceSize">When above 0, each answer is sent in pieces of this size, 5 ms apart.</param>
    public ScriptedServer(string response, bool closeAfterResponse, int pieceSize = 0)
    {
        _pieceSize = pieceSize;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(Loopback.Any());
        _listener.Listen(4);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _loop = ServeAsync(Encoding.Latin1.GetBytes(response), closeAfterResponse);
    }

    public IPEndPoint EndPoint { get; }

    public void Dispose()
    {
        _listener.Dispose();
        _ = _loop;
    }

    private async Task ServeAsync(byte[] response, bool close)
    {
        try
        {
            using Socket socket = await _listener.AcceptAsync();
            var pending = new List<byte>();
            byte[] buffer = new byte[4096];
            while (true)
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None);
                if (n == 0)
                {
                    return;
                }

                pending.AddRange(buffer.AsSpan(0, n));
                string text = Encoding.Latin1.GetString(pending.ToArray());
                int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (end < 0)
                {
                    continue;
                }

                int length = 0;
                foreach (string line in text[..end].Split("\r\n"))
                {
                    if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                    {
                        length = int.Parse(line[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                    }
                }

                if (pending.Count < end + 4 + length)
                {
                    continue;
                }

                pending.RemoveRange(0, end + 4 + length);
                if (_pieceSize <= 0)
                {
                    await socket.SendAsync(response, SocketFlags.None);
                }
                else
                {
                    for (int offset = 0; offset < response.Length; offset += _pieceSize)
                    {
                        await socket.SendAsync(response.AsMemory(offset, Math.Min(_pieceSize, response.Length - offset)), SocketFlags.None);
                        await Task.Delay(5);
                    }
                }
                if (close)
                {
                    socket.Shutdown(SocketShutdown.Both);
                    return;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }
}
