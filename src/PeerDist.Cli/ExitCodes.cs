namespace PeerDist.Cli;

/// <summary>The exit codes of the <c>peerdist</c> tool.</summary>
internal static class ExitCodes
{
    /// <summary>Success; for <c>inspect --content</c>, the content matches.</summary>
    public const int Success = 0;

    /// <summary>Bad input: a missing or unreadable file, malformed content information, a wrong key-file password, content that does not match.</summary>
    public const int BadInput = 1;

    /// <summary>The command line is wrong: unknown option, missing or conflicting options, a malformed value.</summary>
    public const int Usage = 2;

    /// <summary>Interrupted by Ctrl-C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;
}
