namespace PeerDist.Content;

/// <summary>The content information format version (MS-PCCRC 2.3 and 2.4).</summary>
public enum ContentInformationVersion
{
    /// <summary>Version 1.0: fixed 32 MiB segments of 64 KiB blocks, SHA-256/384/512, little-endian.</summary>
    V1 = 1,

    /// <summary>Version 2.0: content-defined segments of at most 128 KiB, truncated SHA-512, big-endian.</summary>
    V2 = 2,
}
