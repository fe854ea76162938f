namespace PayApi.Providers;

/// <summary>The <c>auth</c> values of <c>GET /v1/providers</c>.</summary>
public static class ProviderAuthKinds
{
    public const string ApiKey = "api_key";
    public const string Password = "password";
}
