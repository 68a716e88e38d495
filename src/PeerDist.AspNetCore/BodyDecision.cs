namespace PeerDist.AspNetCore;

/// <summary>What to do with the body bytes an endpoint writes, decided when it starts writing.</summary>
internal enum BodyDecision
{
    /// <summary>Not decided yet.</summary>
    Undecided,

    /// <summary>Send the bytes as they are.</summary>
    PassThrough,

    /// <summary>Send the bytes, and copy them to a spool file from which the content information is generated afterwards.</summary>
    Spool,

    /// <summary>Content information was sent instead; drop the bytes.</summary>
    ContentInformationSent,
}
