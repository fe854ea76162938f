namespace PayApi.Vault;

/// <summary>
/// Outcome of <c>POST /admin/v1/keys/rewrap</c>. <paramref name="Conflicts"/> were changed or deleted while
/// the run was in flight (already handled by someone else); <paramref name="Failed"/> could not be unwrapped.
/// </summary>
public sealed record RewrapResult(long Scanned, long Rewrapped, long AlreadyCurrent, long Conflicts, long Failed);
