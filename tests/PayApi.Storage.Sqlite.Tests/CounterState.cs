namespace PayApi.Storage.Sqlite.Tests;

/// <summary>State kept in the default storage provider by <see cref="SiloRestartGrain"/>.</summary>
[GenerateSerializer]
public sealed class CounterState
{
    [Id(0)]
    public int Value { get; set; }
}
