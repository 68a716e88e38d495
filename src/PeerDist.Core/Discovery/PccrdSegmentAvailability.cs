namespace PeerDist.Discovery;

/// <summary>
/// One two-bit entry of a version 2.0 ProbeMatch <c>Scopes</c> bit array (MS-PCCRD 2.2.3.3): what the responder holds of
/// one requested segment. The flag values are the bit values inside the pair.
/// </summary>
/// <remarks>
/// The specification does not say in which order the pairs fill a byte; this library puts pair 0 in bits 7..6 of byte 0
/// (most significant first), the reading of wire.md §2.4, open question 3 of §10. <see cref="AllBlocks"/> without
/// <see cref="SomeBlocks"/> is contradictory but representable, so a reader does not lose what the peer sent.
/// </remarks>
[Flags]
public enum PccrdSegmentAvailability : byte
{
    /// <summary>Both bits clear: the responder does not have the segment.</summary>
    None = 0,

    /// <summary>The low bit: the responder has every block of the segment.</summary>
    AllBlocks = 0b01,

    /// <summary>The high bit: the responder has the segment (some or all of its blocks) in its cache.</summary>
    SomeBlocks = 0b10,

    /// <summary>Both bits: the responder has the whole segment.</summary>
    Complete = SomeBlocks | AllBlocks,
}
