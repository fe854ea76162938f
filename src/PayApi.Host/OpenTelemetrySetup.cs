using Microsoft.Extensions.Configuration;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using PayApi.Telemetry;

namespace PayApi.Host;

/// <summary>
/// OpenTelemetry over OTLP, configured by the standard <c>OTEL_*</c> variables (environment or any other
/// configuration source). Off unless an OTLP endpoint is set: with none, nothing is registered, so no span is created
/// and no measurement is collected. Each signal (traces, metrics, logs) is on when the common endpoint or its own
/// (<c>OTEL_EXPORTER_OTLP_{TRACES|METRICS|LOGS}_ENDPOINT</c>, used as given) is set.
/// </summary>
public static class OpenTelemetrySetup
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string DefaultServiceName = "payapi";

    /// <summary>The meters exported: Orleans', ours, and ASP.NET Core's and HttpClient's (added by their instrumentation).</summary>
    public static readonly IReadOnlyList<string> Meters = ["Microsoft.Orleans", PayApiTelemetry.Name];

    /// <summary>The activity sources exported besides ASP.NET Core's and HttpClient's.</summary>
    public static readonly IReadOnlyList<string> Sources =
        [PayApiTelemetry.Name, "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application", "Microsoft.Orleans.Lifecycle", "Microsoft.Orleans.Storage"];

    /// <summary>The signal's endpoint: its own variable, else the common one; null when neither is set.</summary>
    public static string? Endpoint(IConfiguration configuration, string? signal)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var specific = signal is null ? null : configuration[$"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT"];
        return !string.IsNullOrWhiteSpace(specific) ? specific
            : string.IsNullOrWhiteSpace(configuration[EndpointVariable]) ? null
            : configuration[EndpointVariable];
    }

    /// <summary>True when any signal has an endpoint, i.e. telemetry is on.</summary>
    public static bool IsEnabled(IConfiguration configuration) =>
        Endpoint(configuration, "TRACES") is not null || Endpoint(configuration, "METRICS") is not null || Endpoint(configuration, "LOGS") is not null;

    /// <summary>Registers the exporters of the signals that have an endpoint; returns false (and registers nothing) when none has.</summary>
    public static bool Add(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        if (!IsEnabled(configuration))
        {
            return false;
        }

        var otel = builder.Services.AddOpenTelemetry().ConfigureResource(r =>
        {
            if (string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"]))
            {
                r.AddService(DefaultServiceName);
            }
        });

        if (Endpoint(configuration, "TRACES") is not null)
        {
            otel.WithTracing(t => t
                .AddSource([.. Sources])
                .AddAspNetCoreInstrumentation(o => o.RecordException = false)
                .AddHttpClientInstrumentation(o => o.RecordException = false)
                // Before the exporter, so what it sends is already scrubbed.
                .AddProcessor(new TelemetryScrubber())
                .AddOtlpExporter(o => UseSignalEndpoint(o, configuration, "TRACES")));
        }

        if (Endpoint(configuration, "METRICS") is not null)
        {
            otel.WithMetrics(m => m
                .AddMeter([.. Meters])
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddOtlpExporter(o => UseSignalEndpoint(o, configuration, "METRICS")));
        }

        if (Endpoint(configuration, "LOGS") is not null)
        {
            // Through the same logger factory as the console, so the same redactor has erased every [SecretData] value,
            // and with the message template only (never the formatted message) and no scopes.
            otel.WithLogging(
                l => l.AddOtlpExporter(o => UseSignalEndpoint(o, configuration, "LOGS")),
                o =>
                {
                    o.IncludeFormattedMessage = false;
                    o.IncludeScopes = false;
                });
        }

        return true;
    }

    private static void UseSignalEndpoint(OtlpExporterOptions options, IConfiguration configuration, string signal)
    {
        // A signal's own endpoint is the full URL (the exporter appends nothing to an endpoint set here).
        if (configuration[$"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT"] is { Length: > 0 } specific && Uri.TryCreate(specific, UriKind.Absolute, out var uri))
        {
            options.Endpoint = uri;
        }
    }
}
