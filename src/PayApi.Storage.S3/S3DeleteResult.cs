namespace PayApi.Storage.S3;

/// <summary>
/// What one <see cref="S3Objects.DeleteManyAsync"/> did. S3 reports a key as deleted whether or not it existed;
/// <see cref="Errors"/> holds the keys it refused, with its code and message for each.
/// </summary>
public sealed record S3DeleteResult(IReadOnlyList<string> Deleted, IReadOnlyList<S3DeleteError> Errors)
{
    public bool Succeeded => Errors.Count == 0;
}

/// <summary>One key a batch delete refused (<c>AccessDenied</c>, <c>InternalError</c>, ...).</summary>
public sealed record S3DeleteError(string Key, string Code, string Message);
