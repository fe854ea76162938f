namespace PayApi.Telemetry;

/// <summary>
/// One connection grain's share of <see cref="PayApiTelemetry.Connections"/>: it moves the grain's one count from the
/// status last reported to the new one (null: the grain is not counted, e.g. deactivated or never connected).
/// </summary>
public sealed class ConnectionStatusMeter
{
    private string? _reported;

    public void Report(string? status)
    {
        if (string.Equals(_reported, status, StringComparison.Ordinal))
        {
            return;
        }

        if (_reported is not null)
        {
            PayApiTelemetry.Connections.Add(-1, new KeyValuePair<string, object?>("status", _reported));
        }

        if (status is not null)
        {
            PayApiTelemetry.Connections.Add(1, new KeyValuePair<string, object?>("status", status));
        }

        _reported = status;
    }
}
