namespace PeerDist.BranchOffice;

/// <summary>
/// Notes the moment the first body byte of any origin response arrives (the wire's first origin byte, earlier than the
/// first verified block the library reports, which waits for the whole block).
/// </summary>
internal sealed class FirstByteHandler : DelegatingHandler
{
    private readonly Action _onFirstByte;
    private int _seen;

    public FirstByteHandler(HttpMessageHandler inner, Action onFirstByte)
        : base(inner) => _onFirstByte = onFirstByte;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response = await base.SendAsync(request, cancellationToken);
        if (Volatile.Read(ref _seen) != 0)
        {
            return response;
        }

        HttpContent original = response.Content;
        Stream body = await original.ReadAsStreamAsync(cancellationToken);
        var wrapped = new StreamContent(new NotifyingStream(body, this));
        foreach (KeyValuePair<string, IEnumerable<string>> header in original.Headers)
        {
            wrapped.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = wrapped;
        return response;
    }

    private void Notify()
    {
        if (Interlocked.Exchange(ref _seen, 1) == 0)
        {
            _onFirstByte();
        }
    }

    /// <summary>A read-only pass-through stream that reports its first non-empty read.</summary>
    private sealed class NotifyingStream : Stream
    {
        private readonly Stream _inner;
        private readonly FirstByteHandler _owner;

        public NotifyingStream(Stream inner, FirstByteHandler owner)
        {
            _inner = inner;
            _owner = owner;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Seen(_inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Seen(await _inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Seen(int read)
        {
            if (read > 0)
            {
                _owner.Notify();
            }

            return read;
        }
    }
}
