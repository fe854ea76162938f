using System.Net;
using PayApi.Storage.DynamoDB;
using PayApi.Storage.S3;
using PayApi.Vault.Kms;

namespace PayApi.Host;

/// <summary>
/// The <c>PayApi</c> configuration section (docs/api.md, "Configuration keys"). Validated at start-up; every
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
    public ArtifactsSettings Artifacts { get; set; } = new() { Provider = "Local" };
    public VaultSettings Vault { get; set; } = new();
    public OrleansSettings Orleans { get; set; } = new();
    public DynamoDBOptions DynamoDB { get; set; } = new();
    public S3Options S3 { get; set; } = new();
    public KmsOptions Kms { get; set; } = new();

    /// <summary><c>PayApi:Role</c>: <c>All</c> (silo + gateway), <c>Silo</c> or <c>Gateway</c> (an Orleans client).</summary>
    public string Role { get; set; } = nameof(HostRole.All);
    public PayApi.Gateway.Http.RateLimitOptions RateLimit { get; set; } = new();

    /// <summary><c>PayApi:Network:TrustedProxies</c>: load balancers whose <c>X-Forwarded-For</c> names the client.</summary>
    public PayApi.Gateway.Http.NetworkOptions Network { get; set; } = new();

    public sealed class SandboxSettings
    {
        /// <summary>Null means "the default": on with Sqlite storage, off otherwise.</summary>
        public bool? Enabled { get; set; }

        /// <summary>
        /// The sandbox site of another process (<c>http://host:port/</c>) to use instead of starting one here: the silos of
        /// a cluster must share one sandbox bank, whose sessions live in the process that serves it.
        /// </summary>
        public string? Url { get; set; }
    }

    public sealed class ProviderChoice
    {
        public string Provider { get; set; } = "";
    }

    public sealed class ArtifactsSettings
    {
        /// <summary><c>Local</c> (a folder in the data dir) or <c>S3</c>.</summary>
        public string Provider { get; set; } = "";

        /// <summary><c>PayApi:Artifacts:Bucket</c>: the S3 bucket of failure bundles (and of large provider data chunks).</summary>
        public string? Bucket { get; set; }
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

        /// <summary>The address other silos and clients reach this silo at; null means ECS task metadata, else loopback.</summary>
        public string? AdvertisedIp { get; set; }

        /// <summary>How long a silo waits for a probe answer; with <see cref="MissedProbesLimit"/> it sets how fast a dead silo is noticed.</summary>
        public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary>Missed probes before a silo is suspected and voted dead.</summary>
        public int MissedProbesLimit { get; set; } = 3;

        /// <summary>
        /// How long SIGTERM may take: in-flight requests finish, grains deactivate, the silo leaves the membership
        /// table and its reminders move to the others. Below ECS's default stop timeout of 30 s, so it is never cut short.
        /// </summary>
        public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(25);

        /// <summary>
        /// How long the gateway keeps retrying a read whose grain sat on a silo that just died, before it answers
        /// <c>503 dependency_unavailable</c> with <c>Retry-After</c>.
        /// </summary>
        public TimeSpan FailoverRetryBudget { get; set; } = TimeSpan.FromSeconds(20);

        /// <summary>Mutual TLS between silos and gateways; off when no certificate is configured.</summary>
        public TlsSettings Tls { get; set; } = new();
    }

    public sealed class TlsSettings
    {
        /// <summary>A PKCS#12 file holding the cluster certificate and its private key, the same for every member.</summary>
        public string? CertificatePath { get; set; }

        public string? CertificatePassword { get; set; }
    }

    public HostRole ParsedRole => Enum.TryParse<HostRole>(Role, ignoreCase: true, out var role) && Enum.IsDefined(role) ? role : HostRole.All;

    public bool UsesDynamoDBStorage => Storage.Provider.Equals("DynamoDB", StringComparison.OrdinalIgnoreCase);

    public bool UsesDynamoDBClustering => Clustering.Provider.Equals("DynamoDB", StringComparison.OrdinalIgnoreCase);

    public bool UsesKms => Keys.Provider.Equals("Kms", StringComparison.OrdinalIgnoreCase);

    public bool UsesS3 => Artifacts.Provider.Equals("S3", StringComparison.OrdinalIgnoreCase);

    /// <summary>The S3 options with the bucket from <c>PayApi:Artifacts:Bucket</c> (or <c>PayApi:S3:Bucket</c>).</summary>
    public S3Options S3Settings()
    {
        S3.Bucket = string.IsNullOrEmpty(Artifacts.Bucket) ? S3.Bucket : Artifacts.Bucket;
        return S3;
    }

    public bool SandboxEnabled => ParsedRole != HostRole.Gateway && (Sandbox.Enabled ?? Storage.Provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase));

    /// <summary>Every problem with the settings, each naming its key.</summary>
    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(DataDir))
        {
            yield return "PayApi:DataDir must not be empty.";
        }

        if (!Storage.Provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase) && !UsesDynamoDBStorage)
        {
            yield return $"PayApi:Storage:Provider '{Storage.Provider}' is not supported; use 'Sqlite' or 'DynamoDB'.";
        }

        if (!Clustering.Provider.Equals("Localhost", StringComparison.OrdinalIgnoreCase) && !UsesDynamoDBClustering)
        {
            yield return $"PayApi:Clustering:Provider '{Clustering.Provider}' is not supported; use 'Localhost' or 'DynamoDB'.";
        }

        if (!(Enum.TryParse<HostRole>(Role, ignoreCase: true, out var role) && Enum.IsDefined(role)) || int.TryParse(Role, out _))
        {
            yield return $"PayApi:Role '{Role}' is not one of All, Silo, Gateway.";
        }

        foreach (var problem in ClusterProblems())
        {
            yield return problem;
        }

        if (!Keys.Provider.Equals("Local", StringComparison.OrdinalIgnoreCase) && !UsesKms)
        {
            yield return $"PayApi:Keys:Provider '{Keys.Provider}' is not supported; use 'Local' or 'Kms'.";
        }

        if (UsesKms && ParsedRole != HostRole.Gateway)
        {
            foreach (var problem in Kms.Problems())
            {
                yield return problem;
            }
        }

        if (!Artifacts.Provider.Equals("Local", StringComparison.OrdinalIgnoreCase) && !UsesS3)
        {
            yield return $"PayApi:Artifacts:Provider '{Artifacts.Provider}' is not supported; use 'Local' or 'S3'.";
        }

        if (UsesS3 && ParsedRole != HostRole.Gateway)
        {
            foreach (var problem in S3Settings().Problems())
            {
                yield return problem;
            }
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

        if (Sandbox.Url is { Length: > 0 } && !(Uri.TryCreate(Sandbox.Url, UriKind.Absolute, out var sandboxUrl) && sandboxUrl.Scheme is "http" or "https"))
        {
            yield return "PayApi:Sandbox:Url must be an absolute http(s) URL.";
        }

        if (PublicUrl is { Length: > 0 } && !Uri.TryCreate(PublicUrl, UriKind.Absolute, out _))
        {
            yield return "PayApi:PublicUrl must be an absolute URL.";
        }

        if (RateLimit.PermitsPerSecond < 1 || RateLimit.Burst < 1 || RateLimit.AuthFailuresPerMinute < 1)
        {
            yield return "PayApi:RateLimit:PermitsPerSecond, PayApi:RateLimit:Burst and PayApi:RateLimit:AuthFailuresPerMinute must be at least 1.";
        }

        foreach (var proxy in Network.InvalidTrustedProxies())
        {
            yield return $"PayApi:Network:TrustedProxies: '{proxy}' is neither an IP address nor a CIDR range.";
        }

        if (Orleans.AdvertisedIp is { Length: > 0 } ip && !IPAddress.TryParse(ip, out _))
        {
            yield return "PayApi:Orleans:AdvertisedIp must be an IP address.";
        }

        if (Orleans.ProbeTimeout < TimeSpan.FromMilliseconds(100) || Orleans.MissedProbesLimit < 1)
        {
            yield return "PayApi:Orleans:ProbeTimeout must be at least 100 ms and PayApi:Orleans:MissedProbesLimit at least 1.";
        }

        if (!string.IsNullOrEmpty(Orleans.Tls.CertificatePassword) && string.IsNullOrEmpty(Orleans.Tls.CertificatePath))
        {
            yield return "PayApi:Orleans:Tls:CertificatePassword is set but PayApi:Orleans:Tls:CertificatePath is not.";
        }

        if (Orleans.ShutdownTimeout <= TimeSpan.Zero || Orleans.FailoverRetryBudget < TimeSpan.Zero)
        {
            yield return "PayApi:Orleans:ShutdownTimeout must be positive and PayApi:Orleans:FailoverRetryBudget not negative.";
        }

        if (MasterKeyProblem() is { } masterKeyProblem)
        {
            yield return masterKeyProblem;
        }
    }

    // A cluster shares one state: nothing it needs may come from one machine's data dir.
    private IEnumerable<string> ClusterProblems()
    {
        if (UsesDynamoDBStorage || UsesDynamoDBClustering)
        {
            foreach (var problem in DynamoDB.Problems())
            {
                yield return problem;
            }
        }

        if (!UsesDynamoDBClustering)
        {
            yield break;
        }

        if (!UsesDynamoDBStorage)
        {
            yield return "PayApi:Clustering:Provider 'DynamoDB' needs PayApi:Storage:Provider 'DynamoDB': SQLite state lives in one machine's file.";
        }

        if (string.IsNullOrEmpty(AdminToken))
        {
            yield return "PayApi:AdminToken must be set in a cluster: every gateway must accept the same token, and none reads it from its data dir.";
        }

        if (string.IsNullOrEmpty(Vault.MasterKey) && ParsedRole != HostRole.Gateway && Keys.Provider.Equals("Local", StringComparison.OrdinalIgnoreCase))
        {
            yield return "PayApi:Vault:MasterKey must be set in a cluster with the local keyring: every silo must unwrap the same data keys.";
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

/// <summary>What one process runs: <c>PayApi:Role</c>.</summary>
public enum HostRole
{
    /// <summary>A silo and the REST gateway in one process (the default).</summary>
    All,

    /// <summary>A silo only; HTTP serves the health probes.</summary>
    Silo,

    /// <summary>The REST gateway as an Orleans client that finds silos through the gateway list.</summary>
    Gateway,
}

/// <summary>Thrown at start-up when settings are wrong; its message lists every bad key.</summary>
public sealed class SettingsException(string message) : Exception(message)
{
    /// <summary>The process's exit code for a configuration it cannot run with: that of every start-up failure.</summary>
    public const int ExitCode = StartupFailure.ExitCode;
}
