using System.Net;
using System.Net.Sockets;
using PeerDist.Caching;
using PeerDist.Transport.Udp;

namespace PeerDist.Discovery;

/// <summary>
/// The node's MS-PCCRD responder (3.2): listens for Probes on the named interfaces, answers for the segments its
/// <see cref="ContentCache"/> holds after the random back-off, by unicast to the Probe's source, and advertises the node's
/// PCCRR endpoints. Malformed datagrams are dropped and counted; nothing a peer sends stops the loop.
/// </summary>
/// <remarks>
/// Each reply waits out its back-off on its own timer (of the responder's <see cref="TimeProvider"/>), never in the receive
/// loop: a client may send hundreds of Probes a second (wire.md §6). At most
/// <see cref="DiscoveryResponderServiceOptions.MaxPendingReplies"/> replies wait at once.
/// </remarks>
public sealed class DiscoveryResponderService : IAsyncDisposable
{
    private readonly DiscoveryResponderServiceOptions _options;
    private readonly PccrdResponder _responder;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly HashSet<Task> _pending = [];
    private UdpMulticastChannel? _channel;
    private CancellationTokenSource? _stop;
    private Task? _loop;
    private long _sent;
    private long _errors;
    private long _dropped;
    private bool _disposed;

    /// <summary>Creates the service (nothing is opened until <see cref="Start"/>).</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public DiscoveryResponderService(ContentCache cache, DiscoveryResponderServiceOptions options)
        : this(new ContentCacheSegmentLookup(cache, options?.ReplyHistory), options!)
    {
    }

    /// <summary>Creates the service over any segment lookup.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public DiscoveryResponderService(IPccrdSegmentLookup lookup, DiscoveryResponderServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Channel);
        ArgumentNullException.ThrowIfNull(options.Responder);
        if (!options.Channel.JoinGroups)
        {
            ThrowHelper.ThrowArgument("A responder joins the discovery groups (Channel.JoinGroups).", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxPendingReplies, 1, nameof(options));
        _options = options;
        _responder = new PccrdResponder(options.Responder, lookup);
        _time = options.Responder.TimeProvider;
    }

    /// <summary>The responder (its <see cref="PccrdResponder.InstanceId"/> and <see cref="PccrdResponder.EndpointAddress"/>).</summary>
    public PccrdResponder Responder => _responder;

    /// <summary>The bound UDP endpoints while running; empty otherwise.</summary>
    public IReadOnlyList<IPEndPoint> LocalEndPoints => _channel?.LocalEndPoints ?? [];

    /// <summary>A snapshot of the counters.</summary>
    public DiscoveryResponderStatistics Statistics => new(
        _responder.Statistics,
        _channel?.Statistics ?? default,
        Interlocked.Read(ref _sent),
        Interlocked.Read(ref _errors),
        Interlocked.Read(ref _dropped));

    /// <summary>Opens the channel and starts answering.</summary>
    /// <exception cref="InvalidOperationException">Already started, or disposed.</exception>
    /// <exception cref="SocketException">The port could not be bound or a group not joined.</exception>
    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_channel is not null)
            {
                ThrowHelper.ThrowInvalidOperation("The responder is already running.");
            }

            _channel = UdpMulticastChannel.Open(_options.Channel);
            _stop = new CancellationTokenSource();
            UdpMulticastChannel channel = _channel;
            CancellationToken token = _stop.Token;
            _loop = Task.Run(() => RunAsync(channel, token), CancellationToken.None);
        }
    }

    /// <summary>Stops answering: no new Probe is taken, replies still waiting are abandoned, the channel is closed.</summary>
    public async ValueTask StopAsync()
    {
        UdpMulticastChannel? channel;
        CancellationTokenSource? stop;
        Task? loop;
        lock (_gate)
        {
            channel = _channel;
            stop = _stop;
            loop = _loop;
            _channel = null;
            _stop = null;
            _loop = null;
        }

        if (channel is null)
        {
            return;
        }

        await stop!.CancelAsync().ConfigureAwait(false);
        await loop!.ConfigureAwait(false);
        Task[] pending;
        lock (_gate)
        {
            pending = [.. _pending];
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
        await channel.DisposeAsync().ConfigureAwait(false);
        stop.Dispose();
    }

    /// <summary>Stops and releases everything. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        await StopAsync().ConfigureAwait(false);
    }

    private async Task RunAsync(UdpMulticastChannel channel, CancellationToken cancellationToken)
    {
        try
        {
            while (await channel.Datagrams.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (channel.Datagrams.TryRead(out UdpDatagram datagram))
                {
                    PccrdResponderResult result = _responder.Respond(datagram.Payload); // never throws for bad data
                    if (result.Probe is { } probe && _options.ProbeObserver is { } observer)
                    {
                        observer(probe, datagram.RemoteEndPoint);
                    }

                    if (result.Action == PccrdResponderAction.Reply)
                    {
                        Schedule(channel, result, datagram.RemoteEndPoint, cancellationToken);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    private void Schedule(UdpMulticastChannel channel, PccrdResponderResult result, IPEndPoint remote, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_pending.Count >= _options.MaxPendingReplies)
            {
                Interlocked.Increment(ref _dropped);
                return;
            }

            Task task = SendLaterAsync(channel, result.Reply, remote, result.Delay, cancellationToken);
            if (!task.IsCompleted)
            {
                _pending.Add(task);
                _ = task.ContinueWith(Forget, this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    private static void Forget(Task task, object? state)
    {
        var self = (DiscoveryResponderService)state!;
        lock (self._gate)
        {
            self._pending.Remove(task);
        }
    }

    // MS-PCCRD 3.2.4.1: wait the random back-off, then unicast the ProbeMatch to the Probe's source (2.1).
    private async Task SendLaterAsync(UdpMulticastChannel channel, ReadOnlyMemory<byte> reply, IPEndPoint remote, TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            await channel.SendAsync(reply, remote, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _sent);
            _options.Metrics?.ProbeAnswered();
        }
        catch (OperationCanceledException)
        {
            // Stopped while waiting.
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or ArgumentException)
        {
            Interlocked.Increment(ref _errors);
        }
    }
}
