using System.Net.Http.Headers;
using System.Text.Json;
using PayApi.Sandbox;

namespace PayApi.Providers.Tests;

/// <summary>Keys, adapters and raw HTTP helpers shared by the tests.</summary>
internal static class TestSupport
{
    public const string ReadOnlyKey = "rk_test_51SandboxReadOnlyKeyA1b2C3";
    public const string OtherReadOnlyKey = "rk_test_51SandboxReadOnlyKeyZ9y8X7";
    public const string SecretKey = "sk_test_51SandboxSecretKeyA1b2C3";
    public const string InvalidKey = "rk_test_51invalidKeyA1b2C3";
    public const string LiveReadOnlyKey = "rk_live_51SandboxReadOnlyKeyA1b2C3";
    public const string LiveSecretKey = "sk_live_51SandboxSecretKeyA1b2C3";
    public const string WritePayoutsKey = "rk_test_51writepayoutsKeyA1b2C3";
    public const string NoPayoutsKey = "rk_test_51nopayoutsKeyA1b2C3";
    public const string NoChargesKey = "rk_test_51nochargesKeyA1b2C3";

    /// <summary>A sandbox of the test's own, for tests that flip its switches or count its requests.</summary>
    public static Task<SandboxServer> StartSandboxAsync() => SandboxServer.StartAsync(new SandboxOptions(), CancellationToken.None);

    public static ProviderContext Context(string apiKey) =>
        new("con_test", new ProviderCredentials(new Dictionary<string, string> { [StripeAdapter.ApiKeyField] = apiKey }));

    /// <summary>An adapter with the production retry count but millisecond waits, so retried failures stay fast.</summary>
    public static StripeAdapter Adapter(Uri baseUrl, TimeSpan? timeout = null, Action<StripeAdapterOptions>? configure = null)
    {
        var options = new StripeAdapterOptions
        {
            ProviderId = "sandbox-stripe",
            Name = "Sandbox Stripe",
            BaseUrl = baseUrl,
            Timeout = timeout ?? TimeSpan.FromSeconds(10),
            RetryBaseDelay = TimeSpan.FromMilliseconds(5),
            RetryMaxDelay = TimeSpan.FromMilliseconds(50),
        };
        configure?.Invoke(options);
        return new StripeAdapter(new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }), options);
    }

    public static HttpClient RawClient(Uri stripeBase, string? bearer = ReadOnlyKey)
    {
        var client = new HttpClient { BaseAddress = stripeBase };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return client;
    }

    public static async Task<(int Status, JsonElement Body)> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return ((int)response.StatusCode, await ReadJsonAsync(response));
    }

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary>Every charge of the key, read page by page straight from the sandbox.</summary>
    public static async Task<List<JsonElement>> AllRawAsync(HttpClient client, string resource)
    {
        var all = new List<JsonElement>();
        string? after = null;
        while (true)
        {
            var (status, body) = await GetJsonAsync(client, $"v1/{resource}?limit=100" + (after is null ? string.Empty : "&starting_after=" + after));
            Assert.Equal(200, status);
            var data = body.GetProperty("data").EnumerateArray().ToList();
            all.AddRange(data);
            if (!body.GetProperty("has_more").GetBoolean())
            {
                return all;
            }

            after = data[^1].GetProperty("id").GetString();
        }
    }
}
