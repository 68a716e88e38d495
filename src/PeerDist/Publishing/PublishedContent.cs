using PeerDist.Content;

namespace PeerDist.Publishing;

/// <summary>The content information of one published version of a content (the result of a publish).</summary>
public sealed class PublishedContent
{
    internal PublishedContent(string contentId, ContentValidator validator, ContentInformation v1, ContentInformation? v2)
    {
        ContentId = contentId;
        Validator = validator;
        V1 = v1;
        V2 = v2;
    }

    /// <summary>The identifier the content was published under.</summary>
    public string ContentId { get; }

    /// <summary>The version of the content the hashes describe.</summary>
    public ContentValidator Validator { get; }

    /// <summary>The V1 content information of the whole content.</summary>
    public ContentInformation V1 { get; }

    /// <summary>The V2 content information of the whole content, or null when V2 generation is off.</summary>
    public ContentInformation? V2 { get; }

    /// <summary>The content information of <paramref name="version"/>, or null when it was not generated.</summary>
    public ContentInformation? Get(ContentInformationVersion version) => version switch
    {
        ContentInformationVersion.V1 => V1,
        ContentInformationVersion.V2 => V2,
        _ => null,
    };
}
