using PayApi.Contracts;

namespace PayApi.Gateway.OpenApi;

/// <summary>
/// One example of each documented body, as typed values: the document serializes them with the gateway's JSON options,
/// so an example is shaped exactly as a real answer is. A body type without an entry here simply has no example.
/// </summary>
public static class ApiExamples
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 17, 51, 0, TimeSpan.Zero);

    private static readonly ProviderInfo Stripe = new("sandbox-stripe", "Sandbox Stripe", "api_key", false,
        [Capabilities.Balance, Capabilities.Transactions, Capabilities.Payouts], [new ProviderField("api_key", "Restricted API key", true)]);

    private static readonly ConnectionView Connection = new("con_8f3a2b1c9d", "sandbox-stripe", "user-1", ConnectionStatus.Connected,
        Now, Now.AddMinutes(5), Now.AddHours(6), null, new SyncView(SyncStates.Synced, Now.AddYears(-2)), [Capabilities.Balance, Capabilities.Transactions, Capabilities.Payouts]);

    private static readonly FailureBundleSummary Bundle = new("fb_20261124175100_1a2b", "con_8f3a2b1c9d", "cli_4d5e6f", Now, "unexpected_provider_response", 48213);

    private static readonly Dictionary<Type, object> ByType = new()
    {
        [typeof(CreateClientRequest)] = new CreateClientRequest("Acme"),
        [typeof(CreatedClient)] = new CreatedClient("cli_4d5e6f", "sk_example_secret_shown_once", "Acme", Now),
        [typeof(ClientInfo)] = new ClientInfo("cli_4d5e6f", "Acme", Now, 3),
        [typeof(ClientSecretResponse)] = new ClientSecretResponse("sk_example_secret_shown_once"),
        [typeof(KeyVersionView)] = new KeyVersionView("local-2", Now, true, 0),
        [typeof(KeyVersionList)] = new KeyVersionList([new KeyVersionView("local-1", Now.AddDays(-30), false, 12), new KeyVersionView("local-2", Now, true, 40)]),
        [typeof(RewrapReport)] = new RewrapReport("local-2", 12, 40),
        [typeof(FailureBundleList)] = new FailureBundleList([Bundle]),
        [typeof(FailureBundleResponse)] = new FailureBundleResponse(Bundle, "https://bank.example.com/account", "iVBORw0KGgo=", "<html>...</html>"),
        [typeof(ProviderList)] = new ProviderList([Stripe]),
        [typeof(CreateSessionRequest)] = new CreateSessionRequest("user-1", ["sandbox-stripe"], "https://app.example.com/connected"),
        [typeof(SessionCreatedResponse)] = new SessionCreatedResponse("cs_7b2c9e4f", "https://pay.example.com/connect/cs_7b2c9e4f", Now.AddMinutes(30)),
        [typeof(SessionView)] = new SessionView("cs_7b2c9e4f", "succeeded", "sandbox-stripe", "cs_7b2c9e4f.q8v3x", null, Now.AddMinutes(30)),
        [typeof(ExchangeRequest)] = new ExchangeRequest("cs_7b2c9e4f.q8v3x"),
        [typeof(ExchangeResponse)] = new ExchangeResponse("con_8f3a2b1c9d", "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJjb25fOGYzYTJiMWM5ZCJ9.c2lnbmF0dXJl"),
        [typeof(ConnectionList)] = new ConnectionList([Connection]),
        [typeof(ConnectionView)] = Connection,
        [typeof(DisconnectReceipt)] = new DisconnectReceipt("con_8f3a2b1c9d", Now, ["credentials", "cookies", "cache", "data_key"]),
        [typeof(BalanceView)] = new BalanceView([new BalanceAmount("usd", 125_000, 4_250)], Now, true),
        [typeof(TransactionPage)] = new TransactionPage([new TransactionItem("txn_1Qa2b3", Now.AddHours(-2), -2_500, "usd", "Stripe fee", "available")], "eyJwIjoxfQ", Now, false),
        [typeof(PayoutPage)] = new PayoutPage([new PayoutItem("po_1Qa2b3", Now.AddDays(2), 100_000, "usd", "in_transit")], null, Now, true),
        [typeof(StatusResponse)] = new StatusResponse("accepted"),
        [typeof(ConnectPageResponse)] = new ConnectPageResponse("pending", [Stripe], null, new ErrorInfo(ErrorCodes.InvalidCredentials, "The provider rejected the API key."), null),
        [typeof(SubmitCredentialsRequest)] = new SubmitCredentialsRequest("sandbox-stripe", new Dictionary<string, string> { ["api_key"] = "rk_test_demo1234" }),
        [typeof(SubmitMfaRequest)] = new SubmitMfaRequest("123456"),
    };

    /// <summary>Adds or replaces the example of a body type (for endpoints mapped elsewhere).</summary>
    public static void Register<T>(T example)
        where T : notnull
    {
        lock (ByType)
        {
            ByType[typeof(T)] = example;
        }
    }

    public static object? For(Type type)
    {
        lock (ByType)
        {
            return ByType.GetValueOrDefault(type);
        }
    }
}
