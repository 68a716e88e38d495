using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using PeerDist.Content;

namespace PeerDist.Cryptography;

/// <summary>
/// The server secret key of a content server (MS-PCCRC 2.5): arbitrary bytes whose hash Ks keys every segment secret.
/// The bytes live in a pinned array that is wiped on <see cref="Dispose"/>; they never appear in <see cref="ToString"/>
/// or in exception messages.
/// </summary>
public sealed class ServerSecret : IDisposable
{
    private readonly byte[] _key;
    private bool _disposed;

    private ServerSecret(ReadOnlySpan<byte> key)
    {
        _key = GC.AllocateUninitializedArray<byte>(key.Length, pinned: true);
        key.CopyTo(_key);
    }

    /// <summary>The length of the secret key in bytes.</summary>
    public int Length
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _key.Length;
        }
    }

    /// <summary>Uses <paramref name="key"/> as the server secret key.</summary>
    public static ServerSecret FromKey(ReadOnlySpan<byte> key)
    {
        if (key.IsEmpty)
        {
            ThrowHelper.ThrowArgument("The server secret key must not be empty.", nameof(key));
        }

        return new ServerSecret(key);
    }

    /// <summary>
    /// The key Windows makes from <c>netsh branchcache set key "passphrase"</c>: the UTF-16LE bytes of the passphrase
    /// without a terminator (pccrc.md §3.3, from Microsoft's protocol test suite configuration).
    /// </summary>
    public static ServerSecret FromPassphrase(string passphrase)
    {
        ArgumentException.ThrowIfNullOrEmpty(passphrase);
        byte[] bytes = Encoding.Unicode.GetBytes(passphrase);
        try
        {
            return new ServerSecret(bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>
    /// Reads a key file written by <c>netsh branchcache exportkey</c> (MS-PCCRC 2.5): AES-256-CBC with PKCS#7 padding,
    /// key SHA-256(UTF-16LE password), IV zero, over SHA-256(secret key) ‖ secret key.
    /// </summary>
    /// <exception cref="PeerDistFormatException">The file is malformed or the password is wrong (<see cref="PeerDistFormatError.InvalidKeyFile"/>).</exception>
    public static ServerSecret FromExportedKeyFile(ReadOnlySpan<byte> file, string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (file.Length < 48 || file.Length % 16 != 0)
        {
            ThrowHelper.ThrowFormat(PeerDistFormatError.InvalidKeyFile, 0);
        }

        byte[] plain = ArrayPool<byte>.Shared.Rent(file.Length);
        Span<byte> fileKey = stackalloc byte[32];
        try
        {
            DeriveFileKey(password, fileKey);
            using Aes aes = Aes.Create();
            aes.SetKey(fileKey); // from the span: no heap copy of the key is left behind
            int written;
            try
            {
                written = aes.DecryptCbc(file, stackalloc byte[16], plain, PaddingMode.PKCS7);
            }
            catch (CryptographicException)
            {
                // A wrong password almost always shows up as bad padding.
                ThrowHelper.ThrowFormat(PeerDistFormatError.InvalidKeyFile, file.Length - 16);
                return null;
            }

            Span<byte> plainSpan = plain.AsSpan(0, written);
            if (written <= 32)
            {
                ThrowHelper.ThrowFormat(PeerDistFormatError.InvalidKeyFile, 0);
            }

            Span<byte> check = stackalloc byte[32];
            SHA256.HashData(plainSpan[32..], check);
            if (!CryptographicOperations.FixedTimeEquals(check, plainSpan[..32]))
            {
                ThrowHelper.ThrowFormat(PeerDistFormatError.InvalidKeyFile, 0);
            }

            return new ServerSecret(plainSpan[32..]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(fileKey);
            CryptographicOperations.ZeroMemory(plain.AsSpan(0, file.Length));
            ArrayPool<byte>.Shared.Return(plain);
        }
    }

    /// <summary>Writes this key as a Windows export file protected by <paramref name="password"/> (the inverse of <see cref="FromExportedKeyFile"/>).</summary>
    public byte[] ExportKeyFile(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        ObjectDisposedException.ThrowIf(_disposed, this);
        byte[] plain = new byte[32 + _key.Length];
        Span<byte> fileKey = stackalloc byte[32];
        try
        {
            SHA256.HashData(_key, plain);
            _key.CopyTo(plain, 32);
            DeriveFileKey(password, fileKey);
            using Aes aes = Aes.Create();
            aes.SetKey(fileKey);
            return aes.EncryptCbc(plain, stackalloc byte[16], PaddingMode.PKCS7);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(fileKey);
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <summary>Ks for <paramref name="algorithm"/>: H(key), truncated to 32 bytes for V2 (MS-PCCRC 2.5).</summary>
    public void DeriveServerKey(ContentHashAlgorithm algorithm, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        PeerDistKeyDerivation.ComputeServerKey(algorithm, _key, destination);
    }

    /// <summary>Wipes the key.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            CryptographicOperations.ZeroMemory(_key);
            _disposed = true;
        }
    }

    /// <summary>Never shows the key.</summary>
    public override string ToString() => "ServerSecret(redacted)";

    private static void DeriveFileKey(string password, Span<byte> destination)
    {
        byte[] passwordBytes = Encoding.Unicode.GetBytes(password);
        SHA256.HashData(passwordBytes, destination);
        CryptographicOperations.ZeroMemory(passwordBytes);
    }
}
