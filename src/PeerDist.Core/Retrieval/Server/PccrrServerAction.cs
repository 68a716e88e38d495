namespace PeerDist.Retrieval.Server;

/// <summary>What the transport does with a request after <see cref="PccrrServer.Handle(in System.Buffers.ReadOnlySequence{byte}, System.Buffers.IBufferWriter{byte})"/>.</summary>
public enum PccrrServerAction
{
    /// <summary>Nothing was written: close the connection or answer with a plain HTTP error, never a PCCRR message (wire.md §1.1).</summary>
    Drop = 0,

    /// <summary>A complete response body (TRANSPORT_RESPONSE_HEADER + message) was written: send it.</summary>
    Respond = 1,
}
