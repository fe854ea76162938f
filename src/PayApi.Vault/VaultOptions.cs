namespace PayApi.Vault;

/// <summary>Bound from <c>PayApi:DataDir</c> and <c>PayApi:Vault</c>.</summary>
public sealed class VaultOptions
{
    /// <summary>Holds <c>master.key</c> and <c>keys.db</c>.</summary>
    public string DataDir { get; set; } = "./data";

    /// <summary><c>PayApi:Vault:MasterKey</c>: base64 of exactly 32 bytes. When unset, a key is generated into the data dir.</summary>
    public string? MasterKey { get; set; }

    /// <summary>
    /// Whether master key versions may live in <c>&lt;DataDir&gt;/master.key</c>. True on one machine. A cluster turns
    /// it off: every silo has a data dir of its own, so a version rotated into one silo's file would strand the keys it
    /// wrapped on every other silo. Then only <see cref="MasterKey"/> is used and rotation is refused (use KMS).
    /// </summary>
    public bool UseDataDir { get; set; } = true;
}
