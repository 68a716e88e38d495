namespace PeerDist.Discovery;

/// <summary>What <see cref="PccrdMessageReader"/> took from the SOAP header, and the body element still to be checked.</summary>
internal readonly record struct PccrdEnvelope(string MessageId, string? RelatesTo, PccrdAppSequence AppSequence, PccrdXmlElement Body);
