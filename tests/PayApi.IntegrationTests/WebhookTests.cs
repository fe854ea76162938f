using System.Net;
using System.Text.Json;
using PayApi.Client;
using PayApi.Sandbox;
using PayApi.Testing;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary>
/// Webhooks end to end on the embedded default with the sandbox: a real receiver on loopback gets every event type from
/// a real connection's life, each signed so <see cref="WebhookSignature.Verify(string, string?, IEnumerable{string}, TimeSpan, DateTimeOffset?)"/>
/// accepts it; failures are retried with backoff, survive a restart, and never hold another client's events.
/// </summary>
public sealed class WebhookTests
{
    // Retries and timeouts in seconds rather than hours, so the schedule is exercised whole; the mechanism is the same.
    internal static readonly string[] FastWebhooks =
    [
        "--PayApi:Webhooks:AttemptTimeout=00:00:01",
        "--PayApi:Webhooks:FirstRetryDelay=00:00:00.300",
        "--PayApi:Webhooks:MaxRetryDelay=00:00:02",
        "--PayApi:Sandbox:MinRefreshInterval=00:00:00.001",
        "--PayApi:RateLimit:PermitsPerSecond=100000",
        "--PayApi:RateLimit:Burst=100000",
    ];

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_receiver_gets_every_event_type_of_a_real_lifecycle_each_signed_and_both_secrets_verify_during_a_rotation()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await TestHost.StartAsync(TestHost.NewDataDir(), new CapturedLogs(), FastWebhooks);
        var sandbox = host.Service<SandboxServer>();
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        var secret1 = await SetWebhookAsync(api, client, receiver.Url);

        // A key the sandbox says will expire: connected, then pending_expiration once the first fetch saw the hint.
        var apiKey = "rk_test_expiring" + Guid.NewGuid().ToString("N")[..16];
        var (connectionId, token) = await api.ConnectAsync(client, apiKey);
        await receiver.WaitAsync(d => Has(d, "connection.connected") && Has(d, "connection.pending_expiration"), Wait, "connected and pending_expiration");
        await api.WaitSyncedAsync(token);

        // New charges: a refresh announces how many transactions it found new.
        sandbox.AddStripeCharges(apiKey, 3);
        using (var refresh = await api.SendAsync(HttpMethod.Post, "/v1/connection/refresh", ApiClient.Bearer(token)))
        {
            Assert.Equal(HttpStatusCode.Accepted, refresh.StatusCode);
        }

        await receiver.WaitAsync(d => Has(d, "connection.data_updated"), Wait, "data_updated");
        var updated = receiver.Deliveries.Single(d => d.Type == "connection.data_updated");
        Assert.Equal(3, updated.Data.GetProperty("transaction_count").GetInt32());

        // A rotation: while the old secret still signs, every delivery carries two v1= and verifies under either.
        var secret2 = await RotateAsync(api, client);
        Assert.NotEqual(secret1, secret2);

        // The key is revoked at the provider: the next refresh finds the connection needs its end-user again.
        sandbox.RevokeStripeKey(apiKey);
        using (var refresh = await api.SendAsync(HttpMethod.Post, "/v1/connection/refresh", ApiClient.Bearer(token)))
        {
            // 409 login_required when the refresh runs in the call, 202 when it runs in the background: the events tell.
            Assert.True(refresh.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.Accepted, $"refresh answered {(int)refresh.StatusCode}");
        }

        await receiver.WaitAsync(d => Has(d, "connection.status_changed") && Has(d, "connection.login_required"), Wait, "status_changed and login_required");
        using (var disconnect = await api.SendAsync(HttpMethod.Delete, $"/v1/connections/{connectionId}", ApiClient.Basic(client)))
        {
            Assert.Equal(HttpStatusCode.OK, disconnect.StatusCode);
        }

        await receiver.WaitAsync(d => Has(d, "connection.disconnected"), Wait, "disconnected");

        string[] types = ["connection.connected", "connection.pending_expiration", "connection.data_updated", "connection.status_changed", "connection.login_required", "connection.disconnected"];
        Assert.All(types, t => Assert.Contains(receiver.Deliveries, d => d.Type == t));

        var changed = receiver.Deliveries.Single(d => d.Type == "connection.status_changed");
        Assert.Equal("connected", changed.Data.GetProperty("previous_status").GetString());
        Assert.Equal("login_required", changed.Data.GetProperty("status").GetString());
        Assert.Equal("login_required", changed.Data.GetProperty("error_code").GetString()); // how the adapter classifies a key refused after connect
        Assert.Equal("api_key_expiring", receiver.Deliveries.First(d => d.Type == "connection.pending_expiration").Data.GetProperty("reason").GetString());

        foreach (var delivery in receiver.Deliveries)
        {
            Assert.StartsWith("evt_", delivery.EventId, StringComparison.Ordinal);
            Assert.Equal(connectionId, delivery.Data.GetProperty("connection_id").GetString());
            Assert.True(WebhookSignature.Verify(delivery.Raw, delivery.Signature, [secret1, secret2], WebhookSignature.DefaultTolerance), $"{delivery.Type} did not verify");

            // The canary: the end-user's API key appears in no event, signed or listed.
            Assert.DoesNotContain(apiKey, delivery.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("rk_test_", delivery.Body, StringComparison.Ordinal);
        }

        // Sent after the rotation: signed with both secrets, each verifying alone; a wrong secret does not.
        foreach (var delivery in receiver.Deliveries.Where(d => d.Type is "connection.status_changed" or "connection.login_required" or "connection.disconnected"))
        {
            Assert.Equal(2, delivery.Signature.Split(',').Count(p => p.StartsWith("v1=", StringComparison.Ordinal)));
            Assert.True(WebhookSignature.Verify(delivery.Raw, delivery.Signature, [secret1], WebhookSignature.DefaultTolerance));
            Assert.True(WebhookSignature.Verify(delivery.Raw, delivery.Signature, [secret2], WebhookSignature.DefaultTolerance));
            Assert.False(WebhookSignature.Verify(delivery.Raw, delivery.Signature, ["whsec_not_the_secret"], WebhookSignature.DefaultTolerance));
        }

        // The list shows them all, delivered (once each attempt is recorded), with their attempts; it holds no secret either.
        var listed = await ListAllEventsAsync(api, client);
        for (var clock = System.Diagnostics.Stopwatch.StartNew(); !listed.All(e => e.GetProperty("status").GetString() == "delivered"); listed = await ListAllEventsAsync(api, client))
        {
            Assert.True(clock.Elapsed < Wait, "not every event was listed as delivered: " + string.Join(", ", listed.Select(e => e.GetRawText())));
            await Task.Delay(50);
        }

        Assert.All(types, t => Assert.Contains(listed, e => e.GetProperty("type").GetString() == t));
        Assert.Equal(receiver.Deliveries.Select(d => d.EventId).Distinct().Order(), listed.Select(e => e.GetProperty("id").GetString()!).Order());
        Assert.All(listed, e => Assert.Equal(200, e.GetProperty("attempts")[0].GetProperty("status_code").GetInt32()));
        var listedText = string.Join("\n", listed.Select(e => e.GetRawText()));
        Assert.DoesNotContain(apiKey, listedText, StringComparison.Ordinal);
        Assert.DoesNotContain(secret1, listedText, StringComparison.Ordinal);
        Assert.DoesNotContain(secret2, listedText, StringComparison.Ordinal);
        Assert.DoesNotContain(apiKey, host.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(secret2, host.Logs.All, StringComparison.Ordinal);

        // GET shows the url, never the secret.
        using var get = await api.SendAsync(HttpMethod.Get, "/v1/webhook", ApiClient.Basic(client));
        var view = await ApiClient.ExpectAsync(get, HttpStatusCode.OK);
        Assert.Equal(receiver.Url.AbsoluteUri, view.GetProperty("url").GetString());
        Assert.False(view.TryGetProperty("signing_secret", out _));
    }

    [Fact]
    public async Task A_failing_receiver_is_retried_until_it_answers_and_the_attempts_are_listed_then_replay_sends_the_same_event()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await TestHost.StartAsync(TestHost.NewDataDir(), new CapturedLogs(), FastWebhooks);
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        var secret = await SetWebhookAsync(api, client, receiver.Url);
        receiver.Then(500);
        receiver.ThenHang();
        receiver.Then(200);

        await api.ConnectAsync(client, "rk_test_retries" + Guid.NewGuid().ToString("N")[..12]);
        await receiver.WaitAsync(d => d.Any(x => x.Type == "connection.connected" && x.Answer == 200) && d.Count >= 3, Wait, "the connected event answered 200, after two failures");
        var eventId = receiver.Deliveries.First().EventId;
        var received = receiver.For(eventId);
        Assert.Equal([500, 0, 200], received.Select(d => d.Answer));
        Assert.All(received, d => Assert.Equal(received[0].Body, d.Body)); // the same bytes every time
        Assert.All(received, d => Assert.True(WebhookSignature.Verify(d.Raw, d.Signature, [secret], WebhookSignature.DefaultTolerance)));

        var listed = await WaitForEventAsync(api, client, eventId, e => e.GetProperty("status").GetString() == "delivered" && e.GetProperty("attempts").GetArrayLength() == 3);
        var attempts = listed.GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal(500, attempts[0].GetProperty("status_code").GetInt32());
        Assert.False(attempts[1].TryGetProperty("status_code", out _));
        Assert.Contains("timeout", attempts[1].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(200, attempts[2].GetProperty("status_code").GetInt32());
        Assert.All(attempts, a => Assert.True(a.GetProperty("latency_ms").GetInt64() >= 0));
        Assert.InRange(attempts[1].GetProperty("latency_ms").GetInt64(), 900, 5_000); // cut off at the 1 s attempt timeout

        // A second attempt waited the backoff after the first.
        var first = attempts[0].GetProperty("at").GetDateTimeOffset();
        var second = attempts[1].GetProperty("at").GetDateTimeOffset();
        Assert.True(second - first >= TimeSpan.FromMilliseconds(200), $"the retry came {(second - first).TotalMilliseconds} ms after the first attempt");

        // Replay: the same id and body again.
        using (var replay = await api.SendAsync(HttpMethod.Post, $"/v1/webhook/events/{eventId}/replay", ApiClient.Basic(client)))
        {
            var body = await ApiClient.ExpectAsync(replay, HttpStatusCode.Accepted);
            Assert.Equal(eventId, body.GetProperty("id").GetString());
        }

        await receiver.WaitAsync(d => d.Count(x => x.EventId == eventId) == 4, Wait, "the replay");
        Assert.Equal(received[0].Body, receiver.For(eventId)[3].Body);
        await WaitForEventAsync(api, client, eventId, e => e.GetProperty("attempts").GetArrayLength() == 4 && e.GetProperty("status").GetString() == "delivered");

        // Another client cannot see, list or replay it.
        var other = await api.CreateClientAsync("Other");
        using (var replay = await api.SendAsync(HttpMethod.Post, $"/v1/webhook/events/{eventId}/replay", ApiClient.Basic(other)))
        {
            await ApiClient.ExpectProblemAsync(replay, HttpStatusCode.NotFound, "not_found");
        }

        Assert.Empty(await ListAllEventsAsync(api, other));
    }

    [Fact]
    public async Task An_event_pending_when_the_host_stops_is_delivered_after_it_starts_again()
    {
        var dataDir = TestHost.NewDataDir();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Default = _ => Task.FromResult(503);
        string eventId;
        (string Id, string Secret) client;
        string secret;
        string[] slowRetries = [.. FastWebhooks, "--PayApi:Webhooks:FirstRetryDelay=00:00:05", "--PayApi:Webhooks:MaxRetryDelay=00:00:05"];
        await using (var host = await TestHost.StartAsync(dataDir, new CapturedLogs(), slowRetries))
        {
            var api = new ApiClient(host.Http);
            client = await api.CreateClientAsync();
            secret = await SetWebhookAsync(api, client, receiver.Url);
            await api.ConnectAsync(client, "rk_test_restart" + Guid.NewGuid().ToString("N")[..12]);
            await receiver.WaitAsync(d => d.Count > 0, Wait, "the first attempt");
            eventId = receiver.Deliveries.First().EventId;
            await WaitForEventAsync(api, client, eventId, e => e.GetProperty("attempts").GetArrayLength() >= 1);
        }

        // Stopped with the event pending; the receiver recovers while the host is down.
        receiver.Default = _ => Task.FromResult(200);
        await using (var host = await TestHost.StartAsync(dataDir, new CapturedLogs(), slowRetries))
        {
            // Nothing calls the webhook grain: its durable reminder wakes it (within a minute of the restart).
            await receiver.WaitAsync(d => d.Any(x => x.EventId == eventId && x.Answer == 200), TimeSpan.FromSeconds(150), "the pending event after the restart");
            var delivered = receiver.For(eventId).Last(d => d.Answer == 200);
            Assert.True(WebhookSignature.Verify(delivered.Raw, delivered.Signature, [secret], WebhookSignature.DefaultTolerance));
            var api = new ApiClient(host.Http);
            await WaitForEventAsync(api, client, eventId, e => e.GetProperty("status").GetString() == "delivered");
        }
    }

    [Fact]
    public async Task A_dead_receiver_of_one_client_does_not_delay_another_clients_events()
    {
        await using var dead = await WebhookReceiver.StartAsync();
        dead.Default = WebhookReceiver.Hang;
        await using var alive = await WebhookReceiver.StartAsync();
        await using var host = await TestHost.StartAsync(TestHost.NewDataDir(), new CapturedLogs(), [.. FastWebhooks, "--PayApi:Webhooks:AttemptTimeout=00:00:30"]);
        var api = new ApiClient(host.Http);
        var a = await api.CreateClientAsync("A");
        var b = await api.CreateClientAsync("B");
        await SetWebhookAsync(api, a, dead.Url);
        await SetWebhookAsync(api, b, alive.Url);

        // A's receiver holds every attempt open: more events than A may have in flight at once.
        for (var i = 0; i < 6; i++)
        {
            await api.ConnectAsync(a, "rk_test_deadA" + i + Guid.NewGuid().ToString("N")[..12], "user-" + i);
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (dead.Open < 4)
        {
            Assert.True(clock.Elapsed < Wait, "A's attempts did not reach its receiver");
            await Task.Delay(25);
        }

        var connected = System.Diagnostics.Stopwatch.StartNew();
        await api.ConnectAsync(b, "rk_test_aliveB" + Guid.NewGuid().ToString("N")[..12]);
        await alive.WaitAsync(d => d.Any(x => x.Type == "connection.connected"), TimeSpan.FromSeconds(15), "B's event while A's receiver hangs");
        Assert.True(connected.Elapsed < TimeSpan.FromSeconds(15), $"B's event took {connected.Elapsed.TotalSeconds:F1} s, while A's attempts hang 30 s each");
        Assert.Single(alive.Deliveries); // first attempt, no retry
        Assert.True(dead.Open >= 1, "A's attempts were still hanging when B's event arrived");
        Assert.DoesNotContain(dead.Deliveries, d => d.Answer == 200);
    }

    [Fact]
    public async Task Refreshes_failing_with_a_retryable_error_for_the_warning_period_raise_pending_expiration_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await TestHost.StartAsync(TestHost.NewDataDir(), new CapturedLogs(),
            [.. FastWebhooks, "--PayApi:Webhooks:FailingRefreshWarning=00:00:00", "--PayApi:Grains:ProviderRetryDelay=00:00:00.001"]);
        var sandbox = host.Service<SandboxServer>();
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        await SetWebhookAsync(api, client, receiver.Url);
        var (_, token) = await api.ConnectAsync(client, "rk_test_outage" + Guid.NewGuid().ToString("N")[..12]);
        await api.WaitSyncedAsync(token);

        sandbox.StripeOutage = true;
        for (var i = 0; i < 2; i++)
        {
            using var refresh = await api.SendAsync(HttpMethod.Post, "/v1/connection/refresh", ApiClient.Bearer(token));
            Assert.True(refresh.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.Accepted, $"refresh answered {(int)refresh.StatusCode}");
            await Task.Delay(10); // past the 1 ms provider rest
        }

        await receiver.WaitAsync(d => Has(d, "connection.pending_expiration") && Has(d, "connection.status_changed"), Wait, "pending_expiration for the failing streak");
        sandbox.StripeOutage = false;
        using (var refresh = await api.SendAsync(HttpMethod.Post, "/v1/connection/refresh", ApiClient.Bearer(token)))
        {
            Assert.Equal(HttpStatusCode.Accepted, refresh.StatusCode);
        }

        await receiver.WaitAsync(d => d.Count(x => x.Type == "connection.status_changed") == 2, Wait, "the status back to connected");
        var warning = Assert.Single(receiver.Deliveries, d => d.Type == "connection.pending_expiration");
        Assert.Equal("refresh_failing", warning.Data.GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.String, warning.Data.GetProperty("failing_since").ValueKind);
        var changes = receiver.Deliveries.Where(d => d.Type == "connection.status_changed").Select(d => d.Data.GetProperty("status").GetString()).ToHashSet();
        Assert.Equal(["connected", "provider_unavailable"], changes.Order());
    }

    [Fact]
    public async Task A_bank_page_warning_that_the_password_expires_raises_pending_expiration_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await TestHost.StartAsync(TestHost.NewDataDir(), new CapturedLogs(), FastWebhooks);
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        await SetWebhookAsync(api, client, receiver.Url);

        // user_pwexpiring's dashboard says the password expires in 5 days; the login still works.
        var (connectionId, token) = await api.ConnectBankAsync(client, "user_pwexpiring", "pass_good");
        await receiver.WaitAsync(d => Has(d, "connection.connected") && Has(d, "connection.pending_expiration"), Wait, "connected and pending_expiration");
        var warning = Assert.Single(receiver.Deliveries, d => d.Type == "connection.pending_expiration");
        Assert.Equal("password_expiring", warning.Data.GetProperty("reason").GetString());
        Assert.Equal(connectionId, warning.Data.GetProperty("connection_id").GetString());
        var expiresAt = warning.Data.GetProperty("expires_at").GetDateTimeOffset();
        Assert.InRange(expiresAt - DateTimeOffset.UtcNow, TimeSpan.FromDays(4), TimeSpan.FromDays(5));

        // The same notice on the next fetch is the same announcement: no second event.
        await api.RefreshAndWaitAsync(token);
        using (var again = await api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token)))
        {
            await ApiClient.ExpectAsync(again, HttpStatusCode.OK);
        }

        Assert.Single(receiver.Deliveries, d => d.Type == "connection.pending_expiration");

        // A user the bank does not warn raises nothing of the kind.
        await api.ConnectBankAsync(client, "user_good", "pass_good", "user-2");
        await receiver.WaitAsync(d => d.Count(x => x.Type == "connection.connected") == 2, Wait, "the second connection");
        Assert.Single(receiver.Deliveries, d => d.Type == "connection.pending_expiration");
    }

    [Fact]
    public async Task Private_and_metadata_targets_are_refused_even_when_insecure_targets_are_allowed()
    {
        await using var host = await TestHost.StartAsync(TestHost.NewDataDir(), new CapturedLogs(), FastWebhooks);
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        foreach (var url in new[] { "http://169.254.169.254/latest/meta-data", "http://10.0.0.1/hook", "http://192.168.1.1/", "http://[fd00:ec2::254]/", "http://[fe80::1]/", "http://0.0.0.0/" })
        {
            using var response = await api.SendAsync(HttpMethod.Put, "/v1/webhook", ApiClient.Basic(client), new { url });
            await ApiClient.ExpectProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        }
    }

    internal static async Task<string> SetWebhookAsync(ApiClient api, (string Id, string Secret) client, Uri url)
    {
        using var response = await api.SendAsync(HttpMethod.Put, "/v1/webhook", ApiClient.Basic(client), new { url = url.AbsoluteUri });
        var body = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
        Assert.Equal(url.AbsoluteUri, body.GetProperty("url").GetString());
        var secret = body.GetProperty("signing_secret").GetString()!;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        return secret;
    }

    private static async Task<string> RotateAsync(ApiClient api, (string Id, string Secret) client)
    {
        using var response = await api.SendAsync(HttpMethod.Post, "/v1/webhook/rotate-secret", ApiClient.Basic(client));
        var body = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
        Assert.True(body.GetProperty("previous_secret_expires_at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddHours(23));
        return body.GetProperty("signing_secret").GetString()!;
    }

    private static bool Has(IReadOnlyList<WebhookReceiver.Delivery> deliveries, string type) =>
        deliveries.Any(d => d.Type == type && d.Answer == 200);

    internal static async Task<List<JsonElement>> ListAllEventsAsync(ApiClient api, (string Id, string Secret) client)
    {
        var all = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var path = "/v1/webhook/events?limit=2" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            using var response = await api.SendAsync(HttpMethod.Get, path, ApiClient.Basic(client));
            var page = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
            all.AddRange(page.GetProperty("data").EnumerateArray().Select(e => e.Clone()));
            cursor = page.TryGetProperty("next_cursor", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (cursor is not null);

        Assert.Equal(all.Count, all.Select(e => e.GetProperty("id").GetString()).Distinct().Count()); // paging repeats nothing
        return all;
    }

    private static async Task<JsonElement> WaitForEventAsync(ApiClient api, (string Id, string Secret) client, string eventId, Func<JsonElement, bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var found = (await ListAllEventsAsync(api, client)).FirstOrDefault(e => e.GetProperty("id").GetString() == eventId);
            if (found.ValueKind == JsonValueKind.Object && condition(found))
            {
                return found;
            }

            Assert.True(clock.Elapsed < Wait, $"event {eventId} did not reach the expected state: {found}");
            await Task.Delay(50);
        }
    }
}
