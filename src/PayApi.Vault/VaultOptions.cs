namespace PayApi.Vault;

/// <summary>Bound from <c>PayApi:DataDir</c> and <c>PayApi:Vault</c>.</summary>
public sealed class VaultOptions
{
    /// <summary>Holds <c>master.key</c> and <c>keys.db</c>.</summary>
    public string DataDir { get; set; } = "./data";

    /// <summary><c>PayApi:Vault:MasterKey</c>: base64 of exactly 32 bytes. When unset, a key is generated into the data dir.</summary>
    public string? MasterKey { get; set; }
}
