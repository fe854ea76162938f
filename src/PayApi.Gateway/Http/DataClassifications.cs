using Microsoft.Extensions.Compliance.Classification;

namespace PayApi.Gateway.Http;

/// <summary>Our data classes: anything tagged <see cref="SecretDataAttribute"/> is erased from logs.</summary>
public static class PayApiTaxonomy
{
    public const string Name = "PayApi";

    /// <summary>Credentials, tokens, cookies, session capabilities: never readable in telemetry.</summary>
    public static DataClassification Secret { get; } = new(Name, nameof(Secret));
}

/// <summary>Marks a logged value as secret so the redactor erases it.</summary>
public sealed class SecretDataAttribute : DataClassificationAttribute
{
    public SecretDataAttribute()
        : base(PayApiTaxonomy.Secret)
    {
    }
}
