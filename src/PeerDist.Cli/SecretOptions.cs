using System.CommandLine;

namespace PeerDist.Cli;

/// <summary>
/// The three ways to give the server secret key (MS-PCCRC 2.5): raw bytes in hex, a <c>netsh branchcache set key</c>
/// passphrase, or a <c>netsh branchcache exportkey</c> file with its password. At most one may be used.
/// </summary>
internal sealed class SecretOptions
{
    public Option<string> SecretHex { get; } = new("--secret-hex")
    {
        Description = "The server secret key as hex bytes (the secret a \"netsh branchcache exportkey\" file holds).",
        HelpName = "HEX",
    };

    public Option<string> Passphrase { get; } = new("--passphrase")
    {
        Description = "The passphrase given to \"netsh branchcache set key\"; the key is its UTF-16LE bytes.",
        HelpName = "TEXT",
    };

    public Option<string> KeyFile { get; } = new("--key-file")
    {
        Description = "A key file written by \"netsh branchcache exportkey\" (needs --key-password).",
        HelpName = "FILE",
    };

    public Option<string> KeyPassword { get; } = new("--key-password")
    {
        Description = "The password the key file was exported with.",
        HelpName = "TEXT",
    };

    public void AddTo(Command command)
    {
        command.Add(SecretHex);
        command.Add(Passphrase);
        command.Add(KeyFile);
        command.Add(KeyPassword);
    }

    /// <summary>
    /// Checks which secret the command line gives, without touching any file. Null when none is given.
    /// </summary>
    /// <exception cref="CliException">A usage error: two sources, a bad hex string, a key file without its password.</exception>
    public SecretSource? Validate(ParseResult result)
    {
        string? hex = result.GetValue(SecretHex);
        string? passphrase = result.GetValue(Passphrase);
        string? keyFile = result.GetValue(KeyFile);
        string? keyPassword = result.GetValue(KeyPassword);

        int given = (hex is null ? 0 : 1) + (passphrase is null ? 0 : 1) + (keyFile is null ? 0 : 1);
        if (given > 1)
        {
            throw CliException.Usage("give the server secret only once: --secret-hex, --passphrase or --key-file");
        }

        if (keyPassword is not null && keyFile is null)
        {
            throw CliException.Usage("--key-password is only used with --key-file");
        }

        if (hex is not null)
        {
            return new SecretSource(SecretKind.Hex, ParseHex(hex), null);
        }

        if (passphrase is not null)
        {
            if (passphrase.Length == 0)
            {
                throw CliException.Usage("--passphrase must not be empty");
            }

            return new SecretSource(SecretKind.Passphrase, passphrase, null);
        }

        if (keyFile is not null)
        {
            if (keyPassword is null)
            {
                throw CliException.Usage("--key-file needs --key-password (the password the key was exported with)");
            }

            return new SecretSource(SecretKind.KeyFile, keyFile, keyPassword);
        }

        return null;
    }

    private static string ParseHex(string hex)
    {
        string trimmed = hex.Trim();
        if (trimmed.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed[2..];
        }

        if (trimmed.Length == 0 || trimmed.Length % 2 != 0 || !trimmed.All(char.IsAsciiHexDigit))
        {
            throw CliException.Usage("--secret-hex must be a non-empty, even number of hex digits");
        }

        return trimmed;
    }
}
