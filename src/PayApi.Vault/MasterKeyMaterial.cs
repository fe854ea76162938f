namespace PayApi.Vault;

/// <summary>One master key version as read from configuration or <c>master.key</c>.</summary>
internal sealed record MasterKeyMaterial(int Number, DateTimeOffset CreatedAt, byte[] Key)
{
    public const string KeyIdPrefix = "local-";

    public string KeyId => KeyIdPrefix + Number.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
