using Microsoft.Extensions.Options;

namespace PeerDist.AspNetCore;

/// <summary>Reports every problem of a <see cref="PeerDistOriginOptions"/> at start-up.</summary>
internal sealed class PeerDistOriginOptionsValidator : IValidateOptions<PeerDistOriginOptions>
{
    public ValidateOptionsResult Validate(string? name, PeerDistOriginOptions options)
    {
        IReadOnlyList<string> errors = options.GetValidationErrors();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
