namespace PeerDist.BranchOffice;

/// <summary>A child process exited or failed before doing what a scenario needed.</summary>
internal sealed class ChildFailedException : Exception
{
    public ChildFailedException()
    {
    }

    public ChildFailedException(string message)
        : base(message)
    {
    }

    public ChildFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
