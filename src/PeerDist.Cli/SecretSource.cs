using System.Security.Cryptography;
using PeerDist.Cryptography;

namespace PeerDist.Cli;

/// <summary>
/// A validated secret source from the command line. <see cref="LoadAsync"/> turns it into the key, reading the key file
/// if there is one; nothing is read before every usage check has passed.
/// </summary>
internal sealed class SecretSource(SecretKind kind, string value, string? password)
{
    public SecretKind Kind { get; } = kind;

    /// <summary>Never shows the secret.</summary>
    public override string ToString() => $"SecretSource({Kind})";

    /// <exception cref="CliException">The key file is missing, unreadable or malformed, or the password is wrong.</exception>
    public async Task<ServerSecret> LoadAsync(CancellationToken cancellationToken)
    {
        switch (Kind)
        {
            case SecretKind.Hex:
                byte[] key = Convert.FromHexString(value);
                try
                {
                    return ServerSecret.FromKey(key);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(key);
                }

            case SecretKind.Passphrase:
                return ServerSecret.FromPassphrase(value);

            default:
                byte[] file = await InputFiles.ReadAllBytesAsync(value, "key file", cancellationToken).ConfigureAwait(false);
                try
                {
                    return ServerSecret.FromExportedKeyFile(file, password ?? string.Empty);
                }
                catch (PeerDistFormatException)
                {
                    // The library's message names the reason; here the byte offset means nothing to the user.
                    throw CliException.BadInput($"'{value}': the key file is malformed or the password is wrong");
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(file);
                }
        }
    }
}
