namespace PeerDist.Http;

/// <summary>The follow-up hash request after <c>MakeHashRequest=true</c> (MS-PCCRTP 3.1.5.2).</summary>
public sealed partial class PeerDistHttpHandler
{
    /// <summary>
    /// A plain response to an advertised request may carry <c>X-P2P-PeerDistEx: MakeHashRequest=true</c>: the server had
    /// no hashes yet and sent the real content. The client SHOULD then send a hash request so the server computes them
    /// (wire.md §4.2). It is fired off in the background: the caller's response is returned at once. At most one is in
    /// flight per resource and <see cref="PeerDistHttpHandlerOptions.MaxHashRequestsInFlight"/> over all of them; each is
    /// bounded by <see cref="PeerDistHttpHandlerOptions.HashRequestTimeout"/> and cancelled when the handler is disposed.
    /// </summary>
    private void ConsiderHashRequest(HttpResponseMessage response, PeerDistRequestTemplate template)
    {
        if (!_options.SendHashRequests ||
            !PeerDistExHeader.TryParse(Joined(response.Headers.NonValidated, PccrtpHeaderNames.PeerDistEx), out PeerDistExHeader? header) ||
            !header.MakeHashRequest)
        {
            return;
        }

        string key = template.Uri.AbsoluteUri;
        if (Volatile.Read(ref _disposed) != 0)
        {
            PeerDistHttpLog.HashRequestSkipped(Logger, template.Uri, "the handler is disposed");
            return;
        }

        if (!_hashRequests.TryAdd(key, 0))
        {
            PeerDistHttpLog.HashRequestSkipped(Logger, template.Uri, "one is in flight for this resource already");
            return;
        }

        if (Interlocked.Increment(ref _hashRequestsInFlight) > _options.MaxHashRequestsInFlight)
        {
            Interlocked.Decrement(ref _hashRequestsInFlight);
            _hashRequests.TryRemove(key, out _);
            PeerDistHttpLog.HashRequestSkipped(Logger, template.Uri, "the most hash requests allowed at once are in flight already");
            return;
        }

        CancellationToken stopping;
        try
        {
            stopping = _stopping.Token;
        }
        catch (ObjectDisposedException)
        {
            Release(key);
            return;
        }

        // On the thread pool, so nothing of it (not even connecting) runs on the caller's path.
        _ = Task.Run(() => SendHashRequestAsync(template, key, stopping), CancellationToken.None);
    }

    private async Task SendHashRequestAsync(PeerDistRequestTemplate template, string key, CancellationToken stopping)
    {
        try
        {
            using CancellationTokenSource deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            deadline.CancelAfter(_options.HashRequestTimeout);
            using HttpRequestMessage request = template.CreateHashRequest(_peerDistValue, _hashRequestPeerDistExValue);
            PeerDistHttpLog.HashRequestSent(Logger, template.Uri);

            // Headers only: the body (real content or content information) is not needed and is discarded unread; the
            // inner handler drains a little of it or closes the connection.
            using HttpResponseMessage response = await SendToInnerAsync(request, deadline.Token).ConfigureAwait(false);
            PeerDistHttpLog.HashRequestAnswered(Logger, template.Uri, (int)response.StatusCode);
        }
#pragma warning disable CA1031 // Fire-and-forget: nothing may escape; whatever failed only means the next GET is plain again.
        catch (Exception e)
#pragma warning restore CA1031
        {
            PeerDistHttpLog.HashRequestFailed(Logger, template.Uri, e.Message);
        }
        finally
        {
            Release(key);
        }
    }

    private void Release(string key)
    {
        _hashRequests.TryRemove(key, out _);
        Interlocked.Decrement(ref _hashRequestsInFlight);
    }
}
