namespace PeerDist.Discovery;

/// <summary>
/// One segment of a version 1.0 ProbeMatch: a <c>Scopes</c> item and its <c>BlockCount</c> entry (MS-PCCRD 2.2.3.3,
/// 2.2.3.9), the number of blocks of that segment the responder holds.
/// </summary>
/// <param name="SegmentId">The segment identifier (HoHoDk), 32, 48 or 64 bytes.</param>
/// <param name="BlockCount">The number of blocks of the segment the responder holds; 0 means none (iPXE ignores such entries).</param>
public readonly record struct PccrdSegmentBlockCount(ReadOnlyMemory<byte> SegmentId, uint BlockCount);
