namespace PayApi.Storage.Sqlite.Tests;

/// <summary>State kept in the named storage provider by <see cref="SiloRestartGrain"/>.</summary>
[GenerateSerializer]
public sealed class SecretState
{
    [Id(0)]
    public string Text { get; set; } = string.Empty;
}
