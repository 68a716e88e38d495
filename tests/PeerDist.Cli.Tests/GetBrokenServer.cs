using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PeerDist.Cli.Tests;

/// <summary>
/// A plain HTTP server on 127.0.0.1 (port 0) that promises <see cref="PromisedLength"/> bytes in <c>Content-Length</c>,
/// sends only half of them, then closes the connection (a download that fails midway) or, when it stalls, waits until
/// disposed (a download to interrupt).
/// </summary>
internal sealed class GetBrokenServer : IAsyncDisposable
{
    public const int PromisedLength = 200_000;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private readonly bool _stall;

    public GetBrokenServer(bool stall = false)
    {
        _stall = stall;
        _listener.Start();
        Url = new Uri(FormattableString.Invariant($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/broken.bin"));
        _loop = AcceptAsync(_stop.Token);
    }

    public Uri Url { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            using TcpClient client = await _listener.AcceptTcpClientAsync(cancellationToken);
            NetworkStream stream = client.GetStream();
            byte[] request = new byte[8192];
            int read = 0;
            while (!Encoding.ASCII.GetString(request, 0, read).Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                int n = await stream.ReadAsync(request.AsMemory(read), cancellationToken);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            byte[] head = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"HTTP/1.1 200 OK\r\nContent-Length: {PromisedLength}\r\nContent-Type: application/octet-stream\r\n\r\n"));
            await stream.WriteAsync(head, cancellationToken);
            await stream.WriteAsync(new byte[PromisedLength / 2], cancellationToken);
            await stream.FlushAsync(cancellationToken);
            if (_stall)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            }
        }
    }
}
