using PeerDist.Tests.Shared;
using System.Net;
using System.Net.Sockets;
using PeerDist.Transport.Udp;

namespace PeerDist.Transport.Tests.Udp;

/// <summary>
/// The MS-PCCRD 2.1 datagram transport over real multicast on the loopback interface only: group join on a named
/// interface, interface index and source reported, unicast reply, size limit, bounded queue, two listeners, disposal.
/// </summary>
[Category("Socket")]
[NonParallelizable]
public sealed class UdpMulticastChannelTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(3);

    [Test]
    [CancelAfter(15_000)]
    public async Task SendMulticastAsync_OnLoopback_ListenerGetsPayloadSourceAndInterface(CancellationToken cancellationToken)
    {
        LoopbackMulticast.Require();
        int port = LoopbackMulticast.FreePort();
        await using UdpMulticastChannel listener = UdpMulticastChannel.Open(LoopbackMulticast.Listener(port));
        await using UdpMulticastChannel prober = UdpMulticastChannel.Open(LoopbackMulticast.Prober(port));

        int sent = await prober.SendMulticastAsync("probe-bytes"u8.ToArray(), cancellationToken);
        UdpDatagram datagram = await LoopbackMulticast.ReadAsync(listener, Wait, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(sent, Is.EqualTo(1), "one interface, one family");
            Assert.That(datagram.Payload.ToArray(), Is.EqualTo("probe-bytes"u8.ToArray()));
            Assert.That(datagram.InterfaceIndex, Is.EqualTo(LoopbackMulticast.Interface.Index));
            Assert.That(datagram.RemoteEndPoint.Port, Is.EqualTo(prober.LocalEndPoints[0].Port));
            Assert.That(IPAddress.IsLoopback(datagram.RemoteEndPoint.Address), Is.True);
            Assert.That(listener.LocalEndPoints[0].Port, Is.EqualTo(port));
            Assert.That(prober.LocalEndPoints[0].Port, Is.Not.EqualTo(port), "a prober sends from an ephemeral port");
            Assert.That(listener.Statistics.Received, Is.EqualTo(1));
        });
    }

    [Test]
    [CancelAfter(15_000)]
    public async Task SendMulticastAsync_InterfaceNamedByIndexOnly_ListenerGetsIt(CancellationToken cancellationToken)
    {
        LoopbackMulticast.Require();
        int port = LoopbackMulticast.FreePort();
        var byIndex = new UdpMulticastInterface(LoopbackMulticast.Interface.Index);
        await using UdpMulticastChannel listener = UdpMulticastChannel.Open(LoopbackMulticast.Listener(port));
        await using UdpMulticastChannel prober = UdpMulticastChannel.Open(
            new UdpMulticastChannelOptions { Port = port, Interfaces = [byIndex], JoinGroups = false, UseIPv6 = false });

        await prober.SendMulticastAsync("by-index"u8.ToArray(), cancellationToken);
        UdpDatagram datagram = await LoopbackMulticast.ReadAsync(listener, Wait, cancellationToken);

        Assert.That((datagram.Payload.ToArray(), datagram.InterfaceIndex), Is.EqualTo(("by-index"u8.ToArray(), byIndex.Index)));
    }

    [Test]
    [CancelAfter(15_000)]
    public async Task SendAsync_UnicastToProbeSource_ProberReceivesIt(CancellationToken cancellationToken)
    {
        LoopbackMulticast.Require();
        int port = LoopbackMulticast.FreePort();
        await using UdpMulticastChannel listener = UdpMulticastChannel.Open(LoopbackMulticast.Listener(port));
        await using UdpMulticastChannel prober = UdpMulticastChannel.Open(LoopbackMulticast.Prober(port));
        await prober.SendMulticastAsync("probe"u8.ToArray(), cancellationToken);
        UdpDatagram probe = await LoopbackMulticast.ReadAsync(listener, Wait, cancellationToken);

        await listener.SendAsync("match"u8.ToArray(), probe.RemoteEndPoint, cancellationToken);
        UdpDatagram reply = await LoopbackMulticast.ReadAsync(prober, Wait, cancellationToken);

        Assert.That(reply.Payload.ToArray(), Is.EqualTo("match"u8.ToArray()));
        Assert.That(reply.RemoteEndPoint.Port, Is.EqualTo(port), "the reply comes from the listener's socket");
        Assert.That(await LoopbackMulticast.StaysQuietAsync(listener, TimeSpan.FromMilliseconds(200), cancellationToken), Is.True, "the unicast reply is not seen by the listener");
    }

    [Test]
    [CancelAfter(15_000)]
    public async Task Receive_OversizedDatagram_DroppedCountedAndLoopContinues(CancellationToken cancellationToken)
    {
        LoopbackMulticast.Require();
        int port = LoopbackMulticast.FreePort();
        await using UdpMulticastChannel listener = UdpMulticastChannel.Open(LoopbackMulticast.Listener(port, maxDatagramSize: 100));
        await using UdpMulticastChannel prober = UdpMulticastChannel.Open(LoopbackMulticast.Prober(port));

        await prober.SendMulticastAsync(new byte[101], cancellationToken);
        await prober.SendMulticastAsync(new byte[100], cancellationToken);
        UdpDatagram datagram = await LoopbackMulticast.ReadAsync(listener, Wait, cancellationToken);

        Assert.That((datagram.Payload.Length, listener.Statistics.Oversized, listener.Statistics.Received), Is.EqualTo((100, 1L, 1L)));
    }

    [Test]
    [CancelAfter(15_000)]
    public async Task Receive_QueueFull_DropsAndCountsInsteadOfGrowing(CancellationToken cancellationToken)
    {
        LoopbackMulticast.Require();
        int port = LoopbackMulticast.FreePort();
        await using UdpMulticastChannel listener = UdpMulticastChannel.Open(LoopbackMulticast.Listener(port, capacity: 2));
        await using UdpMulticastChannel prober = UdpMulticastChannel.Open(LoopbackMulticast.Prober(port));

        for (int i = 0; i < 5; i++)
        {
            await prober.SendMulticastAsync(new byte[] { (byte)i }, cancellationToken);
        }

        while (listener.Statistics.Received + listener.Statistics.QueueFull < 5)
        {
            await Task.Delay(10, cancellationToken);
        }

        Assert.That((listener.Statistics.Received, listener.Statistics.QueueFull), Is.EqualTo((2L, 3L)));
        Assert.That((await LoopbackMulticast.ReadAsync(listener, Wait, cancellationToken)).Payload.ToArray(), Is.EqualTo(new byte[] { 0 }));
    }

    [Test]
    [CancelAfter(15_000)]
    public async Task SendMulticastAsync_TwoListenersOnOnePort_BothReceive(CancellationToken cancellationToken)
    {
        LoopbackMulticast.Require();
        int port = LoopbackMulticast.FreePort();
        await using UdpMulticastChannel first = UdpMulticastChannel.Open(LoopbackMulticast.Listener(port));
        await using UdpMulticastChannel second = UdpMulticastChannel.Open(LoopbackMulticast.Listener(port));
        await using UdpMulticastChannel prober = UdpMulticastChannel.Open(LoopbackMulticast.Prober(port));

        await prober.SendMulticastAsync("both"u8.ToArray(), cancellationToken);

        Assert.That((await LoopbackMulticast.ReadAsync(first, Wait, cancellationToken)).Payload.ToArray(), Is.EqualTo("both"u8.ToArray()));
        Assert.That((await LoopbackMulticast.ReadAsync(second, Wait, cancellationToken)).Payload.ToArray(), Is.EqualTo("both"u8.ToArray()));
    }

    [Test]
    [CancelAfter(15_000)]
    public async Task SendMulticastAsync_OtherPort_ListenerStaysQuiet(CancellationToken cancellationToken)
    {
        LoopbackMulticast.Require();
        int port = LoopbackMulticast.FreePort();
        int otherPort = LoopbackMulticast.FreePort();
        Assume.That(otherPort, Is.Not.EqualTo(port));
        await using UdpMulticastChannel listener = UdpMulticastChannel.Open(LoopbackMulticast.Listener(port));
        await using UdpMulticastChannel prober = UdpMulticastChannel.Open(LoopbackMulticast.Prober(otherPort));

        await prober.SendMulticastAsync("elsewhere"u8.ToArray(), cancellationToken);

        Assert.That(await LoopbackMulticast.StaysQuietAsync(listener, TimeSpan.FromMilliseconds(300), cancellationToken), Is.True);
    }

    [Test]
    [CancelAfter(15_000)]
    public async Task SendMulticastAsync_IPv6OnLoopback_ListenerGetsIt(CancellationToken cancellationToken)
    {
        LoopbackMulticast.Require(ipv6: true);
        int port = LoopbackMulticast.FreePort();
        await using UdpMulticastChannel listener = UdpMulticastChannel.Open(LoopbackMulticast.Listener(port, ipv6: true));
        await using UdpMulticastChannel prober = UdpMulticastChannel.Open(LoopbackMulticast.Prober(port, ipv6: true));

        await prober.SendMulticastAsync("v6"u8.ToArray(), cancellationToken);
        UdpDatagram datagram = await LoopbackMulticast.ReadAsync(listener, Wait, cancellationToken);

        Assert.That((datagram.Payload.ToArray(), datagram.RemoteEndPoint.AddressFamily), Is.EqualTo(("v6"u8.ToArray(), AddressFamily.InterNetworkV6)));
    }

    [Test]
    [CancelAfter(15_000)]
    public async Task DisposeAsync_CompletesReaderIsIdempotentAndRefusesSends(CancellationToken cancellationToken)
    {
        LoopbackMulticast.Require();
        int port = LoopbackMulticast.FreePort();
        UdpMulticastChannel listener = UdpMulticastChannel.Open(LoopbackMulticast.Listener(port));

        await listener.DisposeAsync();
        await listener.DisposeAsync();

        Assert.That(await listener.Datagrams.Completion.WaitAsync(Wait, cancellationToken).ContinueWith(static t => t.IsCompletedSuccessfully), Is.True);
        Assert.That(() => listener.SendMulticastAsync(new byte[1], cancellationToken).AsTask(), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(() => listener.SendAsync(new byte[1], new IPEndPoint(IPAddress.Loopback, port), cancellationToken).AsTask(), Throws.TypeOf<ObjectDisposedException>());
    }

    [Test]
    public void Open_InvalidOptions_ThrowWithoutOpeningAnything()
    {
        UdpMulticastInterface lo = LoopbackMulticast.Interface;
        Assert.Multiple(() =>
        {
            Assert.That(() => UdpMulticastChannel.Open(new UdpMulticastChannelOptions()), Throws.ArgumentException, "no interface named");
            Assert.That(() => UdpMulticastChannel.Open(new UdpMulticastChannelOptions { Interfaces = [lo], UseIPv4 = false, UseIPv6 = false }), Throws.ArgumentException);
            Assert.That(() => UdpMulticastChannel.Open(new UdpMulticastChannelOptions { Interfaces = [lo], Port = 0 }), Throws.ArgumentException);
            Assert.That(() => UdpMulticastChannel.Open(new UdpMulticastChannelOptions { Interfaces = [lo], IPv4Group = IPAddress.Loopback }), Throws.ArgumentException);
            Assert.That(() => UdpMulticastChannel.Open(new UdpMulticastChannelOptions { Interfaces = [lo], MaxDatagramSize = 70_000 }), Throws.ArgumentException);
        });
    }

    [Test]
    [CancelAfter(15_000)]
    public async Task SendAsync_DatagramAboveLimit_Throws(CancellationToken cancellationToken)
    {
        int port = LoopbackMulticast.FreePort();
        await using UdpMulticastChannel prober = UdpMulticastChannel.Open(
            new UdpMulticastChannelOptions { Port = port, Interfaces = [LoopbackMulticast.Interface], JoinGroups = false, UseIPv6 = false, MaxDatagramSize = 10 });

        Assert.That(() => prober.SendMulticastAsync(new byte[11], cancellationToken).AsTask(), Throws.ArgumentException);
    }

    [Test]
    public void GetLocalNetworks_Loopback_IncludesTheLoopbackPrefix()
    {
        System.Net.NetworkInformation.NetworkInterface? loopback = UdpMulticastInterface.FindLoopback();
        Assume.That(loopback, Is.Not.Null);

        IReadOnlyList<IPNetwork> networks = UdpMulticastInterface.GetLocalNetworks(loopback!);

        Assert.That(networks.Any(static n => n.Contains(IPAddress.Loopback)), Is.True);
        Assert.That(networks.Any(static n => n.Contains(IPAddress.Parse("192.168.1.1"))), Is.False);
    }

    [Test]
    public void GetMulticastInterfaces_NeverListsLoopback()
    {
        // Only inspects the list; nothing is joined or sent.
        Assert.That(UdpMulticastInterface.GetMulticastInterfaces().Select(static n => n.NetworkInterfaceType), Has.None.EqualTo(System.Net.NetworkInformation.NetworkInterfaceType.Loopback));
    }
}
