namespace PayApi.Providers;

/// <summary>
/// The credential fields of one connection, in plaintext, held only in memory while a provider call runs.
/// Its <see cref="ToString"/> never prints a value, so it cannot leak through logging or exceptions.
/// </summary>
public sealed class ProviderCredentials
{
    private readonly Dictionary<string, string> _fields;

    public ProviderCredentials(IReadOnlyDictionary<string, string> fields)
    {
        _fields = new Dictionary<string, string>(fields, StringComparer.Ordinal);
    }

    public IReadOnlyCollection<string> FieldNames => _fields.Keys;

    public string this[string field] =>
        _fields.TryGetValue(field, out var value) ? value : throw new KeyNotFoundException($"Credential field '{field}' is missing.");

    public bool TryGet(string field, out string value) => _fields.TryGetValue(field, out value!);

    public IReadOnlyDictionary<string, string> ToDictionary() => new Dictionary<string, string>(_fields, StringComparer.Ordinal);

    public override string ToString() => $"ProviderCredentials [{string.Join(", ", _fields.Keys)}: redacted]";
}
