namespace PayApi.Host;

/// <summary>
/// The <c>PayApi</c> configuration section (API.md, "Configuration keys"). Validated at start-up; every
/// message names the key to fix.
/// </summary>
public sealed class PayApiSettings
{
    public string DataDir { get; set; } = "./data";
    public string? AdminToken { get; set; }
    public string? PublicUrl { get; set; }
    public SandboxSettings Sandbox { get; set; } = new();
    public ProviderChoice Storage { get; set; } = new() { Provider = "Sqlite" };
    public ProviderChoice Clustering { get; set; } = new() { Provider = "Localhost" };
    public ProviderChoice Keys { get; set; } = new() { Provider = "Local" };
    public ProviderChoice Artifacts { get; set; } = new() { Provider = "Local" };
    public VaultSettings Vault { get; set; } = new();
    public OrleansSettings Orleans { get; set; } = new();
    public PayApi.Gateway.Http.RateLimitOptions RateLimit { get; set; } = new();

    public sealed class SandboxSettings
    {
        /// <summary>Null means "the default": on with Sqlite storage, off otherwise.</summary>
        public bool? Enabled { get; set; }
    }

    public sealed class ProviderChoice
    {
        public string Provider { get; set; } = "";
    }

    public sealed class VaultSettings
    {
        public string? MasterKey { get; set; }
    }

    public sealed class OrleansSettings
    {
        public string ClusterId { get; set; } = "payapi";
        public string ServiceId { get; set; } = "payapi";
        public int SiloPort { get; set; } = 11111;
        public int GatewayPort { get; set; } = 30000;
    }

    public bool SandboxEnabled => Sandbox.Enabled ?? Storage.Provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase);

    /// <summary>Every problem with the settings, each naming its key.</summary>
    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(DataDir))
        {
            yield return "PayApi:DataDir must not be empty.";
        }

        if (!Storage.Provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            yield return $"PayApi:Storage:Provider '{Storage.Provider}' is not supported by this build; use 'Sqlite'.";
        }

        if (!Clustering.Provider.Equals("Localhost", StringComparison.OrdinalIgnoreCase))
        {
            yield return $"PayApi:Clustering:Provider '{Clustering.Provider}' is not supported by this build; use 'Localhost'.";
        }

        if (!Keys.Provider.Equals("Local", StringComparison.OrdinalIgnoreCase))
        {
            yield return $"PayApi:Keys:Provider '{Keys.Provider}' is not supported by this build; use 'Local'.";
        }

        if (!Artifacts.Provider.Equals("Local", StringComparison.OrdinalIgnoreCase))
        {
            yield return $"PayApi:Artifacts:Provider '{Artifacts.Provider}' is not supported by this build; use 'Local'.";
        }

        if (AdminToken is { Length: > 0 and < 16 })
        {
            yield return "PayApi:AdminToken must be at least 16 characters.";
        }

        if (Orleans.SiloPort is < 0 or > 65535)
        {
            yield return "PayApi:Orleans:SiloPort must be a TCP port (0-65535).";
        }

        if (Orleans.GatewayPort is < 0 or > 65535)
        {
            yield return "PayApi:Orleans:GatewayPort must be a TCP port (0-65535).";
        }

        if (PublicUrl is { Length: > 0 } && !Uri.TryCreate(PublicUrl, UriKind.Absolute, out _))
        {
            yield return "PayApi:PublicUrl must be an absolute URL.";
        }

        if (RateLimit.PermitsPerSecond < 1 || RateLimit.Burst < 1 || RateLimit.AuthFailuresPerMinute < 1)
        {
            yield return "PayApi:RateLimit:PermitsPerSecond, PayApi:RateLimit:Burst and PayApi:RateLimit:AuthFailuresPerMinute must be at least 1.";
        }

        if (MasterKeyProblem() is { } masterKeyProblem)
        {
            yield return masterKeyProblem;
        }
    }

    private string? MasterKeyProblem()
    {
        if (string.IsNullOrEmpty(Vault.MasterKey))
        {
            return null;
        }

        try
        {
            return Convert.FromBase64String(Vault.MasterKey).Length == 32 ? null : "PayApi:Vault:MasterKey must be base64 of exactly 32 bytes.";
        }
        catch (FormatException)
        {
            return "PayApi:Vault:MasterKey must be base64 of exactly 32 bytes.";
        }
    }
}

/// <summary>Thrown at start-up when settings are wrong; its message lists every bad key.</summary>
public sealed class SettingsException(string message) : Exception(message);
