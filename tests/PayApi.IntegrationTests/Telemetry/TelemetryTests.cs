using System.Diagnostics;
using System.Net;
using System.Text;
using PayApi.Sandbox;
using PayApi.Testing;
using Xunit;

namespace PayApi.IntegrationTests.Telemetry;

/// <summary>
/// OpenTelemetry end to end: the real host exports over OTLP/HTTP to a loopback receiver. A full lifecycle (a Stripe
/// connect under KMS with a canary key, a browser login refused with a canary password, reads) yields one trace per
/// request across gateway, grain and provider call, our metrics and Orleans', and logs; no secret, session id or raw
/// path is in any byte exported.
/// </summary>
public sealed class TelemetryTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_lifecycle_exports_linked_traces_metrics_and_logs_and_no_secret()
    {
        var canaryKey = "rk_test_CANARYKEY" + Guid.NewGuid().ToString("N");
        var canaryPassword = "CANARYPW" + Guid.NewGuid().ToString("N");
        await using var kms = await KmsServer.StartAsync();
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var host = await TestHost.StartAsync(null, null,
            "--PayApi:Keys:Provider=Kms", $"--PayApi:Kms:KeyId={KmsServer.TestAlias}", $"--PayApi:Kms:ServiceUrl={kms.ServiceUrl}",
            $"--OTEL_EXPORTER_OTLP_ENDPOINT={receiver.Endpoint}",
            "--OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
            "--OTEL_SERVICE_NAME=payapi-telemetry-test",
            "--OTEL_BSP_SCHEDULE_DELAY=200",
            "--OTEL_BLRP_SCHEDULE_DELAY=200",
            "--OTEL_METRIC_EXPORT_INTERVAL=300");
        var api = new ApiClient(host.Http);
        var stripe = host.Service<SandboxServer>().StripeBaseAddress;
        var client = await api.CreateClientAsync();

        // A Stripe connect with the canary key: session, the Connect page, credentials, exchange, a read.
        var sessionId = (await api.OpenSessionAsync(client, new { end_user_id = "telemetry-user" })).GetProperty("session_id").GetString()!;
        using (var page = await host.Http.GetAsync($"/connect/{sessionId}"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        await api.SubmitCredentialsAsync(sessionId, "sandbox-stripe", new { api_key = canaryKey });
        var done = await api.WaitForSessionAsync(client, sessionId);
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        var (connectionId, token) = await api.ExchangeAsync(client, done.GetProperty("code").GetString()!);
        using (var balance = await api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token)))
        {
            await ApiClient.ExpectAsync(balance, HttpStatusCode.OK);
        }

        // A browser login refused: the canary password goes through Chromium to the sandbox bank.
        var bankSessionId = (await api.OpenSessionAsync(client, new { end_user_id = "telemetry-user-2" })).GetProperty("session_id").GetString()!;
        await api.SubmitCredentialsAsync(bankSessionId, "sandbox-bank", new { username = "user_good", password = canaryPassword });
        var refused = await api.WaitForSessionAsync(client, bankSessionId);
        Assert.Equal("invalid_credentials", refused.GetProperty("error").GetProperty("code").GetString());

        // Spans: a gateway request whose trace holds an Orleans grain call and the provider's HttpClient call.
        var stripePort = stripe.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        List<OtlpSpan> spans = [];
        string? linkedTrace = null;
        await WaitUntilAsync(() =>
        {
            spans = [.. receiver.Bodies("traces").SelectMany(Otlp.Spans)];
            linkedTrace = spans
                .Where(s => s.Scope == "System.Net.Http" && s.Kind == 3 && s.Attributes.GetValueOrDefault("server.port") == stripePort)
                .Select(s => s.TraceId)
                .FirstOrDefault(t =>
                    spans.Any(s => s.TraceId == t && s.Scope.StartsWith("Microsoft.Orleans", StringComparison.Ordinal))
                    && spans.Any(s => s.TraceId == t && s.Scope == "Microsoft.AspNetCore" && s.Kind == 2
                        && s.Attributes.GetValueOrDefault("http.route", "").StartsWith("/connect/api/{session_id}", StringComparison.Ordinal)));
            return linkedTrace is not null
                && spans.Any(s => s.Scope == "PayApi" && s.Name == "browser job")
                && spans.Any(s => s.Scope == "PayApi" && s.Name == "kms GenerateDataKey");
        }, () => "spans: " + string.Join("; ", spans.Select(s => $"{s.Scope}|{s.Name}|{s.TraceId}")));

        // Every server span names a route template and nothing of the raw path; no span keeps a query or a header.
        foreach (var server in spans.Where(s => s.Scope == "Microsoft.AspNetCore"))
        {
            Assert.DoesNotContain("/cs_", server.Name, StringComparison.Ordinal);
            Assert.Equal(server.Attributes.GetValueOrDefault("http.route"), server.Attributes.GetValueOrDefault("url.path"));
        }

        Assert.DoesNotContain(spans, s => s.Attributes.Keys.Any(k => k is "url.query" or "user_agent.original" || k.StartsWith("http.request.header.", StringComparison.Ordinal)));
        Assert.DoesNotContain(spans, s => s.Scope == "System.Net.Http" && s.Attributes.TryGetValue("url.full", out var full) && new Uri(full).AbsolutePath != "/");

        // Metrics: ours and Orleans'.
        string[] ours = ["payapi.connections", "payapi.logins", "payapi.data.reads", "payapi.kms.calls", "payapi.browser.jobs", "payapi.browser.queue", "payapi.browser.job.duration"];
        List<(string Scope, string Name)> metrics = [];
        await WaitUntilAsync(() =>
        {
            metrics = [.. receiver.Bodies("metrics").SelectMany(Otlp.Metrics)];
            return ours.All(n => metrics.Contains(("PayApi", n))) && metrics.Any(m => m.Scope == "Microsoft.Orleans")
                && metrics.Any(m => m.Name == "http.server.request.duration");
        }, () => "metrics: " + string.Join(", ", metrics.Distinct()));

        // Logs: the request log lines, with their template (the raw path redacted away).
        List<(string Scope, string Body)> logs = [];
        await WaitUntilAsync(() =>
        {
            logs = [.. receiver.Bodies("logs").SelectMany(Otlp.Logs)];
            return logs.Any(l => l.Scope == "PayApi.Gateway.Http.RequestLogging")
                && logs.Any(l => l.Scope == "PayApi.Grains.ConnectionGrain");
        }, () => "logs: " + string.Join(", ", logs.Select(l => l.Scope).Distinct()));

        // Nothing secret in any byte: the canaries, the session capabilities, the credentials of the API.
        var exported = receiver.AllBodies;
        string[] secrets = [canaryKey, canaryPassword, sessionId, bankSessionId, token, client.Secret, TestHost.AdminToken, done.GetProperty("code").GetString()!];
        foreach (var secret in secrets)
        {
            var needle = Encoding.UTF8.GetBytes(secret);
            Assert.DoesNotContain(exported, body => body.AsSpan().IndexOf(needle) >= 0);
        }

        // The connection id is an identifier, not a capability, but nothing in telemetry needs it either: spans do not name it.
        Assert.DoesNotContain(spans, s => s.Attributes.Values.Any(v => v.Contains(connectionId, StringComparison.Ordinal)));
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Func<string> describe)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Patience, "timed out waiting for telemetry; " + describe());
            await Task.Delay(100);
        }
    }
}
