namespace PeerDist.Cli;

/// <summary>Opens the files named on the command line (<c>-</c> is standard input) and turns failures into one-line errors.</summary>
internal static class InputFiles
{
    /// <summary>The name that stands for standard input or standard output.</summary>
    public const string StandardStream = "-";

    /// <summary>
    /// The largest file read whole (content information, key files): 1 GiB, the content information of about 2 TiB of
    /// V1 content. Anything larger is refused rather than buffered.
    /// </summary>
    public const int MaxReadAllLength = 1024 * 1024 * 1024;

    /// <summary>Opens <paramref name="path"/> for reading; <c>-</c> gives standard input (not disposed by the caller's using).</summary>
    /// <exception cref="CliException">The file is missing or cannot be opened.</exception>
    public static Stream OpenRead(CliConsole console, string path, string what, out long length)
    {
        if (path == StandardStream)
        {
            length = -1;
            return new NonDisposingStream(console.In);
        }

        try
        {
            var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
            length = file.Length;
            return file;
        }
        catch (Exception e) when (IsFileError(e))
        {
            throw Describe(path, what, e);
        }
    }

    /// <summary>Reads all of <paramref name="path"/> (<c>-</c> reads standard input to its end).</summary>
    /// <exception cref="CliException">The file is missing or cannot be read.</exception>
    public static async Task<byte[]> ReadAllBytesAsync(CliConsole console, string path, string what, CancellationToken cancellationToken)
    {
        if (path == StandardStream)
        {
            using var buffer = new MemoryStream();
            byte[] chunk = new byte[81920];
            int read;
            while ((read = await console.In.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxReadAllLength)
                {
                    throw CliException.BadInput($"{what} on standard input is larger than {MaxReadAllLength / (1024 * 1024)} MiB");
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }

        return await ReadAllBytesAsync(path, what, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads all of the file <paramref name="path"/>.</summary>
    /// <exception cref="CliException">The file is missing or cannot be read.</exception>
    public static async Task<byte[]> ReadAllBytesAsync(string path, string what, CancellationToken cancellationToken)
    {
        try
        {
            if (new FileInfo(path).Length > MaxReadAllLength)
            {
                throw CliException.BadInput($"{what} '{path}' is larger than {MaxReadAllLength / (1024 * 1024)} MiB");
            }

            return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsFileError(e))
        {
            throw Describe(path, what, e);
        }
    }

    /// <summary>Whether <paramref name="e"/> is a failure to open, read or write a file (reported as bad input, exit 1).</summary>
    public static bool IsFileError(Exception e) => e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException;

    /// <summary>A one-line error naming the file and what went wrong.</summary>
    public static CliException Describe(string path, string what, Exception e) => e switch
    {
        _ when Directory.Exists(path) => CliException.BadInput($"{what} '{path}' is a directory"),
        FileNotFoundException or DirectoryNotFoundException => CliException.BadInput($"{what} '{path}' does not exist"),
        UnauthorizedAccessException => CliException.BadInput($"{what} '{path}' cannot be opened: permission denied"),
        _ => CliException.BadInput($"{what} '{path}' cannot be read: {OneLine(e.Message)}"),
    };

    /// <summary>Folds a message onto one line.</summary>
    public static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
