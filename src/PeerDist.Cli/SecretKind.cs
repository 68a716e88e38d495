namespace PeerDist.Cli;

/// <summary>Where the server secret comes from.</summary>
internal enum SecretKind
{
    /// <summary><c>--secret-hex</c>: the key bytes.</summary>
    Hex,

    /// <summary><c>--passphrase</c>: the UTF-16LE bytes of the text.</summary>
    Passphrase,

    /// <summary><c>--key-file</c> with <c>--key-password</c>: a Windows export file.</summary>
    KeyFile,
}
