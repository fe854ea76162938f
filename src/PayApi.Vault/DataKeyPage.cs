namespace PayApi.Vault;

/// <summary>
/// One page of <see cref="IDataKeyStore.ListAsync"/>: some records, and the cursor that continues after them
/// (<see langword="null"/> when the listing is complete).
/// </summary>
public sealed record DataKeyPage(IReadOnlyList<WrappedKeyRecord> Records, string? NextCursor);
