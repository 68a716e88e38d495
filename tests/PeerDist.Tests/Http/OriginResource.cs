using PeerDist.Content;
using PeerDist.Cryptography;

namespace PeerDist.Tests.Http;

/// <summary>
/// One resource of <see cref="PeerDistTestOrigin"/>: its bytes, its content information in both versions (built by
/// <see cref="ContentInformationBuilder"/> from the bytes), and how the origin should misbehave for a test (set with <c>with</c>).
/// </summary>
internal sealed record OriginResource
{
    /// <summary>The passphrase of the test origin's server secret.</summary>
    public const string Passphrase = "http handler tests";

    private OriginResource(byte[] content, ContentInformation v1, ContentInformation v2)
    {
        Content = content;
        V1 = v1;
        V2 = v2;
    }

    public byte[] Content { get; }

    public ContentInformation V1 { get; }

    public ContentInformation V2 { get; }

    public string ETag { get; init; } = "\"5eed-1\"";

    public DateTimeOffset LastModified { get; init; } = new(2026, 11, 1, 1, 2, 3, TimeSpan.Zero);

    public string ContentType { get; init; } = "application/x-test";

    /// <summary>False: the origin never answers with peerdist (a server without PCCRTP).</summary>
    public bool AnswerPeerDist { get; init; } = true;

    /// <summary>Plain responses carry <c>X-P2P-PeerDistEx: MakeHashRequest=true</c> (hashes not ready, wire.md §4.4).</summary>
    public bool MakeHashRequest { get; init; }

    /// <summary>The body sent as content information instead of the real one.</summary>
    public byte[]? InformationOverride { get; init; }

    /// <summary>The X-P2P-PeerDist value sent on a peerdist response instead of the right one ("" = none at all).</summary>
    public string? PeerDistHeaderOverride { get; init; }

    /// <summary>The byte at this offset is flipped in every answer to a missing-data request.</summary>
    public long? CorruptMissingDataOffset { get; init; }

    /// <summary>Missing-data requests wait for this before answering.</summary>
    public TaskCompletionSource? MissingDataGate { get; init; }

    /// <summary>Hash requests wait for this before answering.</summary>
    public TaskCompletionSource? HashRequestGate { get; init; }

    /// <summary>When set, requests without exactly this Authorization value get 401.</summary>
    public string? RequiredAuthorization { get; init; }

    public static OriginResource Create(byte[] content)
    {
        using ServerSecret secret = ServerSecret.FromPassphrase(Passphrase);
        return new OriginResource(
            content,
            ContentInformationBuilder.Create((ReadOnlySpan<byte>)content, secret, new ContentInformationBuilderOptions { Version = ContentInformationVersion.V1 }),
            ContentInformationBuilder.Create((ReadOnlySpan<byte>)content, secret, new ContentInformationBuilderOptions { Version = ContentInformationVersion.V2 }));
    }
}
