using PeerDist.Content;

namespace PeerDist.Cli;

/// <summary>A verification of the file at <paramref name="ContentPath"/> and its result.</summary>
internal sealed record Verification(string ContentPath, ContentVerificationResult Result);
