using System.ComponentModel;
using System.Text.Json.Serialization;
using PayApi.Contracts;

namespace PayApi.Gateway.OpenApi;

// The JSON bodies that endpoints read or write as anonymous objects, named for the OpenAPI document
// (.RequestBody<T>() / .Produces<T>()). Bodies that are contract records (ConnectionView, BalanceView, ...) are documented as those.
// Serialized with the gateway's JSON options (snake_case), as the endpoints' own answers are.

[Description("Create an API client.")]
public sealed record CreateClientRequest([property: Description("A name for the client, up to 200 characters.")] string Name);

[Description("The client's new secret; shown once, only a hash is kept.")]
public sealed record ClientSecretResponse(string ClientSecret);

[Description("Master key versions and how many wrapped data keys each still protects.")]
public sealed record KeyVersionList(IReadOnlyList<KeyVersionView> Data);

[Description("Failure bundles kept after unexpected provider pages.")]
public sealed record FailureBundleList(IReadOnlyList<FailureBundleSummary> Data);

[Description("One decrypted failure bundle: the redacted screenshot and HTML of the page the adapter did not understand.")]
public sealed record FailureBundleResponse(FailureBundleSummary Bundle, string Url, string ScreenshotPngBase64, string Html);

[Description("The providers an end-user can connect.")]
public sealed record ProviderList(IReadOnlyList<ProviderInfo> Data);

[Description("Open a connect session for one end-user.")]
public sealed record CreateSessionRequest(
    [property: Description("Your id of the end-user, up to 128 characters.")] string EndUserId,
    [property: Description("Provider ids to offer; all when absent.")] IReadOnlyList<string>? Providers = null,
    [property: Description("Where the Connect page sends the end-user when done (http or https).")] string? RedirectUri = null,
    [property: Description("One of your connections to repair in place (new credentials, same id and access token).")] string? ConnectionId = null);

[Description("A new connect session: send the end-user to connect_url.")]
public sealed record SessionCreatedResponse(string SessionId, string ConnectUrl, DateTimeOffset ExpiresAt);

[Description("Exchange a session's one-time code for the connection's access token.")]
public sealed record ExchangeRequest([property: Description("The code of a succeeded session; single use, valid 10 minutes.")] string Code);

[Description("The connection and its access token (an ES256 JWT without expiry).")]
public sealed record ExchangeResponse(string ConnectionId, string AccessToken);

[Description("Your connections.")]
public sealed record ConnectionList(IReadOnlyList<ConnectionView> Data);

[Description("A page of transactions, newest first.")]
public sealed record TransactionPage(
    IReadOnlyList<TransactionItem> Data,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never), Description("Pass as cursor for the next page; null on the last page.")] string? NextCursor,
    DateTimeOffset FetchedAt,
    [property: Description("True when served from the connection's cache.")] bool Cached);

[Description("A page of payouts, newest first.")]
public sealed record PayoutPage(
    IReadOnlyList<PayoutItem> Data,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never), Description("Pass as cursor for the next page; null on the last page.")] string? NextCursor,
    DateTimeOffset FetchedAt,
    [property: Description("True when served from the connection's cache.")] bool Cached);

[Description("A request was accepted and goes on in the background.")]
public sealed record StatusResponse([property: Description("accepted, verifying, alive or ready.")] string Status);

[Description("The connect session as the Connect page sees it.")]
public sealed record ConnectPageResponse(
    [property: Description("pending, verifying, awaiting_mfa, succeeded, failed or expired.")] string Status,
    IReadOnlyList<ProviderInfo> Providers,
    string? Provider,
    ErrorInfo? Error,
    [property: Description("Once succeeded with a redirect_uri: redirect_uri?code=...&session_id=...")] string? RedirectTo);

[Description("The end-user's credentials for one provider; never echoed back.")]
public sealed record SubmitCredentialsRequest(
    [property: Description("A provider id from the session's providers.")] string Provider,
    [property: Description("Every field the provider lists, by name.")] IReadOnlyDictionary<string, string> Fields);

[Description("The one-time code the provider asked for.")]
public sealed record SubmitMfaRequest(string Code);
