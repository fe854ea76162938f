using Microsoft.Extensions.Options;

namespace PayApi.Storage.S3;

/// <summary>Refuses <see cref="S3Options"/> with any of <see cref="S3Options.Problems"/>, naming each setting at start.</summary>
internal sealed class S3OptionsValidator : IValidateOptions<S3Options>
{
    public ValidateOptionsResult Validate(string? name, S3Options options)
    {
        var problems = options.Problems().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
