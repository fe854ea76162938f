namespace PayApi.Gateway.Http;

/// <summary>The contract's request body limit.</summary>
public static class BodyLimits
{
    public const int MaxBytes = 64 * 1024;
}
