namespace PayApi.Storage.Conformance;

/// <summary>
/// Grain state used by the kit. Several field kinds so a backend that drops or truncates part of
/// the payload shows up as a failed comparison.
/// </summary>
[GenerateSerializer]
public sealed class ConformanceState
{
    [Id(0)]
    public string Text { get; set; } = string.Empty;

    [Id(1)]
    public int Counter { get; set; }

    [Id(2)]
    public List<string> Items { get; set; } = [];

    [Id(3)]
    public byte[] Blob { get; set; } = [];
}
